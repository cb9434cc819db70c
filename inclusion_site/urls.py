from django.contrib import admin
from django.urls import include, path

from services import views as service_views

urlpatterns = [
    path("", service_views.search, name="home"),
    path("services/", include("services.urls")),
    path("communes/", include("communes.urls")),
    path("admin/", admin.site.urls),
]

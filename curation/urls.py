from django.contrib import admin
from django.urls import path

from curation import views

app_name = "curation"

# Inside the admin: staff login required, the admin's layout.
urlpatterns = [
    path("tableau-de-bord/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("doublons/", admin.site.admin_view(views.duplicates), name="duplicates"),
    path("doublons/pas-un-doublon/", admin.site.admin_view(views.not_duplicate), name="not_duplicate"),
    path("doublons/representant/", admin.site.admin_view(views.representative), name="representative"),
]

from django.urls import path

from services import views

app_name = "services"
urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export_csv, name="export"),
    # Before the detail route: upstream ids start with "<source>--", never with "signaler/".
    path("signaler/<record_id:service_id>/", views.report_error, name="report"),
    path("<record_id:service_id>/", views.detail, name="detail"),
]

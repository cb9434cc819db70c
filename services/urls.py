from django.urls import path

from services import views

app_name = "services"
urlpatterns = [
    path("", views.search, name="search"),
    # Before the detail route: upstream ids start with "<source>--", never with these names.
    path("export.csv", views.export_csv, name="export"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("carte.geojson", views.map_points_view, name="map"),
    path("imprimer/", views.print_list, name="print"),
    path("signaler/<record_id:service_id>/", views.report_error, name="report"),
    path("<record_id:service_id>/", views.detail, name="detail"),
]

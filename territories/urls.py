from django.urls import path

from territories import views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.territory, name="territory"),
    path("<slug:slug>/carte.json", views.map_points, name="map"),
    path("<slug:slug>/export.csv", views.export_csv, name="export_csv"),
    path("<slug:slug>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<slug:slug>/imports/<int:run_id>/", views.run, name="run"),
]

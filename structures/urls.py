from django.urls import path

from structures import views

app_name = "structures"
urlpatterns = [
    path("<record_id:structure_id>/", views.detail, name="detail"),
]

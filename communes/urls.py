from django.urls import path

from communes import views

app_name = "communes"

urlpatterns = [
    path("autocomplete/", views.autocomplete, name="autocomplete"),
]

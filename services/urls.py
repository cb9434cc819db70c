from django.urls import path, register_converter

from services import views


class RecordIdConverter:
    """Upstream ids may contain '/', spaces, accents, '?', '#', '%': anything but nothing."""

    regex = ".+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordIdConverter, "record_id")

app_name = "services"
urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export_csv, name="export"),
    path("<record_id:service_id>/", views.detail, name="detail"),
]

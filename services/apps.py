from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Services"

    def ready(self):
        from services import signals  # noqa: F401  (connects the search index signals)

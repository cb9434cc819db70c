from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Services"

    def ready(self):
        from services import checks, signals  # noqa: F401  (registers the system checks, connects the writer)

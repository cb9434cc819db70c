from django.apps import AppConfig


class CommunesConfig(AppConfig):
    name = "communes"
    verbose_name = "Référentiel géographique"

    def ready(self):
        from communes import signals  # noqa: F401  (connects the data version to commune changes)

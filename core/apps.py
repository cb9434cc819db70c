from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: the data version, the page cache, the rate limits and the visitor's address, bulk
    database helpers, spreadsheet exports, text and geometry."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Socle"

    def ready(self):
        from core import checks  # noqa: F401  (registers the system checks)

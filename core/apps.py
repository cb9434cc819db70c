from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app uses: the data version, the page cache, bulk database helpers, text and geometry."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Socle"

from django.apps import AppConfig


class InclusionSiteConfig(AppConfig):
    """The project itself as an app: its system checks and the rate-limit counters' table."""

    name = "inclusion_site"
    verbose_name = "Site"

    def ready(self):
        from inclusion_site import checks  # noqa: F401  (registers them)

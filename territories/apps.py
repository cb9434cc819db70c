from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = "Territoires"

    def ready(self):
        from territories import changes  # noqa: F401 — connects the import runs' receiver

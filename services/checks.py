"""System checks of the search (`manage.py check --deploy`)."""

from django.core.checks import Error, register

from services import columns_store


@register(deploy=True)
def search_columns_folder(app_configs, **kwargs):
    """The folder where the workers of a machine share the search index must be usable: else every worker
    copies the index itself (seconds at national size) and the import's copy is lost."""
    problem = columns_store.problem(columns_store.root())
    if problem is None:
        return []
    return [
        Error(
            f"The search index files cannot be shared by the workers: {problem}.",
            hint="Set SEARCH_COLUMNS_DIR to a folder of the user running the site, private to it (mode 0700).",
            id="services.E001",
        )
    ]

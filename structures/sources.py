"""The data producers, as people name them."""

from django.core.cache import cache

from structures.models import Structure

# Display names of the producers data·inclusion consolidates; others show their slug.
SOURCE_NAMES = {
    "action-logement": "Action Logement",
    "agefiph": "Agefiph",
    "carif-oref": "Carif-Oref",
    "cd35": "Département d'Ille-et-Vilaine",
    "dora": "DORA",
    "emplois-de-linclusion": "Les emplois de l'inclusion",
    "france-travail": "France Travail",
    "fredo": "Fredo",
    "ma-boussole-aidants": "Ma Boussole Aidants",
    "mediation-numerique": "Médiation numérique",
    "mes-aides": "Mes Aides",
    "mission-locale": "Missions locales",
    "monenfant": "Mon Enfant",
    "reseau-alpha": "Réseau Alpha",
    "soliguide": "Soliguide",
}


def source_name(slug: str) -> str:
    return SOURCE_NAMES.get(slug, slug)


def source_choices() -> list[tuple[str, str]]:
    """Sources present in the data, cached briefly (the list changes only with imports)."""
    choices = cache.get("service-source-choices")
    if choices is None:
        slugs = Structure.objects.order_by().values_list("source", flat=True).distinct()
        choices = sorted(((slug, source_name(slug)) for slug in slugs), key=lambda item: item[1].lower())
        cache.set("service-source-choices", choices, 300)
    return choices

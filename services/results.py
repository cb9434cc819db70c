"""The services behind a search's hits, as lists of results show them (cards, exports, map).

A page loads only what lists show, with one plain query (services rows are wide, and compiling an ORM query with
select_related costs more than running it). The query checks publication itself: the engine's columns may be a
few seconds older than a curator's change, and a hidden record must never show meanwhile.
"""

from collections.abc import Iterator

from core.rendering import EXCERPT_SOURCE_LENGTH
from services.engine import Hit, Search
from services.models import Service
from structures.models import Structure

SERVICE_FIELDS = (
    *("id", "nom", "source", "date_maj", "frais", "thematiques", "publics", "modes_accueil", "modes_mobilisation"),
    *("telephone", "courriel", "lien_mobilisation", "lien_source", "horaires_accueil"),
    *("adresse", "complement_adresse", "code_postal", "commune", "latitude", "longitude", "structure_id"),
)
STRUCTURE_FIELDS = ("nom", "telephone", "courriel", "horaires_accueil")


def results_sql(service_fields: tuple[str, ...]) -> str:
    return (
        f"SELECT {', '.join(f's.{name}' for name in service_fields)}, "
        f"{', '.join(f'st.{name} AS structure_{name}' for name in STRUCTURE_FIELDS)}"
        " FROM services_service AS s JOIN structures_structure AS st ON st.id = s.structure_id"
        " WHERE s.id = ANY(%s) AND s.is_published AND st.is_published"
    )


# Exports leave descriptions out (the heaviest column); cards show an excerpt of their start.
LIST_SQL = results_sql(SERVICE_FIELDS)
CARDS_SQL = results_sql(SERVICE_FIELDS).replace(
    " FROM ", f", left(s.description, {EXCERPT_SOURCE_LENGTH}) AS description FROM ", 1
)
EXPORT_BATCH = 5000


def load(hits: list[Hit], using: str, sql: str = CARDS_SQL) -> list[Service]:
    """The published services of the hits, in their order, each with ``distance_km``, ``on_site`` and a
    ``structure`` holding what lists show of it."""
    found = Service.objects.using(using).raw(sql, [[hit.service_id for hit in hits]])
    services = {service.pk: service for service in found}
    loaded = []
    for hit in hits:
        service = services.get(hit.service_id)
        if service is None:  # unpublished or deleted since the columns were made: left out
            continue
        structure = Structure(
            id=service.structure_id, **{name: getattr(service, f"structure_{name}") for name in STRUCTURE_FIELDS}
        )
        # Read from the service's database: without it, the assignment below would ask the router where to write
        # it, and pin the rest of the request to the primary.
        structure._state.adding, structure._state.db = False, service._state.db
        service.structure = structure
        service.distance_km = hit.distance_km
        service.on_site = hit.on_site
        loaded.append(service)
    return loaded


def page(search: Search, number: int, size: int) -> list[Service]:
    return load(search.hits((number - 1) * size, number * size), search.connection.alias)


def every(search: Search, batch: int = EXPORT_BATCH) -> Iterator[Service]:
    """Every result in order, read by large batches (exports)."""
    for start in range(0, search.count, batch):
        yield from load(search.hits(start, start + batch), search.connection.alias, LIST_SQL)

"""The services behind a search's hits, as lists of results show them (cards, exports, map).

Lists read only what they show, with one plain query per batch that keeps the hits' order, into light rows
(named tuples: building 140,000 model instances cost an export most of its time). The query checks publication
itself: the engine's columns may be a few seconds older than a curator's change, and a hidden record must never
show meanwhile.
"""

from collections import namedtuple
from collections.abc import Iterator

from django.db import connections

from core.rendering import EXCERPT_SOURCE_LENGTH
from services.engine import Hit, Search

SERVICE_FIELDS = (
    *("id", "nom", "source", "date_maj", "frais", "thematiques", "publics", "modes_accueil", "modes_mobilisation"),
    *("telephone", "courriel", "lien_mobilisation", "lien_source", "horaires_accueil"),
    *("adresse", "complement_adresse", "code_postal", "commune", "latitude", "longitude", "structure_id"),
)
STRUCTURE_FIELDS = ("nom", "telephone", "courriel", "horaires_accueil")
# A listed service: its fields, the start of its description (cards show an excerpt; exports leave it out: it is
# the heaviest column), its structure, and where the search put it.
ListedStructure = namedtuple("ListedStructure", ("id", *STRUCTURE_FIELDS))
ListedService = namedtuple(
    "ListedService", (*SERVICE_FIELDS, "description", "structure", "distance_km", "on_site"), defaults=(None,) * 4
)


def rows_sql(columns: str) -> str:
    """A query of ``columns`` (of services s and structures st) for a list of ids, published ones only, in the
    list's order (with the position in it, last)."""
    return (
        f"SELECT {columns}, h.position FROM unnest(%s::varchar[]) WITH ORDINALITY AS h (id, position)"
        " JOIN services_service AS s ON s.id = h.id JOIN structures_structure AS st ON st.id = s.structure_id"
        " WHERE s.is_published AND st.is_published ORDER BY h.position"
    )


def listed_sql(*, with_description: bool) -> str:
    description = f"left(s.description, {EXCERPT_SOURCE_LENGTH})" if with_description else "NULL"
    services = ", ".join(f"s.{name}" for name in SERVICE_FIELDS)
    return rows_sql(f"{services}, {description}, {', '.join(f'st.{name}' for name in STRUCTURE_FIELDS)}")


CARDS_SQL = listed_sql(with_description=True)
LIST_SQL = listed_sql(with_description=False)
BATCH = 20_000
SERVICE_COUNT = len(SERVICE_FIELDS)


def rows(hits: list[Hit], using: str, sql: str) -> Iterator[tuple[Hit, tuple]]:
    """The rows of the hits' published services (unpublished or deleted since the columns were made: left out),
    in their order, each with its hit."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [[hit.service_id for hit in hits]])
        for row in cursor.fetchall():
            yield hits[row[-1] - 1], row


def load(hits: list[Hit], using: str, sql: str = CARDS_SQL) -> list[ListedService]:
    listed = []
    for hit, row in rows(hits, using, sql):
        structure = ListedStructure(row[SERVICE_COUNT - 1], *row[SERVICE_COUNT + 1 : -1])
        listed.append(ListedService(*row[: SERVICE_COUNT + 1], structure, hit.distance_km, hit.on_site))
    return listed


def page(search: Search, number: int, size: int) -> list[ListedService]:
    return load(search.hits((number - 1) * size, number * size), search.connection.alias)


def every(search: Search, sql: str = LIST_SQL, batch: int = BATCH) -> Iterator:
    """Every result in order, read by large batches (exports): listed services, or (hit, row) of ``sql``."""
    for start in range(0, search.count, batch):
        hits = search.hits(start, start + batch)
        if sql == LIST_SQL:
            yield from load(hits, search.connection.alias, sql)
        else:
            yield from rows(hits, search.connection.alias, sql)

"""The text a service is found by: its own fields and the labels of its enum values."""

from data_inclusion.schema import v1

from structures.schema import enum_label
from structures.text import normalize

# The service fields its search document is made of.
DOCUMENT_FIELDS = ("nom", "description", "thematiques", "publics", "publics_precisions")


def search_document(
    *,
    nom: str,
    description: str | None,
    thematiques: list[str] | None,
    publics: list[str] | None,
    publics_precisions: str | None,
) -> str:
    """Normalised (accent-free, lower-case) text; the structure's name is added in SQL."""
    parts = [nom, description or "", publics_precisions or ""]
    parts += [enum_label(v1.Thematique, value) for value in thematiques or []]
    parts += [enum_label(v1.Public, value) for value in publics or []]
    return normalize(" ".join(parts))


# SQL that (re)computes search vectors from the stored documents. Kept here so imports and
# curator edits use the same expression.
SEARCH_VECTOR_SQL = """
UPDATE services_service AS service
SET search_vector = to_tsvector('french', service.search_document || ' ' || structure.search_name)
FROM structures_structure AS structure
WHERE structure.id = service.structure_id AND {condition}
"""


def refresh_search_documents(*, service_ids=None, structure_ids=None) -> None:
    """Recompute search helpers of a few records saved outside an import (admin, tests).

    Imports compute them in bulk; this is the row-level path for a handful of records.
    """
    from django.db import connection

    from services.models import Service
    from services.search_index import refresh_search_entries
    from structures.models import Structure

    structures = list(Structure.objects.filter(pk__in=structure_ids or []).only("id", "nom"))
    for structure in structures:
        structure.search_name = normalize(structure.nom)
    Structure.objects.bulk_update(structures, ["search_name"])
    services = list(
        (
            Service.objects.filter(pk__in=service_ids or [])
            | Service.objects.filter(structure_id__in=structure_ids or [])
        ).only("id", *DOCUMENT_FIELDS)
    )
    for service in services:
        service.search_document = search_document(**{name: getattr(service, name) for name in DOCUMENT_FIELDS})
    Service.objects.bulk_update(services, ["search_document"])
    with connection.cursor() as cursor:
        cursor.execute(
            SEARCH_VECTOR_SQL.format(condition="(service.id = ANY(%s) OR service.structure_id = ANY(%s))"),
            [list(service_ids or []), list(structure_ids or [])],
        )
    refresh_search_entries(service_ids=service_ids, structure_ids=structure_ids)

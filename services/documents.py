"""The text a service is found by: its own fields and the labels of its enum values."""

from data_inclusion.schema import v1

from structures.schema import enum_label
from structures.text import normalize


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

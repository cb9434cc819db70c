"""What the import stages of each kind of record: the tables' columns, and the rows that worker processes make of
validated records (imports.parallel), copied into the stage (imports.pipeline)."""

from data_inclusion.schema import v1
from django.db import connection

from core.text import normalize
from imports import writer
from imports.validation import Batch, Examination
from services import lexemes, search_index
from services.models import Service
from structures.models import Structure

# A structure's score is its services' (services.search_index writes it).
STRUCTURES = writer.Table(Structure, v1.Structure.model_fields, ("source_hash", "raw_hash", "search_name"))
# Staged services also carry the lexemes of their search text, made by the workers (service_lexemes).
SERVICES = writer.Table(
    Service,
    v1.Service.model_fields,
    ("source_hash", "raw_hash", "score_qualite", "search_document"),
    stage_only=("text_hash", "lexemes"),
)


def structure_row(row: dict) -> tuple:
    """A validated structure's values in stage column order, with its search name (run in worker processes)."""
    row["search_name"] = normalize(row["nom"])
    return tuple(map(row.get, STRUCTURES.staged_columns))


def service_row(row: dict) -> list:
    """A validated service's values in stage column order, with its search text (run in worker processes); its
    lexemes come with its batch (service_lexemes)."""
    row["search_document"] = search_index.search_document(**{name: row[name] for name in search_index.DOCUMENT_FIELDS})
    return list(map(row.get, SERVICES.staged_columns))


_STRUCTURE_AT, _DOCUMENT_AT, _TEXT_HASH_AT, _LEXEMES_AT = map(
    SERVICES.staged_columns.index, ("structure_id", "search_document", "text_hash", "lexemes")
)


def service_lexemes(job: Examination, rows: list[list]) -> None:
    """The lexemes of a batch of services' search text (their words asked together), with the hash of that text, in
    worker processes, for services of structures staged by this run. services.search_index.refresh takes them where
    the hash is still the row's text's (not for a text a curator corrected), and asks PostgreSQL for the others."""
    lexicon = job.lexicon
    if lexicon is None:
        return
    names = job.structure_names
    texts = [
        None if (name := names.get(values[_STRUCTURE_AT])) is None else lexemes.search_text(values[_DOCUMENT_AT], name)
        for values in rows
    ]
    made = iter(lexicon.lexemes([text for text in texts if text is not None]))
    for values, text in zip(rows, texts, strict=True):
        if text is not None:
            values[_TEXT_HASH_AT] = lexemes.text_hash(text)
            values[_LEXEMES_AT] = next(made)


def staged_names(batch: Batch) -> dict[str, str]:
    """The search names of the structures this run staged, by id: what their services' lexemes are made with."""
    if not batch.written:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, search_name FROM {batch.stage}")
        return dict(cursor.fetchall())

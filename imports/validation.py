"""Turning raw upstream records into rows: official validation, change detection, scores.

A record is validated with the official pydantic model only when it is new or changed
(its hash differs from the stored one): a re-import of an unchanged file skips the work.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pydantic
from data_inclusion.schema import v1

from services.scoring import Scorer
from structures.schema import group_errors

REQUIRED_COLUMNS = {
    "structure": {"id", "source", "nom", "date_maj"},
    "service": {"id", "source", "structure_id", "nom", "description", "date_maj"},
}
SCHEMA_MODELS = {"structure": v1.Structure, "service": v1.Service}
SET_FIELDS = ("thematiques", "publics", "modes_accueil", "modes_mobilisation", "mobilisable_par", "reseaux_porteurs")
URL_FIELDS = {
    kind: tuple(name for name, info in model.model_fields.items() if "Url" in str(info.annotation))
    for kind, model in SCHEMA_MODELS.items()
}


@dataclass
class Rejection:
    kind: str
    record_id: str
    source: str
    field: str
    message: str


@dataclass
class Batch:
    """The outcome of preparing one kind of record."""

    kind: str
    rows: list = field(default_factory=list)  # new or changed, validated, as finish_row made them
    seen_ids: set[str] = field(default_factory=set)  # every valid id, changed or not
    rejected_ids: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0
    unchanged: int = 0
    duplicates_ignored: int = 0

    def reject(self, record_id: str, source: str, field_name: str, message: str) -> None:
        self.rejections.append(Rejection(self.kind, record_id, source, field_name, message))
        self.rejected_ids.add(record_id)


class MissingColumns(Exception):
    """The file does not have the schema's required columns: it is not the right file."""


def check_columns(kind: str, record: Mapping) -> None:
    missing = REQUIRED_COLUMNS[kind] - set(record)
    if missing:
        raise MissingColumns(f"Fichier des {kind}s : colonnes obligatoires absentes : {', '.join(sorted(missing))}.")


def record_hash(canonical: Mapping) -> str:
    payload = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.md5(payload, usedforsecurity=False).hexdigest()


def _text_id(value) -> str:
    return "" if value is None else str(value)


def prepare(
    kind: str,
    records: Iterable[Mapping],
    *,
    stored_hashes: Mapping[str, str],
    known_structure_ids: Callable[[str], bool] | None = None,
    finish_row: Callable[[dict], Any] = lambda row: row,
    sources: set[str] | None = None,
) -> Batch:
    """Validate new and changed records in one pass over ``records`` (which may stream).

    ``finish_row`` turns a row into what is kept (the pipeline keeps compact tuples in COPY
    column order: 140,000 dicts weigh a lot). Only records of ``sources`` are kept, if given.
    """
    schema_model = SCHEMA_MODELS[kind]
    fields = tuple(schema_model.model_fields)
    url_fields = URL_FIELDS[kind]
    batch = Batch(kind=kind)
    scorer = Scorer()
    # id -> (content hash, index in batch.rows or None), to tell duplicates apart.
    first_seen: dict[str, tuple[str, int | None]] = {}
    conflicting: set[str] = set()

    for record in records:
        if batch.read == 0:
            check_columns(kind, record)
        batch.read += 1
        source = _text_id(record.get("source"))
        if sources and source not in sources:
            batch.read -= 1
            continue
        batch.sources.add(source)
        record_id = _text_id(record.get("id"))
        if not record_id:
            batch.reject(record_id, source, "id", "Identifiant manquant.")
            continue
        canonical = {name: record.get(name) for name in fields}
        digest = record_hash(canonical)

        if record_id in first_seen:
            if first_seen[record_id][0] == digest:
                batch.duplicates_ignored += 1
            elif record_id not in conflicting:
                conflicting.add(record_id)
                _drop(batch, record_id, first_seen[record_id][1])
                batch.reject(
                    record_id,
                    source,
                    "id",
                    "Identifiant présent plusieurs fois dans le fichier avec des contenus différents.",
                )
            continue
        first_seen[record_id] = (digest, None)

        if kind == "service" and not known_structure_ids(_text_id(canonical["structure_id"])):
            batch.reject(
                record_id,
                source,
                "structure_id",
                f"Structure « {canonical['structure_id']} » inconnue ou rejetée.",
            )
            continue
        if stored_hashes.get(record_id) == digest:
            batch.unchanged += 1
            batch.seen_ids.add(record_id)
            continue
        try:
            validated = schema_model.model_validate(canonical)
        except pydantic.ValidationError as exc:
            for field_name, messages in group_errors(exc.errors(include_url=False)).items():
                for message in messages:
                    batch.reject(record_id, source, field_name, message)
            continue
        row = to_row(validated, canonical, url_fields)
        row["source_hash"] = digest
        if kind == "service":
            score = upstream_score(record)
            row["score_qualite"] = scorer.score(validated) if score is None else score
        first_seen[record_id] = (digest, len(batch.rows))
        batch.rows.append(finish_row(row))
        batch.seen_ids.add(record_id)
    batch.rows = [row for row in batch.rows if row is not None]
    return batch


def _drop(batch: Batch, record_id: str, row_index: int | None) -> None:
    """Forget the first copy of an id found again with other contents."""
    if record_id in batch.seen_ids:
        batch.seen_ids.discard(record_id)
        if row_index is None:
            batch.unchanged -= 1
        else:
            batch.rows[row_index] = None


def to_row(validated: pydantic.BaseModel, canonical: Mapping, url_fields: Iterable[str]) -> dict:
    """Values as validated (JSON types: enum values, ISO dates); sets sorted for a stable
    order; URLs as given upstream, since pydantic rewrites them (trailing slash…)."""
    row = validated.model_dump(mode="json")
    for name in SET_FIELDS:
        if row.get(name):
            row[name].sort()
    for name in url_fields:
        if row[name] is not None:
            row[name] = str(canonical[name]).strip()
    return row


def upstream_score(record: Mapping) -> float | None:
    """data·inclusion's own score when the file carries it (open-data exports do)."""
    value = record.get("score_qualite")
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if 0 <= score <= 1 else None

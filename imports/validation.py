"""Turning raw upstream records into rows: official validation, change detection, scores.

A record is validated with the official pydantic model only when it is new or changed
(its hash differs from the stored one): a re-import of an unchanged file skips the work.
"""

import datetime
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import orjson
import pydantic
from data_inclusion.schema import v1
from data_inclusion.schema.v1 import score_qualite as official_score

from structures.schema import group_errors

REQUIRED_COLUMNS = {
    "structure": {"id", "source", "nom", "date_maj"},
    "service": {"id", "source", "structure_id", "nom", "description", "date_maj"},
}
SCHEMA_MODELS = {"structure": v1.Structure, "service": v1.Service}


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
    rows: list[dict] = field(default_factory=list)  # new or changed, validated, normalised
    seen_ids: set[str] = field(default_factory=set)  # every valid id, changed or not
    rejected_ids: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0
    unchanged: int = 0
    duplicates_ignored: int = 0

    def reject(self, record_id: str, source: str, field_name: str, message: str) -> None:
        self.rejections.append(Rejection(self.kind, record_id, source, field_name, message))
        self.rejected_ids.add(record_id)


def missing_columns(kind: str, records: list[Mapping]) -> set[str]:
    if not records:
        return set()
    present = set().union(*(record.keys() for record in records[:100]))
    return REQUIRED_COLUMNS[kind] - present


def record_hash(canonical: Mapping) -> str:
    payload = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.md5(payload, usedforsecurity=False).hexdigest()


def _text_id(value) -> str:
    return "" if value is None else str(value)


def prepare(
    kind: str,
    records: list[Mapping],
    *,
    stored_hashes: Mapping[str, str],
    known_structure_ids: Callable[[str], bool] | None = None,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> Batch:
    schema_model = SCHEMA_MODELS[kind]
    fields = tuple(schema_model.model_fields)
    batch = Batch(kind=kind, read=len(records))

    by_id: dict[str, list[Mapping]] = {}
    for record in records:
        by_id.setdefault(_text_id(record.get("id")), []).append(record)

    for record in progress(records):
        record_id = _text_id(record.get("id"))
        source = _text_id(record.get("source"))
        copies = by_id[record_id]
        if len(copies) > 1:
            if record is not copies[0]:
                continue
            if any(copy != copies[0] for copy in copies[1:]):
                batch.reject(
                    record_id,
                    source,
                    "id",
                    f"Identifiant présent {len(copies)} fois dans le fichier avec des contenus différents.",
                )
                continue
            batch.duplicates_ignored += len(copies) - 1
        if not record_id:
            batch.reject(record_id, source, "id", "Identifiant manquant.")
            continue

        canonical = {name: record.get(name) for name in fields}
        digest = record_hash(canonical)
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
        row = to_row(validated, canonical, fields)
        row["source_hash"] = digest
        if kind == "service":
            score = upstream_score(record)
            row["score_qualite"] = official_score.score(validated)[0] if score is None else score
        batch.rows.append(row)
        batch.seen_ids.add(record_id)
    return batch


def to_row(validated: pydantic.BaseModel, canonical: Mapping, fields: Iterable[str]) -> dict:
    """Typed values from the validated model; URLs as given upstream (pydantic rewrites them)."""
    row = {}
    for name in fields:
        value = getattr(validated, name)
        if value is None:
            row[name] = None
        elif isinstance(value, set | frozenset):
            row[name] = sorted(item.value if isinstance(item, enum.Enum) else str(item) for item in value)
        elif isinstance(value, list):
            row[name] = [str(item) for item in value]
        elif isinstance(value, enum.Enum):
            row[name] = value.value
        elif isinstance(value, pydantic.AnyUrl):
            row[name] = str(canonical[name]).strip()
        elif isinstance(value, str | float | int | datetime.date):
            row[name] = value
        else:
            row[name] = str(value)
    return row


def upstream_score(record: Mapping) -> float | None:
    """data·inclusion's own score when the file carries it (open-data exports do)."""
    value = record.get("score_qualite")
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if 0 <= score <= 1 else None

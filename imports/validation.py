"""Turning upstream records into rows: normalisation, official validation, change detection, scores.

Every record is normalised (``imports.normalization``) and hashed; it is validated with the
official pydantic model only when it is new or changed (its hash differs from the stored one):
a re-import of an unchanged export skips the work, in whichever format it comes.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pydantic

from imports.normalization import SCHEMA_MODELS, SET_FIELDS, normalize
from services.scoring import Scorer
from structures.schema import group_errors

REQUIRED_COLUMNS = {
    "structure": {"id", "source", "nom", "date_maj"},
    "service": {"id", "source", "structure_id", "nom", "description", "date_maj"},
}
REQUIRED_FIELDS = {
    kind: frozenset(name for name, info in model.model_fields.items() if info.is_required())
    for kind, model in SCHEMA_MODELS.items()
}
# Fields that only the retired schema v0 has: a file holding them (and no v1 ``description``)
# is a v0 export, refused whole rather than half-read.
V0_FIELDS = (
    "presentation_resume",
    "presentation_detail",
    "zone_diffusion_code",
    "zone_diffusion_type",
    "horaires_ouverture",
    "labels_nationaux",
    "modes_orientation_beneficiaire",
    "typologie",
    "profils",
)
SCORE_DECIMALS = 2  # as data·inclusion gives its scores: 0.9000000000000001 is 0.9
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
    provided: bool = True  # False: no file (or API resource) of this kind in the run
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
    v0_fields = [name for name in V0_FIELDS if name in record]
    if v0_fields and "description" not in record:
        raise MissingColumns(
            f"Fichier des {kind}s au format du schéma data·inclusion v0 (champs {', '.join(v0_fields[:3])}…) : "
            "ce format n'est plus publié ni accepté, rien n'a été importé. Utilisez l'export au schéma v1 "
            f"({kind}-inclusion-AAAA-MM-JJ.json, .csv ou .parquet sur data.gouv.fr) ou l'API /api/v1 de "
            "data·inclusion."
        )
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
    rejected_structure_ids: frozenset[str] = frozenset(),
    finish_row: Callable[[dict], Any] = lambda row: row,
    sources: set[str] | None = None,
) -> Batch:
    """Validate new and changed records in one pass over ``records`` (which may stream).

    ``finish_row`` turns a row into what is kept (the pipeline keeps compact tuples in COPY
    column order: 140,000 dicts weigh a lot). Only records of ``sources`` are kept, if given.
    A service is kept when its structure is known (valid in this run or stored by an earlier
    import); ``rejected_structure_ids`` only words the reason of those that are not.
    """
    schema_model = SCHEMA_MODELS[kind]
    required = REQUIRED_FIELDS[kind]
    url_fields = URL_FIELDS[kind]
    batch = Batch(kind=kind)
    scorer = Scorer()
    # id -> (content hash, index in batch.rows or None), to tell duplicates apart.
    first_seen: dict[str, tuple[str, int | None]] = {}
    conflicting: set[str] = set()

    for index, record in enumerate(records):
        if index == 0:
            check_columns(kind, record)
        canonical = normalize(kind, record)
        source = _text_id(canonical["source"])
        if sources and source not in sources:
            continue
        batch.read += 1
        batch.sources.add(source)
        record_id = _text_id(canonical["id"])
        if not record_id:
            batch.reject(record_id, source, "id", "Identifiant manquant.")
            continue
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

        if kind == "service" and not known_structure_ids(structure_id := _text_id(canonical["structure_id"])):
            reason = "rejetée dans cet import" if structure_id in rejected_structure_ids else "absente du fichier"
            batch.reject(
                record_id,
                source,
                "structure_id",
                f"Structure « {structure_id} » {reason} et inconnue des imports précédents.",
            )
            continue
        if stored_hashes.get(record_id) == digest:
            batch.unchanged += 1
            batch.seen_ids.add(record_id)
            continue
        try:
            validated = schema_model.model_validate(canonical)
        except pydantic.ValidationError as exc:
            errors = _required_as_missing(exc.errors(include_url=False), required)
            for field_name, messages in group_errors(errors).items():
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


def _required_as_missing(errors: list[dict], required: frozenset[str]) -> list[dict]:
    """A required field that is empty (null, blank) is reported as missing ("obligatoire"),
    not as a value of the wrong type: normalisation turned the empty value into None."""

    def missing(error: dict) -> bool:
        return error.get("input") is None and bool(error["loc"]) and error["loc"][0] in required

    return [{**error, "type": "missing"} if missing(error) else error for error in errors]


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
        score = round(float(value), SCORE_DECIMALS)
    except (TypeError, ValueError):
        return None
    return score if 0 <= score <= 1 else None


QUOTED_VALUE = re.compile(r"«[^»]*»")


def rejections_by_reason(rejections: Iterable[Rejection]) -> list[dict]:
    """Rejections grouped by reason, most frequent first: field and message, with the values
    quoted in messages (« … ») left out so that one reason is one line."""
    counts = Counter((rejection.field, QUOTED_VALUE.sub("« … »", rejection.message)) for rejection in rejections)
    return [
        {"champ": field_name, "motif": message, "nombre": count}
        for (field_name, message), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]

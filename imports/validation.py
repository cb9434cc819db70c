"""Turning upstream records into rows: normalisation, official validation, change detection, scores.

Two steps. ``examine`` is the work of one record, independent of the others, which imports.parallel spreads
over worker processes: the record is normalised (``imports.normalization``) and hashed, and validated with the
official pydantic model only when it is new or changed (its hash differs from the stored one), its row formatted
as a COPY line. ``prepare`` then decides on each examined record in the order read (duplicates, unknown
structures, rejections, counts). A record whose raw hash (the record as read) is the stored one skips even the
first step: a re-import of an unchanged export costs little more than reading it. An unchanged record in another
format (the same content, another raw form) is still recognised by its content hash.
"""

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import NamedTuple

import orjson
import pydantic
import pydantic.networks

from core.bulk import copy_line
from imports.normalization import SCHEMA_MODELS, SET_FIELDS, normalize, to_text
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
# Both hashes name the schema's version: after an upgrade of the official package, every record is validated
# (and written) again once, never skipped as unchanged under rules it was not checked against.
SCHEMA_VERSION = version("data-inclusion-schema")
CONTENT_HASH_SALT = f"data-inclusion-schema {SCHEMA_VERSION}|".encode()
# Raise it when a change of this code gives another row for the same record as read (normalisation, validation,
# score): every record is then examined again once, rather than skipped by its raw hash.
# 2: SHA-1 rather than MD5 (processors' SHA instructions: 2.3 times as fast), and a JSON record's bytes as the file
# holds them (imports.parallel).
RAW_HASH_VERSION = 2
RAW_HASH_SALT = {
    kind: f"{kind}|data-inclusion-schema {SCHEMA_VERSION}|{RAW_HASH_VERSION}|".encode() for kind in SCHEMA_MODELS
}
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
    """The outcome of preparing one kind of record. Rows to write went to the caller's writer as they came."""

    kind: str
    provided: bool = True  # False: no file (or API resource) of this kind in the run
    stage: str = ""  # the temporary table the rows were written to
    written: int = 0  # new or changed rows given to the writer
    dropped: set[str] = field(default_factory=set)  # ids given to the writer, then found again with other contents
    seen_ids: set[str] = field(default_factory=set)  # every valid id, changed or not
    rejected_ids: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    rejections: list[Rejection] = field(default_factory=list)
    # Unchanged records read in another form (another format): their new raw hash, for the next run's shortcut.
    raw_hashes: list[tuple[str, str]] = field(default_factory=list)
    read: int = 0
    unchanged: int = 0
    duplicates_ignored: int = 0

    def reject(self, record_id: str, source: str, field_name: str, message: str) -> None:
        self.rejections.append(Rejection(self.kind, record_id, source, field_name, message))
        self.rejected_ids.add(record_id)


class Examined(NamedTuple):
    """One record after the per-record work (imports.parallel runs it in worker processes): what prepare() decides
    on. ``line`` is the COPY line of the validated row, ``errors`` the (field, French message) pairs of an invalid
    record; both None when validation was not needed. What an earlier import stored of a record is what examining
    the same record again gives: its hashes (of its normalised content, and as read), id, source and structure."""

    record_id: str
    source: str
    structure_id: str
    content_hash: str
    raw_hash: str
    line: str | None = None
    errors: tuple[tuple[str, str], ...] | None = None


@dataclass
class Examination:
    """What the per-record work of one kind needs; set before the worker processes fork, which inherit it."""

    kind: str
    stored: Mapping[str, Examined]  # by id
    finish_row: Callable[[dict], list]  # a validated row -> its values in COPY column order
    # Values that the rows of a batch get together, before they are formatted (services' lexemes: their words asked
    # in one query): (this examination, the batch's values lists), changed in place.
    finish_rows: Callable[["Examination", list[list]], None] | None = None
    # Stored records by raw hash: a record read as bytes whose hash is there is that record, unchanged, unparsed.
    as_read: Mapping[str, Examined] = field(default_factory=dict)
    known_structure_ids: Callable[[str], bool] | None = None
    sources: set[str] | None = None
    scorer: Scorer = field(default_factory=Scorer)
    # Services: the search names of the structures this run staged, by id, and the lexicon their text's lexemes are
    # made with (services.lexemes.Lexicon; only in worker processes, where it has a connection of its own).
    structure_names: Mapping[str, str] = field(default_factory=dict)
    lexicon: object | None = None


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
    """The hash of a record's normalised content: the same in every format."""
    payload = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.md5(CONTENT_HASH_SALT + payload, usedforsecurity=False).hexdigest()


def raw_bytes(record: Mapping) -> bytes:
    """The record as read, as bytes: what raw_hash() takes, and what worker processes receive of a JSON record."""
    return orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS, default=str)


def raw_hash(kind: str, raw: bytes) -> str:
    """The hash of a record as read, before any normalisation: equal to the stored one, the record is the one an
    earlier run validated, and a re-import skips its normalisation and validation. Salted with what would make the
    same record give another row (the schema package's version, RAW_HASH_VERSION), so that a new schema or a new
    normalisation never skips a record. SHA-1, cut to the 128 bits of the column: it tells changes apart, it
    guards nothing, and it is the fastest of hashlib's where processors have SHA instructions (1.3 µs for a 1.6 kB
    record here, MD5 3 µs), for every record of every run."""
    return hashlib.sha1(RAW_HASH_SALT[kind] + raw, usedforsecurity=False).hexdigest()[:32]


# Addresses whose check by the official models is remembered during an import (see email_checks_remembered).
EMAIL_CHECKS_REMEMBERED = 200_000


@contextmanager
def email_checks_remembered() -> Iterator[None]:
    """The official models check e-mail addresses with pydantic's validate_email (email-validator, in Python): a
    third of the validation's time. The check depends on the address alone, and a national file repeats addresses
    (a structure's on each of its services, one network's on its branches: about half are repeats), so during an
    import each valid address is checked once; an invalid one raises, which is never remembered, and is checked
    each time. Every check is still the official one."""
    official = pydantic.networks.validate_email
    pydantic.networks.validate_email = functools.lru_cache(maxsize=EMAIL_CHECKS_REMEMBERED)(official)
    try:
        yield
    finally:
        pydantic.networks.validate_email = official


def _text_id(value) -> str:
    return "" if value is None else str(value)


def identify(record: Mapping, name: str) -> str:
    """An identifying field (id, source, structure_id) of a record as read, as normalisation would give it."""
    return _text_id(to_text(record.get(name)))


def examine(job: Examination, record: Mapping, raw_digest: str) -> Examined:
    """The per-record work: normalise, hash, and validate when prepare() will need it (a new or changed record of
    a wanted source, with an id, and for a service a known structure)."""
    canonical = normalize(job.kind, record)
    record_id, source = _text_id(canonical["id"]), _text_id(canonical["source"])
    structure_id = _text_id(canonical.get("structure_id"))
    digest = record_hash(canonical)
    examined = Examined(record_id, source, structure_id, digest, raw_digest)
    stored = job.stored.get(record_id)
    if (
        (job.sources and source not in job.sources)
        or not record_id
        or (job.kind == "service" and not job.known_structure_ids(structure_id))
        or (stored is not None and stored.content_hash == digest)
    ):
        return examined
    try:
        validated = SCHEMA_MODELS[job.kind].model_validate(canonical)
    except pydantic.ValidationError as exc:
        errors = _required_as_missing(exc.errors(include_url=False), REQUIRED_FIELDS[job.kind])
        grouped = group_errors(errors)
        return examined._replace(
            errors=tuple((name, message) for name, messages in grouped.items() for message in messages)
        )
    row = to_row(validated, canonical, URL_FIELDS[job.kind])
    row["source_hash"] = digest
    row["raw_hash"] = raw_digest
    if job.kind == "service":
        score = upstream_score(record)
        row["score_qualite"] = job.scorer.score(validated) if score is None else score
    return examined._replace(line=job.finish_row(row))  # its values: formatted() makes them a COPY line


def formatted(job: Examination, examined: list) -> list:
    """A batch of examinations (and of raw hashes, left as they are) as plain tuples, which prepare() reads alike,
    their rows' values made COPY lines; the values the batch gets together first (Examination.finish_rows)."""
    if job.finish_rows is not None:
        rows = [item[5] for item in examined if item.__class__ is not str and item[5] is not None]
        if rows:
            job.finish_rows(job, rows)
    return [
        item if item.__class__ is str else (*item[:5], None if item[5] is None else copy_line(item[5]), item[6])
        for item in examined
    ]


def prepare(
    kind: str,
    examined: Iterable[Examined],
    *,
    stored: Mapping[str, Examined],
    write_line: Callable[[str], None],
    known_structure_ids: Callable[[str], bool] | None = None,
    rejected_structure_ids: frozenset[str] = frozenset(),
    sources: set[str] | None = None,
) -> Batch:
    """Decide on each examined record, in the order read: count it, reject it, skip it as unchanged, or give its
    row to ``write_line``. Only records of ``sources`` are kept, if given. A service is kept when its structure is
    known (valid in this run or stored by an earlier import); ``rejected_structure_ids`` only words the reason of
    those that are not. An id found again with other contents is rejected, its first copy included (the caller
    removes the ids of ``Batch.dropped`` from what it wrote).
    """
    batch = Batch(kind=kind)
    # id -> (content hash, whether its row was written), to tell duplicates apart.
    first_seen: dict[str, tuple[str, bool]] = {}
    conflicting: set[str] = set()
    # Local names for what every record uses: this loop runs in the process that reads and writes, for every record
    # of a national re-import (240,000).
    add_source, add_seen, stored_record = batch.sources.add, batch.seen_ids.add, stored.get
    is_service = kind == "service"
    read = 0

    for item in examined:
        record_id, source, structure_id, digest, raw_digest, line, errors = item
        if sources and source not in sources:
            continue
        read += 1
        add_source(source)
        if not record_id:
            batch.reject(record_id, source, "id", "Identifiant manquant.")
            continue

        if record_id in first_seen:
            if first_seen[record_id][0] == digest:
                batch.duplicates_ignored += 1
            elif record_id not in conflicting:
                conflicting.add(record_id)
                _drop(batch, record_id, written=first_seen[record_id][1])
                batch.reject(
                    record_id,
                    source,
                    "id",
                    "Identifiant présent plusieurs fois dans le fichier avec des contenus différents.",
                )
            continue
        first_seen[record_id] = (digest, False)

        if is_service and not known_structure_ids(structure_id):
            reason = "rejetée dans cet import" if structure_id in rejected_structure_ids else "absente du fichier"
            batch.reject(
                record_id,
                source,
                "structure_id",
                f"Structure « {structure_id} » {reason} et inconnue des imports précédents.",
            )
            continue
        previous = stored_record(record_id)
        if previous is not None and previous.content_hash == digest:
            batch.unchanged += 1
            add_seen(record_id)
            if previous.raw_hash != raw_digest:
                batch.raw_hashes.append((record_id, raw_digest))
            continue
        if errors is not None:
            for field_name, message in errors:
                batch.reject(record_id, source, field_name, message)
            continue
        first_seen[record_id] = (digest, True)
        write_line(line)
        batch.written += 1
        add_seen(record_id)
    batch.read = read
    return batch


def _required_as_missing(errors: list[dict], required: frozenset[str]) -> list[dict]:
    """A required field that is empty (null, blank) is reported as missing ("obligatoire"),
    not as a value of the wrong type: normalisation turned the empty value into None."""

    def missing(error: dict) -> bool:
        return error.get("input") is None and bool(error["loc"]) and error["loc"][0] in required

    return [{**error, "type": "missing"} if missing(error) else error for error in errors]


def _drop(batch: Batch, record_id: str, *, written: bool) -> None:
    """Forget the first copy of an id found again with other contents."""
    if record_id in batch.seen_ids:
        batch.seen_ids.discard(record_id)
        if written:
            batch.written -= 1
            batch.dropped.add(record_id)
        else:
            batch.unchanged -= 1


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

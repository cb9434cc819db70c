"""The one writer of what is derived from structures and services: search text, quality scores, the search
index (SearchEntry), parsed opening hours, and the data version.

- Imports call ``refresh()`` once per run, over every row, after writing what they read.
- A record saved on its own (admin, shell, tests) reaches ``refresh(service_ids=…)`` through the signals of
  services.signals: one refresh per save, or one per request when the changes of a request are gathered with
  ``batch()`` (the admin's change form).
- Curators' bulk actions (hide, publish, duplicate decisions) call it for the rows they changed.

Each call bumps the data version once (core.data_version), in the caller's transaction: caches keyed on it and
the search engine's in-memory columns (services.columns) follow.
"""

import functools
import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pydantic
from data_inclusion.schema import v1
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.backends.postgresql.psycopg_any import NumericRange
from django.db.models import Q

from core import data_version
from core.text import normalize
from services import columns_store
from services.models import Service
from services.scoring import Scorer
from structures.models import OpeningHours, Structure
from structures.opening_hours import closed_on_public_holidays, open_on_public_holidays, weekly_intervals
from structures.schema import enum_label

# The service fields its search text is made of.
DOCUMENT_FIELDS = ("nom", "description", "thematiques", "publics", "publics_precisions")
# A service's French lexemes (PostgreSQL's dictionary), separated by spaces: its text and its structure's name.
LEXEMES_SQL = (
    "array_to_string(tsvector_to_array(to_tsvector('french', s.search_document || ' ' || st.search_name)), ' ')"
)
TEXT_HASH_SQL = "md5(s.search_document || ' ' || st.search_name)"
# A structure's score: the mean of its published services' scores taken on their decimal values, rounded half up
# to 2 decimals (PostgreSQL's round() of a numeric), 0 without services — as data·inclusion computes it.
STRUCTURE_SCORE_SQL = "coalesce(round(avg(sv.score_qualite::numeric), 2), 0)::float"
# A phone or an e-mail to reach the service: its own, else its structure's (as its page shows them).
HAS_CONTACT_SQL = (
    "coalesce(nullif(btrim(s.telephone), ''), nullif(btrim(s.courriel), ''),"
    " nullif(btrim(st.telephone), ''), nullif(btrim(st.courriel), '')) IS NOT NULL"
)
# Columns of an entry, copied from services (s) and structures (st).
ENTRY_COLUMNS = {
    "structure_id": "s.structure_id",
    "duplicate_group": "st.duplicate_group",
    "structure_score": "st.score_qualite",
    "structure_date": "st.date_maj",
    "structure_preferred": "st.preferred_in_group",
    "source": "s.source",
    "type": "s.type",
    "frais": "s.frais",
    "thematiques": "s.thematiques",
    "publics": "s.publics",
    "modes_accueil": "s.modes_accueil",
    "zone_eligibilite": "s.zone_eligibilite",
    "latitude": "s.latitude",
    "longitude": "s.longitude",
    "score_qualite": "s.score_qualite",
    "hours": "coalesce(nullif(btrim(s.horaires_accueil), ''), nullif(btrim(st.horaires_accueil), ''))",
    "text_hash": TEXT_HASH_SQL,
    "code_insee": "s.code_insee",
    "date_maj": "s.date_maj",
    "has_contact": HAS_CONTACT_SQL,
}


def search_document(
    *,
    nom: str,
    description: str | None,
    thematiques: list[str] | None,
    publics: list[str] | None,
    publics_precisions: str | None,
) -> str:
    """A service's normalised (accent-free, lower-case) text with the labels of its values; the structure's
    name is added by LEXEMES_SQL."""
    # Normalised part by part (the same words as the whole text normalised at once: every separator is a space),
    # so that the labels, the same few dozen for 140,000 services, are normalised once.
    words = [normalize(nom), normalize(description), normalize(publics_precisions)]
    words += [_label_words(v1.Thematique, value) for value in thematiques or []]
    words += [_label_words(v1.Public, value) for value in publics or []]
    return " ".join(filter(None, words))


@functools.cache
def _label_words(schema_enum, value: str) -> str:
    return normalize(enum_label(schema_enum, value))


def refresh(*, service_ids=None, structure_ids=None, rescore: bool = False, known_lexemes: str = "") -> int:
    """Make everything derived match the services and structures: all of them (no argument), or the services
    given and those of the structures given. ``rescore``: the services given are scored again with the official
    criteria (a curator's edit; a score that imports or code set is kept). ``known_lexemes``: a table of services'
    lexemes already made (id, text_hash, lexemes: an import's stage, see Lexicon), taken where the text hash is the
    row's. Returns the search index rows written."""
    full = service_ids is None and structure_ids is None
    service_ids, structure_ids = sorted(set(service_ids or ())), sorted(set(structure_ids or ()))
    with transaction.atomic():
        if full:
            # Imports write the text of what they read: left are corrected texts, and rows written without it.
            _write_structure_names(Structure.objects.filter(Q(curated_fields__contains=["nom"]) | Q(search_name="")))
            _write_documents(
                Service.objects.filter(Q(curated_fields__overlap=list(DOCUMENT_FIELDS)) | Q(search_document=""))
            )
        else:
            _write_structure_names(Structure.objects.filter(pk__in=structure_ids))
            _write_documents(Service.objects.filter(pk__in=service_ids))
            if rescore:
                _write_service_scores(Service.objects.filter(pk__in=service_ids))
            structure_ids = sorted(
                {*structure_ids, *Service.objects.filter(pk__in=service_ids).values_list("structure_id", flat=True)}
            )
        _write_structure_scores(None if full else structure_ids)
        written = _write_entries(None if full else (service_ids, structure_ids), known_lexemes)
        _index_opening_hours()
        data_version.bump()
    return written


def _write_structure_names(structures) -> None:
    changed = []
    for structure in structures.only("id", "nom", "search_name"):
        name = normalize(structure.nom)
        if name != structure.search_name:
            structure.search_name = name
            changed.append(structure)
    Structure.objects.bulk_update(changed, ["search_name"], batch_size=1000)


def _write_documents(services) -> None:
    changed = []
    for service in services.only("id", "search_document", *DOCUMENT_FIELDS):
        document = search_document(**{name: getattr(service, name) for name in DOCUMENT_FIELDS})
        if document != service.search_document:
            service.search_document = document
            changed.append(service)
    Service.objects.bulk_update(changed, ["search_document"], batch_size=1000)


def _write_service_scores(services) -> None:
    """score_qualite with the official criteria, for services edited here (imports take the file's, or score
    what they validate)."""
    scorer, changed = Scorer(), []
    for service in services:
        try:
            score = scorer.score(v1.Service.model_validate(service.schema_data()))
        except pydantic.ValidationError:
            continue  # an invalid record keeps its last score (the admin refuses to save one anyway)
        if score != service.score_qualite:
            service.score_qualite = score
            changed.append(service)
    Service.objects.bulk_update(changed, ["score_qualite"])


def _write_structure_scores(structure_ids: list[str] | None) -> None:
    scope = "" if structure_ids is None else "WHERE st.id = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH scores AS (
                SELECT st.id, {STRUCTURE_SCORE_SQL} AS score FROM structures_structure AS st
                LEFT JOIN services_service AS sv ON sv.structure_id = st.id AND sv.is_published
                {scope} GROUP BY st.id
            )
            UPDATE structures_structure AS st SET score_qualite = scores.score
            FROM scores WHERE scores.id = st.id AND st.score_qualite IS DISTINCT FROM scores.score
            """,
            [] if structure_ids is None else [structure_ids],
        )


def _write_entries(scope: tuple[list[str], list[str]] | None, known_lexemes: str = "") -> int:
    """The index rows of published services of published structures, rewritten only where they differ."""
    params: dict = {}
    lexemes, known_join = LEXEMES_SQL, ""
    if known_lexemes:
        # A row whose text hash differs (a curator's text, a structure name this run did not stage) or that has
        # none (examined in the import's own process) gets its lexemes from PostgreSQL as before.
        lexemes = f"coalesce(k.lexemes, {LEXEMES_SQL})"
        known_join = f"LEFT JOIN {known_lexemes} AS k ON k.id = s.id AND k.text_hash = {TEXT_HASH_SQL}"
    source_scope, entry_scope = "", "true"
    if scope is not None:
        params = {"services": scope[0], "structures": scope[1]}
        source_scope = "AND (s.id = ANY(%(services)s) OR s.structure_id = ANY(%(structures)s))"
        entry_scope = "(e.service_id = ANY(%(services)s) OR e.structure_id = ANY(%(structures)s))"
    names = list(ENTRY_COLUMNS)
    desired = ", ".join(f"{sql} AS {name}" for name, sql in ENTRY_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS desired_entries")
        # Lexemes are computed only for a new or changed text: the French dictionary is the costly part. One scan
        # gives every entry's columns and those lexemes: the statement reads no temporary table, so PostgreSQL may
        # spread it over several cores (CREATE TABLE AS takes parallel plans; the workers see this transaction's
        # writes). Measured on a national first import: 7.6 s for the lexemes alone, and 0.9 s for the other
        # columns in a second scan, with a primary key on each table to join them again. With the lexemes the
        # import's workers made (its stage: an unlogged table, which parallel workers read), 1.2 s in all.
        cursor.execute(
            f"""
            CREATE TEMP TABLE desired_entries ON COMMIT DROP AS
            SELECT s.id AS service_id, {desired},
                CASE WHEN e.text_hash IS DISTINCT FROM {TEXT_HASH_SQL} THEN {lexemes} END AS lexemes
            FROM services_service AS s JOIN structures_structure AS st ON st.id = s.structure_id
            LEFT JOIN services_searchentry AS e ON e.service_id = s.id {known_join}
            WHERE s.is_published AND st.is_published {source_scope}
            """,
            params,
        )
        cursor.execute("ALTER TABLE desired_entries ADD PRIMARY KEY (service_id)")
        cursor.execute(
            f"""
            DELETE FROM services_searchentry AS e WHERE {entry_scope}
            AND NOT EXISTS (SELECT 1 FROM desired_entries AS d WHERE d.service_id = e.service_id)
            """,
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE services_searchentry AS e
            SET {", ".join(f"{name} = d.{name}" for name in names)},
                lexemes = CASE WHEN e.text_hash = d.text_hash THEN e.lexemes ELSE d.lexemes END
            FROM desired_entries AS d
            WHERE d.service_id = e.service_id
              AND ({", ".join(f"d.{name}" for name in names)}) IS DISTINCT FROM ({", ".join(f"e.{n}" for n in names)})
            """
        )
        written += cursor.rowcount
        # In the order of the entries' key, its index is filled from one end (national first import: 1.3 → 0.95 s).
        cursor.execute(
            f"""
            INSERT INTO services_searchentry (service_id, {", ".join(names)}, lexemes)
            SELECT d.service_id, {", ".join(f"d.{name}" for name in names)}, d.lexemes
            FROM desired_entries AS d
            WHERE NOT EXISTS (SELECT 1 FROM services_searchentry AS e WHERE e.service_id = d.service_id)
            ORDER BY d.service_id
            """
        )
        written += cursor.rowcount
    return written


def hours_key(hours: str) -> str:
    """How the index names an hours string (md5, as PostgreSQL's md5() writes it)."""
    return hashlib.md5(hours.encode(), usedforsecurity=False).hexdigest()


def _ranges(intervals):
    return None if intervals is None else [NumericRange(start, end, "[)") for start, end in intervals]


def _index_opening_hours() -> None:
    """Parse the hours strings of the index not parsed yet (unparseable ones too, so they are not tried again:
    their weekly ranges are null)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT e.hours FROM services_searchentry AS e
            WHERE e.hours IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM structures_openinghours AS h WHERE h.key = md5(e.hours))
            """
        )
        missing = [row[0] for row in cursor.fetchall()]
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(
                key=hours_key(hours),
                hours=hours,
                weekly=_ranges(weekly_intervals(hours)),
                closed_on_public_holidays=bool(closed_on_public_holidays(hours)),
                public_holiday_ranges=_ranges(open_on_public_holidays(hours)),
            )
            for hours in missing
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


@dataclass
class Changes:
    """Records saved during a batch(), refreshed together at its end."""

    rescore: bool
    service_ids: set = field(default_factory=set)
    structure_ids: set = field(default_factory=set)


_batch: ContextVar[Changes | None] = ContextVar("search_index_batch", default=None)


@contextmanager
def batch(*, rescore: bool = False):
    """Gather the changes of the block (saves, deletions) into one refresh at its end, if it ends well."""
    if _batch.get() is not None:  # already gathering: the outer block refreshes
        yield
        return
    changes = Changes(rescore)
    token = _batch.set(changes)
    try:
        yield
    finally:
        _batch.reset(token)
    if changes.service_ids or changes.structure_ids:
        refresh(service_ids=changes.service_ids, structure_ids=changes.structure_ids, rescore=changes.rescore)
        _columns_after_commit()


def changed(*, service_ids=(), structure_ids=()) -> None:
    """Records were saved or deleted one by one: refresh now, or at the end of the current batch()."""
    changes = _batch.get()
    if changes is None:
        refresh(service_ids=service_ids, structure_ids=structure_ids)
        _columns_after_commit()
    else:
        changes.service_ids.update(service_ids)
        changes.structure_ids.update(structure_ids)


def _columns_after_commit() -> None:
    """Records changed one by one (a curator's save) show in searches within seconds: once committed, this process
    makes the search index's columns of the new version in the background, and the machine's other workers map
    them as soon as they are written (services.columns_store). Imports write them before they commit."""
    transaction.on_commit(lambda: columns_store.refresh_soon(DEFAULT_DB_ALIAS))

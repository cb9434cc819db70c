"""The data·inclusion import: read, validate, write, index — in one transaction.

Searches running meanwhile see the old data or the new, never a half-import: PostgreSQL's
MVCC gives readers the last committed state until the single COMMIT at the end.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from data_inclusion.schema import v1
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from imports import runs, writer
from imports.clusters import refresh_duplicate_groups
from imports.models import ImportRun, RejectedRecord
from imports.readers import UnreadableFile
from imports.validation import Batch, MissingColumns, prepare
from services import columns, data_version
from services.documents import DOCUMENT_FIELDS, SEARCH_VECTOR_SQL, search_document
from services.models import Service
from services.search_index import refresh_search_entries
from structures.models import Structure
from structures.text import normalize

STRUCTURES = writer.Table(Structure, v1.Structure.model_fields, ("source_hash", "search_name", "score_qualite"))
SERVICES = writer.Table(Service, v1.Service.model_fields, ("source_hash", "score_qualite", "search_document"))
BULK_MIN_ROWS = 1000  # below this, rebuilding indexes costs more than it saves
CHANGES = ("creees", "mises_a_jour", "republiees", "depubliees")


class ImportAborted(Exception):
    """The run cannot go on; the message is French and says why. Nothing was changed."""


class DryRunRollback(Exception):
    pass


@dataclass
class ImportResult:
    structures: Batch
    services: Batch
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    run: ImportRun | None = None
    sources: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        for label, key in (("Structures", "structures"), ("Services", "services")):
            c = self.counts[key]
            parts.append(
                f"{label} : {c['lues']} lues, {c['valides']} valides, {c['creees']} créées, "
                f"{c['mises_a_jour']} mises à jour, {c['inchangees']} inchangées, "
                f"{c['depubliees']} dépubliées, {c['republiees']} republiées, {c['rejetees']} rejetées"
            )
        return " ; ".join(parts) + "."


@contextmanager
def timed(timings: dict, phase: str):
    start = time.perf_counter()
    yield
    timings[phase] = round(timings.get(phase, 0) + time.perf_counter() - start, 3)


def timed_reading(records: Iterable, clock: dict) -> Iterator:
    """Iterate while adding the time spent producing records (parsing a streamed file)."""
    iterator = iter(records)
    while True:
        start = time.perf_counter()
        try:
            record = next(iterator)
        except StopIteration:
            clock["read"] += time.perf_counter() - start
            return
        clock["read"] += time.perf_counter() - start
        yield record


def run_import(
    *,
    structures: list[dict],
    services: list[dict],
    origin: str,
    sources: list[str] | None = None,
    full: bool = True,
    dry_run: bool = False,
    progress: Callable[[Iterable, str], Iterable] | None = None,
    timings: dict | None = None,
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import already-read records. Raises ImportAborted when the input is unusable.

    Records may stream (JSON files); lists are emptied once validated, to free memory. One import at a time:
    when another runs, this one waits for it (`wait`, said through `notify`) or raises runs.ImportBusy.
    """
    timings = timings if timings is not None else {}
    progress = progress or (lambda items, _label: items)
    runs.acquire(wait=wait, notify=notify)
    run = None
    try:
        if not dry_run:
            run = runs.start(origin=origin, sources=sorted(sources or []), full=full)
        with transaction.atomic():
            try:
                result = _import_in_transaction(structures, services, sources, full, progress, timings)
            except (UnreadableFile, MissingColumns) as exc:
                raise ImportAborted(str(exc)) from exc
            result.timings = timings
            if dry_run:
                raise DryRunRollback
            _record(run, result)
            result.run = run
    except DryRunRollback:
        return result
    except Exception as exc:
        if run is not None:
            run.status = ImportRun.Status.FAILED
            run.finished_at = timezone.now()
            run.message = str(exc)[:2000]
            run.timings = timings
            run.save(update_fields=["status", "finished_at", "message", "timings"])
        raise
    finally:
        runs.release()
    return result


def _import_in_transaction(structures, services, only_sources, full, progress, timings) -> ImportResult:
    wanted = set(only_sources or [])
    with connection.cursor() as cursor:
        # Bulk writes: GIN indexes buffer new entries in a pending list that is merged with
        # work_mem; the defaults (4 MB) make a national first import several times slower.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL gin_pending_list_limit = '32MB'")
        # A national import has statements of several seconds: never cut by the web's statement timeout.
        cursor.execute("SET LOCAL statement_timeout = 0")
    version_before = data_version.current()

    def structure_row(row: dict) -> tuple:
        row["search_name"] = normalize(row["nom"])
        row["score_qualite"] = None  # set by _score_structures once the services are read
        return tuple(row.get(column) for column in STRUCTURES.staged_columns)

    def service_row(row: dict) -> tuple:
        row["search_document"] = search_document(**{name: row[name] for name in DOCUMENT_FIELDS})
        return tuple(row.get(column) for column in SERVICES.staged_columns)

    clock = {"read": 0.0}
    with timed(timings, "validate"):
        structure_hashes = writer.stored_hashes(STRUCTURES)
        structure_batch = prepare(
            "structure",
            timed_reading(progress(structures, "Structures"), clock),
            stored_hashes=structure_hashes,
            finish_row=structure_row,
            sources=wanted,
        )
        _release(structures)
        known_structures = structure_batch.seen_ids | (writer.all_ids(STRUCTURES) - structure_batch.rejected_ids)
        service_hashes = writer.stored_hashes(SERVICES)
        service_batch = prepare(
            "service",
            timed_reading(progress(services, "Services"), clock),
            stored_hashes=service_hashes,
            known_structure_ids=known_structures.__contains__,
            finish_row=service_row,
            sources=wanted,
        )
        _release(services)
    # Streamed files are parsed during validation: report the parsing as reading.
    timings["read"] = round(timings.get("read", 0) + clock["read"], 3)
    timings["validate"] = round(timings["validate"] - clock["read"], 3)
    # A full import is full for the sources it names and the sources its files contain.
    sources = sorted(wanted | structure_batch.sources | service_batch.sources)

    counts = {}
    with timed(timings, "write"):
        _score_structures(structure_batch, service_batch)
        bulk_structures = _bulk(structure_batch, len(structure_hashes))
        bulk_services = _bulk(service_batch, len(service_hashes))
        counts["structures"], renamed = _write_structures(
            structure_batch, sources, full, bulk_structures, had_rows=bool(structure_hashes)
        )
        counts["services"] = _write_services(
            service_batch, sources, full, bulk_services, had_rows=bool(service_hashes)
        )

    with timed(timings, "index"):
        if renamed:
            ids_table = writer.stage_ids("renamed", renamed)
            with connection.cursor() as cursor:
                cursor.execute(SEARCH_VECTOR_SQL.format(condition=f"structure.id IN (SELECT id FROM {ids_table})"))
        writer.refresh_structure_scores()
        counts["structures"]["groupes_de_doublons_modifies"] = refresh_duplicate_groups()
        counts["services"]["index_de_recherche_modifie"] = refresh_search_entries()
        analysed = {STRUCTURES.name: bulk_structures, SERVICES.name: bulk_services}
        writer.refresh_planner_statistics(
            [table for table, done in analysed.items() if not done] + ["services_searchentry"]
        )
        if any(counts[kind][change] for kind in ("structures", "services") for change in CHANGES):
            data_version.bump()  # what pages show changed (names, descriptions…), not only the index
    if data_version.current() != version_before:
        with timed(timings, "columns"):
            # The search engine's columns of the new version, written for the web workers of this machine
            # before the commit: they map them at once instead of copying the index again meanwhile.
            prepare_columns()
    return ImportResult(structures=structure_batch, services=service_batch, counts=counts, sources=sources)


def _release(records) -> None:
    """Free the raw records of an in-memory list (CSV, Parquet, API) once validated."""
    if isinstance(records, list):
        records.clear()


def _base_counts(batch: Batch) -> dict:
    return {
        "lues": batch.read,
        "valides": len(batch.seen_ids),
        "inchangees": batch.unchanged,
        "rejetees": len(batch.rejected_ids),
        "doublons_identiques_ignores": batch.duplicates_ignored,
    }


def _bulk(batch: Batch, existing: int) -> bool:
    """More rows to write than the table holds: a first load, worth rebuilding indexes."""
    return len(batch.rows) > max(existing, BULK_MIN_ROWS)


def _score_structures(structures: Batch, services: Batch) -> None:
    """A first estimate of each written structure's score from the services of this run, so
    that new structures are inserted with it rather than updated afterwards. The SQL refresh
    after the write stays the reference (it also sees services outside this run)."""
    service_columns = SERVICES.staged_columns
    structure_at, score_at = service_columns.index("structure_id"), service_columns.index("score_qualite")
    scores: dict[str, list[float]] = {}
    for row in services.rows:
        if row[score_at] is not None:
            scores.setdefault(row[structure_at], []).append(row[score_at])
    id_at, column_at = STRUCTURES.staged_columns.index("id"), STRUCTURES.staged_columns.index("score_qualite")
    for index, row in enumerate(structures.rows):
        values = scores.get(row[id_at])
        mean = Decimal(repr(sum(values) / len(values))) if values else Decimal(0)
        rounded = float(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # as PostgreSQL's round()
        structures.rows[index] = row[:column_at] + (rounded,) + row[column_at + 1 :]


def prepare_columns() -> None:
    if settings.SEARCH_ENGINE == "memory":
        columns.load(connection)


def _write_structures(batch: Batch, sources, full: bool, bulk: bool, had_rows: bool) -> tuple[dict, list[str]]:
    stage = writer.create_stage(STRUCTURES)
    writer.copy_rows(stage, STRUCTURES.staged_columns, batch.rows)
    batch.rows.clear()
    with writer.indexes_rebuilt_after(STRUCTURES.name, enabled=bulk):
        updated = writer.update_changed(
            STRUCTURES,
            stage,
            derived={
                "search_name": "CASE WHEN 'nom' = ANY(t.curated_fields) THEN t.search_name ELSE s.search_name END",
                "score_qualite": "s.score_qualite",
            },
        )
        created = writer.insert_new(
            STRUCTURES, stage, derived={"search_name": "s.search_name", "score_qualite": "s.score_qualite"}
        )
    counts = _finish(STRUCTURES, batch, sources, full, created, updated, had_rows=had_rows)
    return counts, [i for i, renamed in updated if renamed]


def _write_services(batch: Batch, sources, full: bool, bulk: bool, had_rows: bool) -> dict:
    stage = writer.create_stage(SERVICES)
    writer.copy_rows(stage, SERVICES.staged_columns, batch.rows)
    batch.rows.clear()
    curated_document = f"t.curated_fields && ARRAY{list(DOCUMENT_FIELDS)}::varchar[]"
    document = f"CASE WHEN {curated_document} THEN t.search_document ELSE s.search_document END"
    with writer.indexes_rebuilt_after(SERVICES.name, enabled=bulk):
        updated = writer.update_changed(
            SERVICES,
            stage,
            derived={
                "score_qualite": "s.score_qualite",
                "search_document": document,
                "search_vector": f"to_tsvector('french', {document} || ' ' || "
                "(SELECT search_name FROM structures_structure WHERE id = s.structure_id))",
            },
        )
        created = writer.insert_new(
            SERVICES,
            stage,
            derived={
                "score_qualite": "s.score_qualite",
                "search_document": "s.search_document",
                "search_vector": "to_tsvector('french', s.search_document || ' ' || st.search_name)",
            },
            joins="JOIN structures_structure AS st ON st.id = s.structure_id",
        )
    return _finish(SERVICES, batch, sources, full, created, updated, had_rows=had_rows)


def _finish(table, batch: Batch, sources, full, created, updated, *, had_rows: bool) -> dict:
    counts = _base_counts(batch)
    counts["creees"] = len(created)
    counts["mises_a_jour"] = len(updated)
    counts["republiees"] = counts["depubliees"] = 0
    if not had_rows:
        return counts  # a first load: nothing was there to republish or unpublish
    valid_ids = writer.stage_ids(f"valid_{table.name}", batch.seen_ids)
    counts["republiees"] = writer.republish(table, valid_ids)
    if full:
        # A record present upstream but rejected this time keeps its last valid version.
        present = writer.stage_ids(f"present_{table.name}", batch.seen_ids | batch.rejected_ids)
        counts["depubliees"] = writer.unpublish_absent(table, present, sources)
    return counts


def _record(run: ImportRun | None, result: ImportResult) -> None:
    if run is None:
        return
    run.status = ImportRun.Status.SUCCEEDED
    run.sources = result.sources
    run.finished_at = timezone.now()
    run.counts = result.counts
    run.timings = result.timings
    run.save(update_fields=["status", "sources", "finished_at", "counts", "timings"])
    RejectedRecord.objects.bulk_create(
        [
            RejectedRecord(
                run=run,
                kind=rejection.kind,
                record_id=rejection.record_id,
                source=rejection.source,
                field=rejection.field,
                message=rejection.message,
            )
            for batch in (result.structures, result.services)
            for rejection in batch.rejections
        ],
        batch_size=5000,
    )

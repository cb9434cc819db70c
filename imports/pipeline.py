"""The data·inclusion import: read, validate, write, index — in one transaction.

Searches running meanwhile see the old data or the new, never a half-import: PostgreSQL's
MVCC gives readers the last committed state until the single COMMIT at the end.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from data_inclusion.schema import v1
from django.db import connection, transaction
from django.utils import timezone

from core.bulk import copy_rows, indexes_rebuilt_after, refresh_planner_statistics, stage_ids
from core.text import normalize
from imports import runs, writer
from imports.clusters import refresh_duplicate_groups
from imports.models import ImportRun, RejectedRecord
from imports.readers import UnreadableFile
from imports.unpublishing import MassUnpublishing, Unpublishing, plan_unpublishing, refuse_mass_unpublishing
from imports.validation import Batch, MissingColumns, prepare, rejections_by_reason
from services import columns_store, search_index
from services.models import Service
from structures.models import Structure

# A structure's score is its services' (services.search_index writes it).
STRUCTURES = writer.Table(Structure, v1.Structure.model_fields, ("source_hash", "search_name"))
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
    notes: list[str] = field(default_factory=list)  # what the run chose not to do, and why

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
    structures: Iterable[dict] | None,
    services: Iterable[dict] | None,
    origin: str,
    sources: list[str] | None = None,
    full: bool = True,
    allow_mass_unpublish: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable, str], Iterable] | None = None,
    timings: dict | None = None,
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import already-read records. Raises ImportAborted when the input is unusable.

    ``None`` for a kind means that kind is not part of the run (no services file…): its
    records are left as they are, none unpublished. Records may stream (JSON files); lists are
    emptied once validated, to free memory. One import at a time: when another runs, this one
    waits for it (`wait`, said through `notify`) or raises runs.ImportBusy.
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
                result = _import_in_transaction(
                    structures, services, sources, full, allow_mass_unpublish, progress, timings, dry_run
                )
            except (UnreadableFile, MissingColumns, MassUnpublishing) as exc:
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


def _import_in_transaction(
    structures, services, only_sources, full, allow_mass, progress, timings, dry_run
) -> ImportResult:
    wanted = set(only_sources or [])
    with connection.cursor() as cursor:
        # Bulk writes: memory for the sorts of set-based statements and for building indexes again.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # A national import has statements of several seconds: never cut by the web's statement timeout.
        cursor.execute("SET LOCAL statement_timeout = 0")

    def structure_row(row: dict) -> tuple:
        row["search_name"] = normalize(row["nom"])
        return tuple(row.get(column) for column in STRUCTURES.staged_columns)

    def service_row(row: dict) -> tuple:
        row["search_document"] = search_index.search_document(
            **{name: row[name] for name in search_index.DOCUMENT_FIELDS}
        )
        return tuple(row.get(column) for column in SERVICES.staged_columns)

    clock = {"read": 0.0}
    with timed(timings, "validate"):
        structure_hashes = writer.stored_hashes(STRUCTURES)
        structure_batch = Batch("structure", provided=False)
        if structures is not None:
            structure_batch = prepare(
                "structure",
                timed_reading(progress(structures, "Structures"), clock),
                stored_hashes=structure_hashes,
                finish_row=structure_row,
                sources=wanted,
            )
            _release(structures)
        # A service whose structure was rejected this time stays attached to the structure's
        # last valid version when an earlier import stored it: no valid service is lost for it.
        known_structures = structure_batch.seen_ids | set(structure_hashes)
        service_hashes = writer.stored_hashes(SERVICES)
        service_batch = Batch("service", provided=False)
        if services is not None:
            service_batch = prepare(
                "service",
                timed_reading(progress(services, "Services"), clock),
                stored_hashes=service_hashes,
                known_structure_ids=known_structures.__contains__,
                rejected_structure_ids=frozenset(structure_batch.rejected_ids),
                finish_row=service_row,
                sources=wanted,
            )
            _release(services)
    # Streamed files are parsed during validation: report the parsing as reading.
    timings["read"] = round(timings.get("read", 0) + clock["read"], 3)
    timings["validate"] = round(timings["validate"] - clock["read"], 3)
    sources = sorted(wanted | structure_batch.sources | service_batch.sources)

    notes: list[str] = []
    absent = {
        STRUCTURES.name: plan_unpublishing(STRUCTURES, structure_batch, wanted, full, structure_hashes, notes),
        SERVICES.name: plan_unpublishing(SERVICES, service_batch, wanted, full, service_hashes, notes),
    }
    if not allow_mass:
        refuse_mass_unpublishing(absent)

    counts = {}
    with timed(timings, "write"):
        bulk_structures = _bulk(structure_batch, len(structure_hashes))
        bulk_services = _bulk(service_batch, len(service_hashes))
        counts["structures"] = _write_structures(
            structure_batch, absent[STRUCTURES.name], bulk_structures, had_rows=bool(structure_hashes)
        )
        counts["services"] = _write_services(
            service_batch, absent[SERVICES.name], bulk_services, had_rows=bool(service_hashes)
        )

    with timed(timings, "index"):
        groups = counts["structures"]["groupes_de_doublons_modifies"] = refresh_duplicate_groups()
        changed = groups or any(counts[kind][change] for kind in ("structures", "services") for change in CHANGES)
        counts["services"]["index_de_recherche_modifie"] = search_index.refresh() if changed else 0
        analysed = {STRUCTURES.name: bulk_structures, SERVICES.name: bulk_services}
        refresh_planner_statistics([table for table, done in analysed.items() if not done] + ["services_searchentry"])
    if changed and not dry_run:
        with timed(timings, "columns"):
            # The search engine's columns of the new version, written for the web workers of this machine
            # before the commit: they map them at once instead of copying the index again meanwhile.
            columns_store.load(connection)
    return ImportResult(
        structures=structure_batch, services=service_batch, counts=counts, sources=sources, notes=notes
    )


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
        "rejets_par_motif": rejections_by_reason(batch.rejections),
    }


def _bulk(batch: Batch, existing: int) -> bool:
    """More rows to write than the table holds: a first load, worth rebuilding indexes."""
    return len(batch.rows) > max(existing, BULK_MIN_ROWS)


def _write_structures(batch: Batch, unpublishing, bulk: bool, had_rows: bool) -> dict:
    # The search name of what the file says: services.search_index.refresh writes curated names.
    return _write(STRUCTURES, batch, unpublishing, bulk, had_rows, derived={"search_name": "s.search_name"})


def _write_services(batch: Batch, unpublishing, bulk: bool, had_rows: bool) -> dict:
    # The search text of what the file says: services.search_index.refresh writes curated texts.
    derived = {"score_qualite": "s.score_qualite", "search_document": "s.search_document"}
    return _write(SERVICES, batch, unpublishing, bulk, had_rows, derived=derived)


def _write(table, batch: Batch, unpublishing, bulk: bool, had_rows: bool, *, derived: dict) -> dict:
    stage = writer.create_stage(table)
    copy_rows(stage, table.staged_columns, batch.rows)
    batch.rows.clear()
    with indexes_rebuilt_after(table.name, enabled=bulk):
        updated = writer.update_changed(table, stage, derived=derived)
        created = writer.insert_new(table, stage, derived=derived)
    return _finish(table, batch, unpublishing, created, updated, had_rows=had_rows)


def _finish(table, batch: Batch, unpublishing: Unpublishing | None, created, updated, *, had_rows: bool) -> dict:
    counts = _base_counts(batch)
    counts["creees"] = len(created)
    counts["mises_a_jour"] = len(updated)
    counts["republiees"] = counts["depubliees"] = 0
    if not had_rows:
        return counts  # a first load: nothing was there to republish or unpublish
    valid_ids = stage_ids(f"valid_{table.name}", batch.seen_ids)
    counts["republiees"] = writer.republish(table, valid_ids)
    if unpublishing is not None:
        # A record present upstream but rejected this time keeps its last valid version.
        counts["depubliees"] = writer.unpublish_absent(table, unpublishing.present_ids, unpublishing.sources)
    return counts


def _record(run: ImportRun | None, result: ImportResult) -> None:
    if run is None:
        return
    run.status = ImportRun.Status.SUCCEEDED
    run.sources = result.sources
    run.finished_at = timezone.now()
    run.counts = result.counts
    run.timings = result.timings
    run.message = "\n".join(result.notes)
    run.save(update_fields=["status", "sources", "finished_at", "counts", "timings", "message"])
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

"""The data·inclusion import: read, validate, write, index — in one transaction.

Searches running meanwhile see the old data or the new, never a half-import: PostgreSQL's
MVCC gives readers the last committed state until the single COMMIT at the end.
"""

import gc
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from core.bulk import BULK_MIN_ROWS, analyse, copy_text, indexes_rebuilt_after, refresh_planner_statistics
from imports import columns_ahead, parallel, runs, writer
from imports.clusters import refresh_duplicate_groups
from imports.models import ImportRun, RejectedRecord
from imports.readers import UnreadableFile
from imports.stages import SERVICES, STRUCTURES, service_lexemes, service_row, staged_names, structure_row
from imports.unpublishing import MassUnpublishing, Unpublishing, plan_unpublishing, refuse_mass_unpublishing
from imports.validation import Batch, Examination, MissingColumns, prepare, rejections_by_reason
from services import search_index

# What the site's SQL filters, joins or sorts these tables on (pages, the admin's lists and filters, territories'
# record of changes): the only columns an import analyses (core.bulk.analyse says why).
QUERIED_COLUMNS = {
    STRUCTURES.name: (
        *("id", "source", "is_published", "unpublished_reason", "curated_fields", "nom", "siret", "duplicate_group"),
        *("code_insee", "code_postal", "score_qualite", "date_maj", "updated_at"),
    ),
    SERVICES.name: (
        *("id", "source", "structure_id", "is_published", "unpublished_reason", "curated_fields", "nom"),
        *("code_insee", "code_postal", "score_qualite", "date_maj", "created_at", "updated_at"),
    ),
    "services_searchentry": ("service_id", "structure_id", "source", "code_insee"),
}


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
def collections_paused():
    """Python's cyclic garbage collector paused for the run. The run holds hundreds of thousands of objects for its
    whole length (stored hashes, ids seen) and makes more as it reads, so each full collection walks them all, for
    garbage it hardly makes (records, rows and examinations hold no cycles). National unchanged re-import: 0.4 s of
    2.8 s in this process. The forked workers inherit the pause: measured neither faster nor larger."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def timed(timings: dict, phase: str):
    start = time.perf_counter()
    yield
    timings[phase] = round(timings.get(phase, 0) + time.perf_counter() - start, 3)


def run_import(
    *,
    structures: Iterable[dict] | None,
    services: Iterable[dict] | None,
    origin: str,
    sources: list[str] | None = None,
    full: bool = True,
    allow_mass_unpublish: bool = False,
    dry_run: bool = False,
    progress: Callable[[Iterable, str, Iterable], Iterable] | None = None,
    timings: dict | None = None,
    wait: bool = False,
    notify: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import already-read records. Raises ImportAborted when the input is unusable.

    ``progress(examined, label, records)`` may wrap the stream of examined records of a kind (a progress bar).

    ``None`` for a kind means that kind is not part of the run (no services file…): its
    records are left as they are, none unpublished. Records may stream (files): they are read as
    they are validated, on both cores (imports.parallel), and their rows copied meanwhile. One
    import at a time: when another runs, this one waits for it (`wait`, said through `notify`) or
    raises runs.ImportBusy.
    """
    timings = timings if timings is not None else {}
    progress = progress or (lambda items, _label, _records: items)
    runs.acquire(wait=wait, notify=notify)
    run = None
    try:
        if not dry_run:
            run = runs.start(origin=origin, sources=sorted(sources or []), full=full)
        with transaction.atomic(), collections_paused():
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

    clock = parallel.Clock()
    sent = {"seconds": 0.0}
    with timed(timings, "validate"):
        # Read once, before any COPY holds the connection: hashes, publication, sources of every stored record.
        stored = {STRUCTURES.name: writer.stored(STRUCTURES), SERVICES.name: writer.stored(SERVICES)}
        structure_batch = Batch("structure", provided=False)
        if structures is not None:
            structure_batch = _prepare(STRUCTURES, structures, stored, wanted, progress, clock, sent)
        # A service whose structure was rejected this time stays attached to the structure's
        # last valid version when an earlier import stored it: no valid service is lost for it.
        known_structures = structure_batch.seen_ids | set(stored[STRUCTURES.name].records)
        service_batch = Batch("service", provided=False)
        if services is not None:
            service_batch = _prepare(
                SERVICES,
                services,
                stored,
                wanted,
                progress,
                clock,
                sent,
                known_structure_ids=known_structures.__contains__,
                rejected_structure_ids=frozenset(structure_batch.rejected_ids),
                structure_names=staged_names(structure_batch),
            )
    # Streamed files are parsed, and rows sent, while records are validated: report them as reading and writing.
    timings["read"] = round(timings.get("read", 0) + clock.read, 3)
    timings["validate"] = round(timings["validate"] - clock.read - sent["seconds"], 3)
    timings["write"] = round(sent["seconds"], 3)
    sources = sorted(wanted | structure_batch.sources | service_batch.sources)

    notes: list[str] = []
    batches = {STRUCTURES.name: structure_batch, SERVICES.name: service_batch}
    absent = {
        table.name: plan_unpublishing(batches[table.name], wanted, full, stored[table.name], notes)
        for table in (STRUCTURES, SERVICES)
    }
    if not allow_mass:
        refuse_mass_unpublishing(absent)

    counts = {}
    # A first load of both tables: the structures get their scores as they are inserted (_first_scores).
    first_load = not (stored[STRUCTURES.name] or stored[SERVICES.name])
    services_stage = service_batch.stage if first_load else ""
    analysed = []  # tables whose indexes are built again, then analysed, at the end of the block
    with ExitStack() as columns_written, ExitStack() as rebuilt_at_the_end:
        with timed(timings, "write"):
            for table, key in ((STRUCTURES, "structures"), (SERVICES, "services")):
                batch = batches[table.name]
                # A first load: indexes are built once, after the derived data is written too (their scores…).
                if batch.written > max(len(stored[table.name]), BULK_MIN_ROWS):
                    # The services' key to their structures is checked once at the end when both tables are
                    # bulk-loaded (dropping it locks the structures too). The search index keeps its indexes and
                    # key: web workers that have no copy of it yet read it during the import.
                    rebuilt_at_the_end.enter_context(
                        indexes_rebuilt_after(
                            table.name,
                            enabled=True,
                            foreign_keys=STRUCTURES.name in analysed,
                            analysed=QUERIED_COLUMNS[table.name],
                        )
                    )
                    analysed.append(table.name)
                scores_from = services_stage if table is STRUCTURES else ""
                counts[key] = _write(table, batch, absent[table.name], stored[table.name], scores_from)
        with timed(timings, "index"):
            structures_written = counts["structures"]["creees"] + counts["structures"]["mises_a_jour"]
            # Clusters depend on structures' fields only: no structure written, no cluster changed.
            groups = refresh_duplicate_groups() if structures_written else 0
            counts["structures"]["groupes_de_doublons_modifies"] = groups
            changed = groups or any(counts[kind][change] for kind in ("structures", "services") for change in CHANGES)
            known_lexemes = service_batch.stage if service_batch.written else ""
            if known_lexemes:
                # What the search index's statement joins the stage on: without statistics, PostgreSQL plans it on
                # one core (national first import: 2.1 s, against 1.2 s on both cores).
                analyse(known_lexemes, ("id", "text_hash"))
            written = search_index.refresh(known_lexemes=known_lexemes) if changed else 0
            counts["services"]["index_de_recherche_modifie"] = written
            for batch in (structure_batch, service_batch):
                if batch.stage:
                    writer.drop_stage(batch.stage)
        if changed and not dry_run:
            with timed(timings, "columns"):
                # The search engine's columns of the new version, written for the web workers of this machine
                # before the commit: they map them at once instead of copying the index again meanwhile. Copied
                # now, built on the other core while PostgreSQL finishes the run below (imports.columns_ahead).
                columns_written.enter_context(columns_ahead.built_meanwhile(connection))
        with timed(timings, "index"):
            rebuilt_at_the_end.close()  # the first load's indexes, built once, counted in this phase
            if changed:  # nothing written, nothing to analyse
                tables = [STRUCTURES.name, SERVICES.name, "services_searchentry"]
                refresh_planner_statistics([table for table in tables if table not in analysed], QUERIED_COLUMNS)
        with timed(timings, "columns"):
            columns_written.close()
    return ImportResult(
        structures=structure_batch, services=service_batch, counts=counts, sources=sources, notes=notes
    )


def _prepare(table, records, stored, wanted, progress, clock, sent, structure_names=None, **service_checks) -> Batch:
    """Examine the records of one kind (both cores) while their rows are copied into the table's stage."""
    kind = "structure" if table is STRUCTURES else "service"
    job = Examination(
        kind,
        stored[table.name].records,
        structure_row if table is STRUCTURES else service_row,
        finish_rows=None if table is STRUCTURES else service_lexemes,
        known_structure_ids=service_checks.get("known_structure_ids"),
        sources=wanted or None,
        as_read=stored[table.name].as_read,
        structure_names=structure_names or {},
    )
    if getattr(records, "cuttable", False):
        examined = parallel.examined_pieces(job, records, clock)  # a JSON array: parsed by the workers
    else:
        send_bytes = bool(getattr(records, "json_native", False))
        examined = parallel.examined_records(job, records, clock, send_bytes=send_bytes)
    label = "Structures" if table is STRUCTURES else "Services"
    stage = writer.create_stage(table)
    with copy_text(stage, table.staged_columns) as buffer:
        batch = prepare(
            kind,
            progress(examined, label, records),
            stored=job.stored,
            write_line=buffer.write,
            sources=wanted,
            **service_checks,
        )
    sent["seconds"] += buffer.seconds
    writer.drop_staged(stage, batch.dropped)
    batch.stage = stage
    return batch


def _base_counts(batch: Batch) -> dict:
    return {
        "lues": batch.read,
        "valides": len(batch.seen_ids),
        "inchangees": batch.unchanged,
        "rejetees": len(batch.rejected_ids),
        "doublons_identiques_ignores": batch.duplicates_ignored,
        "rejets_par_motif": rejections_by_reason(batch.rejections),
    }


# What the import writes besides the file's fields: the search name and text of what the file says
# (services.search_index.refresh writes those of curated records), the score.
DERIVED = {
    STRUCTURES.name: {"search_name": "s.search_name"},
    SERVICES.name: {"score_qualite": "s.score_qualite", "search_document": "s.search_document"},
}


def _first_scores(services_stage: str) -> tuple[dict[str, str], str]:
    """The structures' scores as services.search_index.refresh computes them, for a first load of both tables:
    there every staged service becomes a published service of the structure it names, and no other service is
    stored. Written with the structures, rather than by refresh updating every row it just inserted (100,000
    structures: 1.4 s, against 0.6 s for refresh to find them right)."""
    scores = (
        f"LEFT JOIN (SELECT sv.structure_id, {search_index.STRUCTURE_SCORE_SQL} AS score FROM {services_stage} AS sv"
        " GROUP BY sv.structure_id) AS scores ON scores.structure_id = s.id"
    )
    return {"score_qualite": "coalesce(scores.score, 0)"}, scores


def _write(
    table, batch: Batch, unpublishing: Unpublishing | None, stored: writer.StoredTable, services_stage: str = ""
) -> dict:
    """Write one table's batch. ``services_stage``: the staged services of a first load of both tables, which give
    the structures their scores as they are inserted."""
    counts = _base_counts(batch)
    created = updated = []
    if batch.written:
        derived, join = DERIVED[table.name], ""
        if services_stage:
            scored, join = _first_scores(services_stage)
            derived = {**derived, **scored}
        updated = writer.update_changed(table, batch.stage, derived=DERIVED[table.name])
        created = writer.insert_new(table, batch.stage, derived=derived, join=join)
    writer.update_raw_hashes(table, batch.raw_hashes)
    counts["creees"] = len(created)
    counts["mises_a_jour"] = len(updated)
    counts["republiees"] = counts["depubliees"] = 0
    if not stored:
        return counts  # a first load: nothing was there to republish or unpublish
    counts["republiees"] = writer.republish(table, stored.removed & batch.seen_ids)
    if unpublishing is not None:
        counts["depubliees"] = writer.unpublish(table, unpublishing.absent_ids)
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

"""Both cores for an import: the per-record work (imports.validation.examine: normalise, hash, validate, format
the row) runs in worker processes while this process reads the file and sends the rows to PostgreSQL.

Records go to the workers in chunks, at most a few chunks ahead of the writer, so memory is bounded by the chunk
size, not by the file. Results come back in the order read: imports.validation.prepare decides on them exactly as
one process would. A JSON record travels as the bytes its raw hash is taken on (cheaper to send than a pickled
dict); a record whose raw hash is the stored one is not sent at all. A run of one chunk or less (tests, small
sources) stays in this process.

The workers are forked: they inherit the run's stored hashes and known structure ids without copying them, and
they never use the database. Each closes its copy of the database socket at once, so that when the import is
killed, PostgreSQL sees its client gone and rolls the transaction back without waiting for the workers (which end
when their parent's pipe closes).

Measured (30,000 national service rows into a staging table, one process): psycopg's write_row in text takes
0.68-0.84 s of Python CPU, in binary 0.31-0.37 s (and PostgreSQL parses binary faster: 0.7-0.8 s wall against
1.4-1.7 s), core.bulk.copy_line 0.56-0.61 s. write_row must run in the process that holds the connection, where
reading already takes a core; copy_line runs in the workers, and this process only joins and sends the lines.
Binary rows made in the workers would need psycopg's internal formatter: not done.
"""

import contextlib
import gc
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson
from django.db import connection

from imports.validation import (
    Examination,
    Examined,
    check_columns,
    email_checks_remembered,
    examine,
    identify,
    raw_bytes,
    raw_hash,
)

CHUNK_RECORDS = 1000
CHUNKS_AHEAD_PER_WORKER = 2
SMALL_WORK = 50  # records of a chunk below which starting the workers costs more than it saves

# The running kind's examination, inherited by the workers when they fork.
_job: Examination | None = None


@dataclass
class Clock:
    """Seconds this process spent reading records (parsing a streamed file)."""

    read: float = 0.0


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def _forget_database_socket() -> None:
    # Closing the inherited descriptor ends nothing for the parent (its own descriptor stays open); it only
    # stops this process from keeping the connection alive after the parent is gone.
    raw = connection.connection
    if raw is not None:
        with contextlib.suppress(OSError):
            os.close(raw.pgconn.socket)


def _examine_chunk(chunk: list[tuple[bytes | dict, str | None]]) -> list[Examined]:
    """Examine a chunk: (the record, or its JSON bytes; its raw hash, None when not taken yet) each."""
    job = _job
    examined = []
    for payload, digest in chunk:
        if isinstance(payload, bytes):
            record, digest = orjson.loads(payload), digest or raw_hash(job.kind, payload)
        else:
            record = payload
        examined.append(examine(job, record, digest))
    return examined


def _text(record: dict, name: str) -> str:
    # What identify() gives, inline for the common case (text): it runs for every record of a re-import.
    value = record.get(name)
    return value.strip() if value.__class__ is str else identify(record, name)


def _chunks(job: Examination, records: Iterable[dict], clock: Clock, send_bytes: bool) -> Iterator[tuple]:
    """(slots, work) per chunk read: slots holds the Examined of records the raw hash settles and None for the
    others, in order; work the (payload, raw hash) of those others."""
    iterator = iter(records)
    # JSON records have text keys and JSON values only: orjson's plain (fastest) form.
    as_bytes = orjson.dumps if send_bytes else raw_bytes
    kind, stored_records = job.kind, job.stored
    slots, work = [], []
    first = True
    while True:
        start = time.perf_counter()
        try:
            record = next(iterator)
        except StopIteration:
            clock.read += time.perf_counter() - start
            break
        clock.read += time.perf_counter() - start
        if first:
            check_columns(kind, record)
            first = False
        raw = as_bytes(record)
        record_id = _text(record, "id")
        stored = stored_records.get(record_id)
        # The raw hash of a JSON record never stored is taken by the worker, from the bytes it gets (a first
        # load: every record).
        digest = None if stored is None and send_bytes else raw_hash(kind, raw)
        if stored is not None and stored.raw_hash == digest:
            # The record an earlier run examined: its content hash is the stored one.
            structure_id = _text(record, "structure_id") if kind == "service" else ""
            slots.append(Examined(record_id, _text(record, "source"), structure_id, stored.content_hash, digest))
        else:
            slots.append(None)
            work.append((raw if send_bytes else record, digest))
        if len(slots) >= CHUNK_RECORDS:
            yield slots, work
            slots, work = [], []
    if slots:
        yield slots, work


class _Done:
    """The result of a chunk examined in this process, read like the pool's."""

    def __init__(self, value: list[Examined]):
        self.value = value

    def get(self) -> list[Examined]:
        return self.value


def examined_records(
    job: Examination, records: Iterable[dict], clock: Clock, *, send_bytes: bool
) -> Iterator[Examined]:
    """The records examined, in the order read, the work spread over worker processes. ``send_bytes``: the records
    come from JSON, and their raw bytes (orjson) give them back unchanged. The workers start with the first chunk
    of real work, unless it is small and the last (a small file, a re-import with a few changes)."""
    with email_checks_remembered():  # forked workers inherit it
        yield from _examined_records(job, records, clock, send_bytes)


def _examined_records(job: Examination, records: Iterable[dict], clock: Clock, send_bytes: bool) -> Iterator[Examined]:
    global _job
    _job = job
    workers = worker_count()
    pending: deque = deque()
    pool = None
    chunks = _chunks(job, records, clock, send_bytes)
    current = next(chunks, None)
    try:
        while current is not None:
            following = next(chunks, None)
            slots, work = current
            if not work:
                result = _Done([])
            elif pool is None and (len(work) < SMALL_WORK or (following is None and not pending)):
                result = _Done(_examine_chunk(work))
            else:
                if pool is None:
                    pool = _start_pool(workers)
                result = pool.apply_async(_examine_chunk, (work,))
            pending.append((slots, result))
            while len(pending) > workers * CHUNKS_AHEAD_PER_WORKER:
                yield from _collected(pending.popleft())
            current = following
        while pending:
            yield from _collected(pending.popleft())
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if pool is not None:
            pool.terminate()


def _start_pool(workers: int):
    # Objects alive now are never collected in the workers: frozen, their pages are not copied on write.
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_forget_database_socket)
    finally:
        gc.unfreeze()


def _collected(entry) -> Iterator[Examined]:
    slots, result = entry
    examined = iter(result.get())
    for slot in slots:
        yield next(examined) if slot is None else slot

"""Both cores for an import: the per-record work (imports.validation.examine: normalise, hash, validate, format
the row) runs in worker processes while this process reads the file and sends the rows to PostgreSQL.

Records go to the workers in chunks, at most a few chunks ahead of the writer, so memory is bounded by the chunk
size, not by the file. Results come back in the order read: imports.validation.prepare decides on them exactly as
one process would. A JSON record travels as the bytes its raw hash is taken on (cheaper to send than a pickled
dict); a record whose raw hash is the stored one is not sent at all. A run of one chunk or less (tests, small
sources) stays in this process.

The workers are forked: they inherit the run's stored hashes and known structure ids without copying them, and
they never use the import's connection. Each closes its copy of the database socket at once, so that when the
import is killed, PostgreSQL sees its client gone and rolls the transaction back without waiting for the workers
(which end when their parent's pipe closes). Workers of services open a connection of their own, outside the
import's transaction, only to ask PostgreSQL's French dictionary for the lexemes of words (imports.stages
.service_lexemes): it reads and writes no data.

A JSON array file is not even parsed here: this process cuts it into slices of bytes (imports.readers.JsonRecords
.pieces), and the workers parse them (orjson), hash each record as read, and skip or examine it. A slice cut at a
wrong place (inside a string) does not parse: it is joined to the next one and examined here.

Measured (30,000 national service rows into a staging table, one process): psycopg's write_row in text takes
0.68-0.84 s of Python CPU, in binary 0.31-0.37 s (and PostgreSQL parses binary faster: 0.7-0.8 s wall against
1.4-1.7 s), core.bulk.copy_line 0.56-0.61 s. write_row must run in the process that holds the connection, where
reading already takes a core; copy_line runs in the workers, and this process only joins and sends the lines.
Binary rows made in the workers would need psycopg's internal formatter: not done.
"""

import contextlib
import functools
import gc
import itertools
import multiprocessing
import multiprocessing.util
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson
from django.db import connection, connections

from imports.readers import UnreadableFile, parse_piece, record_bytes
from imports.validation import (
    Examination,
    Examined,
    check_columns,
    email_checks_remembered,
    examine,
    formatted,
    identify,
    raw_bytes,
    raw_hash,
)
from services.lexemes import Lexicon

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


def _worker_started() -> None:
    # Closing the inherited descriptor ends nothing for the parent (its own descriptor stays open); it only
    # stops this process from keeping the connection alive after the parent is gone.
    raw = connection.connection
    if raw is not None:
        with contextlib.suppress(OSError):
            os.close(raw.pgconn.socket)
    if _job.finish_rows is not None and _job.structure_names:
        # Services' lexemes are made here (services.lexemes.Lexicon), their words asked on a connection of
        # this process, outside the import's transaction; closed when the worker ends its work.
        _job.lexicon = Lexicon(functools.partial(connections.create_connection, connection.alias))
        multiprocessing.util.Finalize(_job.lexicon, _job.lexicon.close, exitpriority=10)


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
    return formatted(job, examined)


def _examine_piece(piece: bytes, first: bool, file_name: str) -> list[tuple | str] | None:
    """Examine the records of a slice of a JSON file (imports.readers.JsonRecords.pieces); None when the slice does
    not parse (the caller joins it to the next one). The raw hash is taken on each record's bytes as in the file: a
    record stored from the same bytes is not even parsed, and only its raw hash is sent back (the reading process
    has its stored examination: Examination.as_read)."""
    job = _job
    kind, as_read = job.kind, job.as_read
    examined = []
    for raw in record_bytes(piece, first=first):
        digest = raw_hash(kind, raw)
        if digest in as_read:
            examined.append(digest)
            continue
        try:
            record = orjson.loads(b"{" + raw + b"}")
        except orjson.JSONDecodeError:
            return _examine_parsed(piece, first, file_name)  # cut inside a string, or not JSON
        examined.append(_examine_json(job, record, digest, first, file_name))
        first = False
    return formatted(job, examined)


def _examine_parsed(piece: bytes, first: bool, file_name: str) -> list[Examined] | None:
    """Examine the records of a slice parsed whole, each hashed on its bytes as orjson writes it again."""
    records = parse_piece(piece, first=first)
    if records is None:
        return None
    job = _job
    examined = []
    for record in records:
        digest = raw_hash(job.kind, orjson.dumps(record)) if record.__class__ is dict else ""
        examined.append(_examine_json(job, record, digest, first, file_name))
        first = False
    return formatted(job, examined)


def _examine_json(job: Examination, record, digest: str, first: bool, file_name: str) -> Examined:
    if record.__class__ is not dict:
        raise UnreadableFile(f"{file_name} : un tableau JSON d'objets est attendu.")
    if first:
        check_columns(job.kind, record)
    return examine(job, record, digest)


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


def examined_pieces(job: Examination, records, clock: Clock) -> Iterator[Examined]:
    """The records of a JSON array file examined, in the order read: the workers parse its slices
    (``records.pieces()``) as well as examining their records. A file of one slice stays in this process."""
    with email_checks_remembered():  # forked workers inherit it
        yield from _examined_pieces(job, records, clock)


def _timed_next(iterator: Iterator, clock: Clock):
    start = time.perf_counter()
    try:
        return next(iterator, None)
    finally:
        clock.read += time.perf_counter() - start


def _examined_pieces(job: Examination, records, clock: Clock) -> Iterator[Examined]:
    global _job
    _job = job
    name = records.path.name
    pieces = iter(records.pieces())
    head = [piece for piece in (_timed_next(pieces, clock), _timed_next(pieces, clock)) if piece is not None]
    if len(head) < 2:  # a small file: starting the workers would cost more than they save
        pending = deque((piece, True, _Done(_examine_piece(piece, True, name))) for piece in head)
        while pending:
            yield from _collected_piece(pending, pieces, name, clock)
        return
    workers = worker_count()
    pending: deque = deque()  # (slice, whether it starts the array, its examination), in the order read
    pieces = itertools.chain(head, pieces)  # one iterator: a slice that does not parse takes the next ones from it
    pool = _start_pool(workers)
    try:
        first = True
        while (piece := _timed_next(pieces, clock)) is not None:
            pending.append((piece, first, pool.apply_async(_examine_piece, (piece, first, name))))
            first = False
            while len(pending) > workers * CHUNKS_AHEAD_PER_WORKER:
                yield from _collected_piece(pending, pieces, name, clock)
        while pending:
            yield from _collected_piece(pending, pieces, name, clock)
        pool.close()
        pool.join()
    finally:
        pool.terminate()


def _collected_piece(pending: deque, pieces: Iterator[bytes], name: str, clock: Clock) -> list:
    """The examination of the oldest pending slice, each unchanged record's stored one put back in place of its raw
    hash. A slice that did not parse is joined to the slices after it (their own examinations are dropped) until
    the whole parses, and examined here: the cut was inside a string or a nested object. Still unparsed at the end
    of the file, the file is not valid JSON."""
    piece, first, result = pending.popleft()
    examined = result.get()
    while examined is None:
        if pending:
            following = pending.popleft()[0]
        else:
            following = _timed_next(pieces, clock)
            if following is None:
                raise UnreadableFile(f"{name} : JSON invalide ou tronqué.")
        piece += following
        examined = _examine_piece(piece, first, name)
    as_read = _job.as_read
    return [as_read[item] if item.__class__ is str else item for item in examined]


def _start_pool(workers: int):
    # Objects alive now are never collected in the workers: frozen, their pages are not copied on write.
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started)
    finally:
        gc.unfreeze()


def _collected(entry) -> Iterator[Examined]:
    slots, result = entry
    examined = iter(result.get())
    for slot in slots:
        yield next(examined) if slot is None else slot

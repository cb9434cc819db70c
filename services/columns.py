"""The search index held in memory, column by column (numpy arrays).

A search at national scale looks at tens of thousands of index rows (a big city's on-site
services within 50 km, plus the national remote tail), then counts the values of seven facets
over them. PostgreSQL does that in 100-300 ms; numpy over columns already in memory does it in
a few milliseconds. The columns are a copy of ``services_searchentry`` labelled with the data
version (services.data_version) read before copying it: when the version in the database
differs, the copy is made again (COPY … TO STDOUT parsed by pyarrow, then encoded: a few
seconds for the national set, once per machine: services.columns_files shares it between the
workers). The rules of the contract are applied to them in services.memory_search.

Multi-valued columns (thématiques, publics…) are matrices of value codes, one row per service,
padded with -1; ``values[column]`` lists the values (code = position), ``vocabulary[column]``
maps them back to codes. Zone codes and the words of the text (lexemes) are also kept as, per
value, the rows holding it.
"""

import io
import logging
import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connections
from pyarrow import csv

from services import columns_files, data_version

logger = logging.getLogger(__name__)

MULTI = ("thematiques", "categories", "publics", "modes_accueil", "zone_eligibilite")
SINGLE = ("source", "type", "frais", "hours_key")
NATIONAL_CODES = ("99100", "france")

COPY_SQL = """
    COPY (
        SELECT e.service_id, e.structure_id, e.duplicate_group, e.structure_preferred, e.structure_score,
            e.structure_date - DATE '2000-01-01', e.source, e.type, e.frais,
            array_to_string(e.thematiques, ' '), array_to_string(e.categories, ' '),
            array_to_string(e.publics, ' '), array_to_string(e.modes_accueil, ' '),
            array_to_string(e.zone_eligibilite, ' '), e.zone_eligibilite IS NULL, e.modes_accueil IS NULL,
            e.latitude, e.longitude, e.score_qualite, md5(e.hours),
            array_to_string(tsvector_to_array(e.search_vector), ' ')
        FROM services_searchentry AS e
    ) TO STDOUT WITH (FORMAT csv)
"""
CSV_COLUMNS = [
    "service_id",
    "structure_id",
    "duplicate_group",
    "structure_preferred",
    "structure_score",
    "structure_days",
    "source",
    "type",
    "frais",
    "thematiques",
    "categories",
    "publics",
    "modes_accueil",
    "zone_eligibilite",
    "zone_null",
    "modes_null",
    "latitude",
    "longitude",
    "score_qualite",
    "hours_key",
    "lexemes",
]
CSV_TYPES = {
    "structure_preferred": pa.bool_(),
    "structure_score": pa.float64(),
    "structure_days": pa.int32(),
    "zone_null": pa.bool_(),
    "modes_null": pa.bool_(),
    "latitude": pa.float64(),
    "longitude": pa.float64(),
    "score_qualite": pa.float64(),
    **{name: pa.string() for name in ("service_id", "structure_id", "duplicate_group", "lexemes", *SINGLE, *MULTI)},
}


class Columns:
    """The index as numpy arrays (``arrays``, by name) and the values behind their codes."""

    def __init__(self, version: int, arrays: dict[str, np.ndarray], values: dict[str, list[str]]):
        self.version = version
        self.arrays = arrays
        self.values = values
        self.size = len(arrays["latitude"])
        self.vocabulary = {name: {value: code for code, value in enumerate(known)} for name, known in values.items()}
        self.single = {name: arrays[f"single.{name}"] for name in SINGLE}
        self.multi = {name: arrays[f"multi.{name}"] for name in MULTI}
        self.modes = {value: arrays["modes"][:, code] for code, value in enumerate(values["modes_accueil"])}
        offsets, rows = arrays["zone_offsets"], arrays["zone_rows"]
        self.zone_rows = {
            value: rows[offsets[code] : offsets[code + 1]] for code, value in enumerate(values["zone_eligibilite"])
        }

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    def codes(self, column: str, values) -> np.ndarray:
        """The codes of the values known in the column (unknown values match nothing)."""
        vocabulary = self.vocabulary[column]
        return np.array([vocabulary[value] for value in values if value in vocabulary], dtype=np.int32)

    def service_ids(self, rows: np.ndarray) -> list[str]:
        data, offsets = self.arrays["id_bytes"], self.arrays["id_offsets"]
        return [bytes(data[offsets[row] : offsets[row + 1]]).decode() for row in rows]

    def rows_with_words(self, words: list[str]) -> np.ndarray:
        """Whether each row's text holds every word (lexemes of PostgreSQL's French dictionary)."""
        code = self.vocabulary["lexemes"]
        if not words or any(word not in code for word in words):
            return np.zeros(self.size, dtype=bool)
        offsets, rows = self.arrays["lexeme_offsets"], self.arrays["lexeme_rows"]
        held = np.zeros(self.size, dtype=np.int16)
        for word in set(words):
            held[rows[offsets[code[word]] : offsets[code[word] + 1]]] += 1
        return held == len(set(words))


def read_table(cursor) -> pa.Table:
    buffer = io.BytesIO()
    with cursor.copy(COPY_SQL) as copy:  # psycopg's COPY, through Django's cursor wrapper
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pa.table({name: pa.array([], type=CSV_TYPES[name]) for name in CSV_COLUMNS})
    buffer.seek(0)
    return csv.read_csv(
        buffer,
        read_options=csv.ReadOptions(column_names=CSV_COLUMNS),
        convert_options=csv.ConvertOptions(
            column_types=CSV_TYPES,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )


def encode_single(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, encoded.dictionary.to_pylist()


def encode_multi(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Space-separated values -> (rows x width) matrix of codes padded with -1."""
    lists = pc.split_pattern(column.fill_null(""), " ").combine_chunks()
    flat = lists.flatten()
    keep = pc.not_equal(flat, "")
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    keep_np = keep.to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(len(lengths)), lengths)[keep_np]
    encoded = pc.dictionary_encode(flat.filter(keep))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    counts = np.bincount(rows, minlength=len(lengths))
    width = max(int(counts.max(initial=0)), 1)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    slots = np.arange(len(rows)) - starts[rows]
    matrix = np.full((len(lengths), width), -1, dtype=np.int32)
    matrix[rows, slots] = codes
    return matrix, encoded.dictionary.to_pylist()


def byte_order_rank(column: pa.ChunkedArray) -> np.ndarray:
    """Rank of each value in byte order (as COLLATE "C" compares)."""
    order = pc.sort_indices(column.cast(pa.binary())).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def floats(table: pa.Table, name: str) -> np.ndarray:
    return table[name].to_numpy().astype(np.float64)  # nulls become NaN


def build(table: pa.Table, version: int) -> Columns:
    arrays, values = {}, {}
    id_rank = byte_order_rank(table["service_id"])
    score = floats(table, "score_qualite")
    for name in SINGLE:
        arrays[f"single.{name}"], values[name] = encode_single(table[name])
    for name in MULTI:
        arrays[f"multi.{name}"], values[name] = encode_multi(table[name])
    arrays["zone_offsets"], arrays["zone_rows"] = rows_by_value(
        arrays["multi.zone_eligibilite"], len(values["zone_eligibilite"])
    )
    national = table["zone_null"].to_numpy(zero_copy_only=False).astype(bool).copy()
    for code in NATIONAL_CODES:
        if code in values["zone_eligibilite"]:
            index = values["zone_eligibilite"].index(code)
            national[arrays["zone_rows"][arrays["zone_offsets"][index] : arrays["zone_offsets"][index + 1]]] = True
    arrays["duplicate_group"], values["duplicate_group"] = encode_single(table["duplicate_group"])
    arrays["lexeme_offsets"], arrays["lexeme_rows"], values["lexemes"] = postings(table["lexemes"])
    id_offsets, id_bytes = utf8_buffers(table["service_id"])
    arrays.update(
        id_rank=id_rank,
        id_bytes=id_bytes,
        id_offsets=id_offsets,
        latitude=floats(table, "latitude"),
        longitude=floats(table, "longitude"),
        score=score,
        remote_rank=rank_of(np.lexsort((id_rank, np.where(np.isnan(score), np.inf, -score)))),
        modes_null=table["modes_null"].to_numpy(zero_copy_only=False).astype(bool),
        modes=np.stack(
            [(arrays["multi.modes_accueil"] == code).any(axis=1) for code in range(len(values["modes_accueil"]))]
            or [np.zeros(table.num_rows, dtype=bool)],
            axis=1,
        ),
        national=national,
        structure_rank=structure_ranks(table),
    )
    return Columns(version, arrays, values)


def utf8_buffers(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The strings as one array of UTF-8 bytes and the offsets of each string in it."""
    strings = column.combine_chunks().cast(pa.large_string())
    if strings.offset:
        strings = pa.concat_arrays([strings])  # a zero-offset copy
    _, offsets, data = strings.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[: len(strings) + 1].copy()
    data = np.frombuffer(data, dtype=np.uint8).copy() if data is not None else np.empty(0, dtype=np.uint8)
    return offsets, data


def postings(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Space-separated words -> per distinct word, the rows holding it (offsets into one array)."""
    lists = pc.split_pattern(column.fill_null(""), " ").combine_chunks()
    lengths = pc.list_value_length(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = lists.flatten()
    keep = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(len(lengths)), lengths)[keep]
    encoded = pc.dictionary_encode(flat.filter(pa.array(keep)))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32)
    words = encoded.dictionary.to_pylist()
    order = np.argsort(codes, kind="stable")
    return np.searchsorted(codes[order], np.arange(len(words) + 1)), rows[order].astype(np.int32), words


def rows_by_value(matrix: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """For a padded matrix of codes: per code, the rows holding it (offsets into one array)."""
    filled = matrix >= 0
    rows = np.nonzero(filled)[0]
    codes = matrix[filled]
    order = np.argsort(codes, kind="stable")
    offsets = np.searchsorted(codes[order], np.arange(count + 1))
    return offsets, rows[order]


def rank_of(order: np.ndarray) -> np.ndarray:
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def structure_ranks(table: pa.Table) -> np.ndarray:
    """Per row, its structure's rank as a duplicate group's representative: the one a curator
    preferred, then the highest score, then the most recent date_maj, then the smallest id."""
    preferred = table["structure_preferred"].to_numpy(zero_copy_only=False).astype(bool)
    score = floats(table, "structure_score")
    days = table["structure_days"].to_numpy().astype(np.int64)
    structure_id_rank = byte_order_rank(table["structure_id"])
    order = np.lexsort((structure_id_rank, -days, np.where(np.isnan(score), np.inf, -score), ~preferred))
    # Rows of one structure share every key but the id rank of their own structure: rank the
    # structures, not the rows.
    sorted_ids = np.asarray(table["structure_id"].to_numpy(zero_copy_only=False))[order]
    new_structure = np.ones(len(order), dtype=bool)
    new_structure[1:] = sorted_ids[1:] != sorted_ids[:-1]
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.cumsum(new_structure) - 1
    return ranks


def load(connection) -> Columns:
    """The index of the current data version: from the files another worker of this machine
    wrote for it (services.columns_files), else copied from the database (labelled with the
    version read before the copy) and written for the others."""
    version = data_version.current(connection.alias)
    directory = columns_files.root()
    if not columns_files.usable(directory):
        return copy_from_database(connection, version)
    path = columns_files.folder(directory, columns_files.database_key(connection), version)
    # One worker copies while the others wait for its files (they answer with SQL meanwhile).
    with columns_files.building(path):
        found = columns_files.read(path)
        if found is not None:
            return Columns(version, *found)
        columns = copy_from_database(connection, version)
        columns_files.write(path, columns.arrays, columns.values)
    return columns


def copy_from_database(connection, version: int) -> Columns:
    with connection.cursor() as cursor:
        table = read_table(cursor)
    return build(table, version)


_loaded: dict[str, Columns] = {}
_loading: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def current(alias: str, *, wait: bool = True) -> Columns | None:
    """The columns of the index as database ``alias`` holds it now.

    When the data changed since they were copied (or were never copied), copy them again: at
    once (``wait``), or in a background thread, returning None meanwhile (the caller then asks
    the SQL engine: a worker never keeps a visitor waiting for a copy, nor answers with old data).
    """
    version = data_version.current(alias)
    columns = _loaded.get(alias)
    if columns is not None and columns.version == version:
        return columns
    if not wait:
        with _lock:
            if alias not in _loading:
                _loading[alias] = threading.Thread(target=_load_in_background, args=[alias], daemon=True)
                _loading[alias].start()
        return None
    with _lock:
        columns = _loaded.get(alias)
        if columns is None or columns.version != version:
            columns = _loaded[alias] = load(connections[alias])
    return columns


def _load_in_background(alias: str) -> None:
    try:
        columns = load(connections[alias])
        with _lock:
            _loaded[alias] = columns
    except Exception:
        logger.exception("Copying the search index into memory failed; searches use SQL until the next try.")
    finally:
        connections[alias].close()  # this thread's own connection
        with _lock:
            _loading.pop(alias, None)

"""The search index held in memory, column by column (numpy arrays).

A search at national scale looks at tens of thousands of index rows (a big city's on-site
services within 50 km, plus the national remote tail), then counts the values of the facets
over them: numpy over columns already in memory does it in a few milliseconds. The columns are a
copy of ``services_searchentry`` labelled with the data version (core.data_version) read before
copying it (COPY … TO STDOUT parsed by pyarrow, then encoded: once per machine and version,
services.columns_store shares it between the workers). When the data changes, a worker goes on
answering from the copy it has while the new one is made in the background: never a slow answer.
The rules of the contract are applied to them in services.engine.

Multi-valued columns (thématiques, publics…) are matrices of value codes, one row per service,
padded with -1; ``values[column]`` lists the values (code = position), ``vocabulary[column]``
maps them back to codes. Zone codes and the words of the text (lexemes) are also kept as, per
value, the rows holding it.
"""

import io
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv
from scipy import sparse

from services.search import ON_SITE, category_of

MULTI = ("thematiques", "publics", "modes_accueil", "zone_eligibilite")
SINGLE = ("source", "type", "frais", "hours_key", "code_insee")
NATIONAL_CODES = ("99100", "france")
# The days of a date_maj not indexed yet: older than any date.
DATE_UNKNOWN = np.iinfo(np.int32).min

COPY_SQL = """
    COPY (
        SELECT e.service_id, e.structure_id, e.duplicate_group, e.structure_preferred, e.structure_score,
            e.structure_date - DATE '2000-01-01', e.source, e.type, e.frais,
            array_to_string(e.thematiques, ' '), array_to_string(e.publics, ' '),
            array_to_string(e.modes_accueil, ' '),
            array_to_string(e.zone_eligibilite, ' '), e.zone_eligibilite IS NULL, e.modes_accueil IS NULL,
            e.latitude, e.longitude, e.score_qualite, md5(e.hours),
            e.lexemes,
            e.code_insee, e.date_maj - DATE '2000-01-01', e.has_contact
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
    "code_insee",
    "date_days",
    "has_contact",
]
CSV_TYPES = {
    "structure_preferred": pa.bool_(),
    "structure_score": pa.float64(),
    "structure_days": pa.int32(),
    "date_days": pa.int32(),
    "has_contact": pa.bool_(),
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
        self.matrices = {name: arrays[f"single.{name}"].reshape(-1, 1) for name in SINGLE}
        self.matrices.update({name: arrays[f"multi.{name}"] for name in (*MULTI, "categories")})
        self.modes = {value: arrays["modes"][:, code] for code, value in enumerate(values["modes_accueil"])}
        offsets, rows = arrays["zone_offsets"], arrays["zone_rows"]
        self.zone_rows = {
            value: rows[offsets[code] : offsets[code + 1]] for code, value in enumerate(values["zone_eligibilite"])
        }
        self.group_count = len(values["duplicate_group"])
        self.derived: dict = {}  # arrays made from the columns by a worker, as the searches need them

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    def matrix(self, column: str) -> np.ndarray:
        """The codes of a column's values, one row per service (one column for single values), -1 for none."""
        return self.matrices[column]

    def holding(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Per code of the column, the rows holding its value (offsets into one array): a filter marks the rows of
        the values chosen, then reads the mark at its rows (services.engine.has_any), rather than looking up each of
        its rows' values. Made once per worker and data version."""
        found = self.derived.get(("holding", column))
        if found is None:
            offsets, rows = rows_by_value(self.matrices[column], len(self.values[column]))
            found = self.derived[("holding", column)] = (offsets, rows.astype(np.int32))
        return found

    @cached_property
    def offered_on_site(self) -> np.ndarray:
        """Per row, whether the service is offered on site (en-presentiel, or modes unknown) at a known point: the
        contract's on-site services, the ones distances are measured to."""
        return (self.modes_null | self.has_mode(ON_SITE)) & ~np.isnan(self.latitude)

    @cached_property
    def by_latitude(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows ordered by latitude (those without a point last), and their latitudes and longitudes in that
        order (Columns.rows_in_box)."""
        order = np.argsort(self.latitude, kind="stable")
        return order, self.latitude[order], self.longitude[order]

    def rows_in_box(self, west: float, south: float, east: float, north: float) -> np.ndarray:
        """The rows whose point is in the box, bounds included, in index order. The box's band of latitudes is a
        slice of Columns.by_latitude: a search reads a band's longitudes, not every point's."""
        order, latitude, longitude = self.by_latitude
        band = slice(np.searchsorted(latitude, south, side="left"), np.searchsorted(latitude, north, side="right"))
        band_longitude = longitude[band]
        return np.sort(order[band][(band_longitude >= west) & (band_longitude <= east)])

    def eligible_for(self, codes) -> np.ndarray:
        """Per row, whether its eligibility zone (null or national, else its codes) admits one of ``codes``."""
        eligible = self.national.copy()
        for code in codes:
            rows = self.zone_rows.get(code)
            if rows is not None:
                eligible[rows] = True
        return eligible

    def has_mode(self, value: str) -> np.ndarray:
        """Per row, whether its modes_accueil include the value."""
        return self.modes.get(value, np.zeros(self.size, dtype=bool))

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


def copy_from_database(connection, version: int) -> "Columns":
    """The index as ``connection`` sees it, labelled with ``version`` (read before)."""
    with connection.cursor() as cursor:
        return build(read_table(cursor), version)


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
    arrays["multi.categories"], values["categories"] = categories_of(
        arrays["multi.thematiques"], values["thematiques"]
    )
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
        # Days since 2000-01-01 of the service's date_maj.
        date_days=table["date_days"].fill_null(DATE_UNKNOWN).to_numpy().astype(np.int32),
        has_contact=table["has_contact"].fill_null(False).to_numpy(zero_copy_only=False).astype(bool),
    )
    return Columns(version, arrays, values)


def categories_of(thematiques: np.ndarray, known: list[str]) -> tuple[np.ndarray, list[str]]:
    """The categories of each row's thématiques (a padded matrix of codes), for the needs' counts."""
    categories = sorted({category_of(value) for value in known})
    code = {category: index for index, category in enumerate(categories)}
    lookup = np.array([code[category_of(value)] for value in known] + [-1], dtype=np.int32)
    mapped = np.sort(lookup[thematiques], axis=1)  # -1 (index -1 of lookup) first, then the codes
    # One column per category a row may hold: duplicates (two thématiques of one category) become -1.
    repeated = np.zeros(mapped.shape, dtype=bool)
    repeated[:, 1:] = mapped[:, 1:] == mapped[:, :-1]
    mapped[repeated] = -1
    width = max(int((mapped >= 0).sum(axis=1).max(initial=0)), 1)
    return np.sort(mapped, axis=1)[:, ::-1][:, :width].copy(), categories


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
    # rows -> words to words -> rows: a sparse matrix transposed in C, a linear counting sort.
    by_row = sparse.csr_matrix(
        (
            np.ones(len(codes), dtype=np.int8),
            codes,
            np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(lengths))))),
        ),
        shape=(len(lengths), len(words)),
    )
    by_word = by_row.tocsc()
    return by_word.indptr.astype(np.int64), by_word.indices.astype(np.int32), words


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

"""Reading data·inclusion open-data files: JSON, Parquet and CSV, as data·inclusion publishes them.

data·inclusion writes its exports with pandas: ``structures-inclusion-YYYY-MM-DD.json``
(``to_json(orient="records")``), ``.csv`` (``to_csv``) and ``.parquet``, and likewise for
services. Every reader returns records keyed by column name with the values as the format holds
them; ``imports.normalization`` then turns them into one form. A file that cannot be read as a
whole raises ``UnreadableFile`` with a French message: the import then stops and changes nothing.

Every format streams: records are parsed as the import asks for them (JSON by ijson, CSV line by
line, Parquet by row groups of PARQUET_BATCH_ROWS), so memory is bounded by what the import holds
at once, not by the file. A file broken part-way raises UnreadableFile part-way, which the import
turns into a rollback. ``json_native``: the records are JSON values, which orjson gives back
unchanged (the import sends them to its worker processes as bytes).

A JSON array file also gives its records unparsed, as slices of its bytes (``JsonRecords.pieces``): the import's
worker processes parse them (``parse_piece``, orjson), so that the process reading the file only cuts it, and both
cores parse. Measured on the national services file (224 MB, 140,000 records): ijson takes 2.7 s of the reading
process, cutting 0.1 s.
"""

import csv
import gzip
import io
import itertools
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import ijson
import orjson

FORMATS = ("json", "parquet", "csv")
# When one export is in the folder in several formats, the typed and fastest one is read.
FORMAT_PREFERENCE = ("parquet", "json", "csv")
PUBLISHED_NAME = re.compile(r"^(structures|services)(?:-inclusion-(\d{4}-\d{2}-\d{2}))?\.(json|parquet|csv)(?:\.gz)?$")
CSV_DELIMITERS = (",", ";", "\t")


class UnreadableFile(Exception):
    pass


def detect_format(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix.lstrip(".") in FORMATS:
            return suffix.lstrip(".")
    raise UnreadableFile(f"{path.name} : format inconnu (attendu : .json, .parquet ou .csv).")


def read_records(path: Path) -> "Iterable[dict]":
    """The records of a file, streamed (a national file would take gigabytes of memory as Python
    objects); iterating may then raise UnreadableFile part-way, which the import turns into a
    rollback."""
    if not path.is_file():
        raise UnreadableFile(f"{path} : fichier introuvable.")
    fmt = detect_format(path)
    try:
        if fmt == "json":
            return read_json(path)
        if fmt == "parquet":
            return read_parquet(path)
        return read_csv(path)
    except UnreadableFile:
        raise
    # zlib.error: a gzip header followed by garbage (it is not an OSError).
    except (OSError, EOFError, zlib.error, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise UnreadableFile(f"{path.name} : fichier illisible ({exc}).") from exc


def _open_binary(path: Path):
    with path.open("rb") as handle:
        magic = handle.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else path.open("rb")


# A slice of a JSON array's records ends after a "}" that a comma and a "{" follow: the end of a record, unless
# that "}" is inside a string or closes an object nested in a record; the slice then does not parse (parse_piece).
PIECE_BYTES = 1 << 20
NEXT_RECORD = re.compile(rb"\s*,\s*\{")
RECORD_SEPARATOR = re.compile(rb"\}\s*,\s*\{")


class JsonRecords:
    """Records of a JSON array (or {"items": [...]}) file, parsed one at a time by ijson, or given as unparsed
    slices of the file (``pieces``, arrays only)."""

    json_native = True

    def __init__(self, path: Path):
        self.path = path
        self.size = path.stat().st_size
        with self._open() as handle:
            head = handle.read(4096).lstrip()
        if head[:1] == b"[":
            self.prefix = "item"
        elif head[:1] == b"{" and b'"items"' in head:
            self.prefix = "items.item"  # the API and some exports wrap the list
        else:
            raise UnreadableFile(f"{path.name} : un tableau JSON d'objets est attendu.")

    def _open(self):
        return _open_binary(self.path)

    def __iter__(self) -> Iterator[dict]:
        with self._open() as handle:
            try:
                for item in ijson.items(handle, self.prefix, use_float=True):
                    if not isinstance(item, dict):
                        raise UnreadableFile(f"{self.path.name} : un tableau JSON d'objets est attendu.")
                    yield item
            except (ijson.JSONError, EOFError, OSError, zlib.error) as exc:
                raise UnreadableFile(f"{self.path.name} : JSON invalide ou tronqué ({exc}).") from exc

    @property
    def cuttable(self) -> bool:
        return self.prefix == "item"

    def pieces(self) -> Iterator[bytes]:
        """The array's contents as consecutive slices of about PIECE_BYTES, unparsed, each cut after a "}" that a
        comma and a "{" follow (the comma starts the next slice). Joined, they are the file between its "[" and "]".
        A cut inside a string or a nested object gives slices that do not parse: parse_piece says so, and the
        caller joins such a slice to the next one."""
        broken = f"{self.path.name} : JSON invalide ou tronqué"
        try:
            with self._open() as handle:
                buffer = handle.read(PIECE_BYTES).lstrip()
                if buffer[:1] != b"[":
                    raise UnreadableFile(f"{self.path.name} : un tableau JSON d'objets est attendu.")
                buffer = buffer[1:]
                while block := handle.read(PIECE_BYTES):
                    buffer += block
                    cut = _last_record_end(buffer)
                    if cut:
                        yield buffer[:cut]
                        buffer = buffer[cut:]
        except (EOFError, OSError, zlib.error) as exc:
            raise UnreadableFile(f"{broken} ({exc}).") from exc
        rest = buffer.rstrip()
        if rest[-1:] != b"]":
            raise UnreadableFile(f"{broken} (pas de « ] » final).")
        if rest[:-1].strip():
            yield rest[:-1]

    @property
    def estimated_count(self) -> int | None:
        """For a progress bar's ETA: the file size over the size of the first records."""
        sample = list(itertools.islice(iter(self), 200))
        if not sample:
            return 0
        average = sum(len(orjson.dumps(record)) for record in sample) / len(sample)
        return int(self.size / average) if self.path.suffix != ".gz" else None


def _last_record_end(buffer: bytes) -> int:
    """The position after the last "}" of ``buffer`` that a comma and a "{" follow, or 0."""
    end = buffer.rfind(b"}")
    while end > 0:
        if NEXT_RECORD.match(buffer, end + 1):
            return end + 1
        end = buffer.rfind(b"}", 0, end)
    return 0


def _body(piece: bytes, first: bool) -> bytes:
    """A slice of JsonRecords.pieces without the comma that starts all but the first (``first``)."""
    body = piece.strip()
    return body if first else body[1:].lstrip()


def parse_piece(piece: bytes, *, first: bool) -> list | None:
    """The values of a slice of JsonRecords.pieces (or of consecutive slices joined), or None when it does not
    parse: cut at a wrong place, or the file is not valid JSON."""
    try:
        return orjson.loads(b"[" + _body(piece, first) + b"]")
    except orjson.JSONDecodeError:
        return None


def record_bytes(piece: bytes, *, first: bool) -> list[bytes]:
    """A slice of JsonRecords.pieces cut into its records' bytes as the file holds them, between their braces,
    unparsed: at each "}" that a comma and a "{" follow, written as the first such separator of the slice is (one
    writer wrote the file: a search of fixed bytes, not of a pattern, at C speed). A separator inside a string gives
    parts that are not records: the first of them ends inside that string and never parses, and the caller then
    parses the slice whole; so does a part that holds several records whose separator was written otherwise."""
    body = _body(piece, first)
    if not body:
        return []
    separator = RECORD_SEPARATOR.search(body)
    return body[1:-1].split(separator[0]) if separator else [body[1:-1]]


def read_json(path: Path) -> JsonRecords:
    return JsonRecords(path)


PARQUET_BATCH_ROWS = 5000


class ParquetRecords:
    """Records of a Parquet file, read by batches of rows (pyarrow's iter_batches)."""

    json_native = False  # dates, timestamps

    def __init__(self, path: Path):
        import pyarrow.lib
        import pyarrow.parquet

        self.path = path
        try:
            self.file = pyarrow.parquet.ParquetFile(path)
        except pyarrow.lib.ArrowException as exc:
            raise UnreadableFile(f"{path.name} : fichier Parquet illisible ({exc}).") from exc

    def __len__(self) -> int:
        return self.file.metadata.num_rows

    def __iter__(self) -> Iterator[dict]:
        import pyarrow.lib

        try:
            for batch in self.file.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                for record in batch.to_pylist():
                    for key, value in record.items():
                        # Parquet dates come back as date objects, which is what the schema wants;
                        # numpy-free lists come back as lists already.
                        if isinstance(value, tuple):
                            record[key] = list(value)
                    yield record
        except (pyarrow.lib.ArrowException, OSError) as exc:
            raise UnreadableFile(f"{self.path.name} : fichier Parquet illisible ({exc}).") from exc


def read_parquet(path: Path) -> ParquetRecords:
    return ParquetRecords(path)


class CsvRecords:
    """CSV as pandas' ``to_csv`` writes it: comma, ``"`` quotes doubled inside values, empty cell
    for null. The separator is the one the header line uses (``;`` and tab are accepted too):
    never guessed from a sample, where a quote met only later would break the parsing."""

    json_native = True  # text only

    def __init__(self, path: Path):
        self.path = path
        with self._open() as handle:
            header_line = handle.readline()
        self.delimiter = max(CSV_DELIMITERS, key=header_line.count)
        if not header_line.strip("\r\n"):
            raise UnreadableFile(f"{path.name} : fichier CSV vide.")

    def _open(self):
        return io.TextIOWrapper(_open_binary(self.path), encoding="utf-8-sig", newline="")

    def __iter__(self) -> Iterator[dict]:
        name = self.path.name
        first_line = 1
        try:
            with self._open() as handle:
                reader = csv.reader(handle, delimiter=self.delimiter, quotechar='"', doublequote=True)
                header = next(reader, None)
                if not header:
                    raise UnreadableFile(f"{name} : fichier CSV vide.")
                first_line = reader.line_num + 1  # a quoted value may hold line breaks: a row can span lines
                for row in reader:
                    if len(row) > len(header):
                        columns = f"plus de colonnes ({len(row)}) que l'en-tête ({len(header)})"
                        raise UnreadableFile(f"{name}, ligne {first_line} : {columns}.")
                    if row:
                        yield dict(zip(header, row, strict=False))
                    first_line = reader.line_num + 1
        except csv.Error as exc:
            raise UnreadableFile(f"{name}, ligne {first_line} : CSV illisible ({exc}).") from exc
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
            raise UnreadableFile(f"{name} : fichier illisible ({exc}).") from exc


def read_csv(path: Path) -> CsvRecords:
    return CsvRecords(path)


def find_published_file(folder: Path, kind: str) -> Path | None:
    """The file of ``kind`` ("structures" or "services") to read in a folder: the latest
    ``{kind}-inclusion-YYYY-MM-DD.*`` as data·inclusion names its exports, else ``{kind}.*``;
    in the format of FORMAT_PREFERENCE when the same export is there in several formats."""
    candidates = []
    for path in folder.iterdir():
        match = PUBLISHED_NAME.match(path.name.lower())
        if match and match[1] == kind and path.is_file():
            candidates.append((match[2] or "", FORMAT_PREFERENCE.index(match[3]), path.name, path))
    if not candidates:
        return None
    latest = max(candidate[0] for candidate in candidates)
    return min(candidate for candidate in candidates if candidate[0] == latest)[3]

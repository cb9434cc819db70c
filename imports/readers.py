"""Reading data·inclusion open-data files: JSON, Parquet and CSV.

Every reader returns a list of dicts keyed by schema field names, with list fields as lists
and missing values as None. A file that cannot be read as a whole raises ``UnreadableFile``
with a French message: the import then stops and changes nothing.

CSV list columns accept: a JSON array (``["a", "b"]``), a Python-style list (``['a', 'b']``),
a PostgreSQL array (``{a,b}`` or ``{"a b",c}``), or a single bare value (``a``).
Empty cells are null.
"""

import ast
import csv
import gzip
import io
import itertools
import json
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import ijson
import orjson

LIST_FIELDS = {
    "thematiques",
    "publics",
    "modes_accueil",
    "modes_mobilisation",
    "mobilisable_par",
    "zone_eligibilite",
    "reseaux_porteurs",
}
FORMATS = ("json", "parquet", "csv")


class UnreadableFile(Exception):
    pass


def detect_format(path: Path) -> str:
    suffixes = [suffix.lower() for suffix in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix.lstrip(".") in FORMATS:
            return suffix.lstrip(".")
    raise UnreadableFile(f"{path.name} : format inconnu (attendu : .json, .parquet ou .csv).")


def read_records(path: Path) -> "Iterable[dict]":
    """The records of a file. JSON is streamed (a national file would take gigabytes of
    memory as Python objects); iterating may then raise UnreadableFile part-way, which the
    import turns into a rollback."""
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


def _open_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw


class JsonRecords:
    """Records of a JSON array (or {"items": [...]}) file, parsed one at a time by ijson."""

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
        with self.path.open("rb") as handle:
            magic = handle.read(2)
        return gzip.open(self.path, "rb") if magic == b"\x1f\x8b" else self.path.open("rb")

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
    def estimated_count(self) -> int | None:
        """For a progress bar's ETA: the file size over the size of the first records."""
        sample = list(itertools.islice(iter(self), 200))
        if not sample:
            return 0
        average = sum(len(orjson.dumps(record)) for record in sample) / len(sample)
        return int(self.size / average) if self.path.suffix != ".gz" else None


def read_json(path: Path) -> JsonRecords:
    return JsonRecords(path)


def read_parquet(path: Path) -> list[dict]:
    import pyarrow.lib
    import pyarrow.parquet

    try:
        table = pyarrow.parquet.read_table(path)
    except pyarrow.lib.ArrowException as exc:
        raise UnreadableFile(f"{path.name} : fichier Parquet illisible ({exc}).") from exc
    records = table.to_pylist()
    for record in records:
        for key, value in record.items():
            # Parquet dates come back as date objects, which is what the schema wants;
            # numpy-free lists come back as lists already.
            if isinstance(value, tuple):
                record[key] = list(value)
    return records


def read_csv(path: Path) -> list[dict]:
    text = _open_bytes(path).decode("utf-8-sig")
    sample = text[:10000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames:
        raise UnreadableFile(f"{path.name} : fichier CSV vide.")
    records = []
    for line_number, row in enumerate(reader, start=2):
        if None in row:
            raise UnreadableFile(f"{path.name}, ligne {line_number} : plus de colonnes que l'en-tête.")
        records.append({key: _csv_value(key, value) for key, value in row.items()})
    return records


def _csv_value(key: str, value: str | None):
    if value is None or value.strip() == "":
        return None
    if key in LIST_FIELDS:
        return parse_list(value)
    return value


def parse_list(value: str) -> list[str]:
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                return [text]
        return [str(item) for item in parsed] if isinstance(parsed, list | tuple) else [text]
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1]
        if not inner:
            return []
        items = next(csv.reader([inner], delimiter=",", quotechar='"', skipinitialspace=True))
        return [item.strip() for item in items]
    return [text]

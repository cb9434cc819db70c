"""Reading and saving communes: our CSV files (validated by communes.records, as the API Géo's), bulk upsert.

The command `import_communes` ties these together; this module knows nothing of the command line.
"""

import contextlib
import csv
import dataclasses
import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import connection

from communes.models import Commune
from communes.records import DATA_FIELDS, INTEGER_RE, CommuneRecord, InvalidData, make_record
from communes.reference import CSV_COLUMNS, SUBDIVISION_COLUMNS
from core import data_version
from core.bulk import refresh_planner_statistics

# Names looked for when the command is given a directory (gzip first: that is how the files are shared).
DIRECTORY_FILES = (
    ("communes.csv.gz", "communes.csv"),
    ("communes_deleguees_associees.csv.gz", "communes_deleguees_associees.csv"),
)

# Search columns, computed from the data (communes.models.search_document). Compared like the data, so that a change
# of the normalisation is written by the next import.
SEARCH_FIELDS = ("search_name", "search_vector")

IMPORT_TABLE = "communes_commune_import"


@dataclasses.dataclass
class ImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Records whose parent commune is neither in the import nor in the database.
    orphans: list[CommuneRecord] = dataclasses.field(default_factory=list)


def find_files(path: Path) -> list[Path]:
    """The files to read for a path given on the command line: the file itself, or the known files of a directory."""
    if not path.is_dir():
        if not path.exists():
            raise InvalidData(f"{path} : fichier introuvable.")
        return [path]
    found = []
    for names in DIRECTORY_FILES:
        present = [path / name for name in names if (path / name).is_file()]
        if len(present) > 1:
            raise InvalidData(f"{path} : le dossier contient à la fois {present[0].name} et {present[1].name}.")
        found += present
    if not found:
        expected = ", ".join(names[0] for names in DIRECTORY_FILES)
        raise InvalidData(f"{path} : le dossier ne contient aucun fichier de communes (attendus : {expected}).")
    return found


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[io.TextIOBase]:
    """Open a CSV file as text, gzip-compressed or not: the first bytes decide, not the extension."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        # utf-8-sig: a byte order mark left by a spreadsheet is not part of the first column's name.
        with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
            yield text


def read_csv(path: Path) -> list[CommuneRecord]:
    name = path.name
    try:
        with open_text(path) as file:
            return list(_csv_records(csv.reader(file), name))
    except UnicodeDecodeError as error:
        raise InvalidData(f"{name} : le fichier n'est pas encodé en UTF-8 ({error.reason}).") from error
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise InvalidData(f"{name} : fichier gzip illisible ou tronqué ({error}).") from error
    except csv.Error as error:
        raise InvalidData(f"{name} : CSV illisible ({error}).") from error
    except OSError as error:
        raise InvalidData(f"{name} : impossible de lire le fichier ({error.strerror or error}).") from error


def _csv_records(reader, name: str) -> Iterable[CommuneRecord]:
    header = next(reader, None)
    if not header:
        raise InvalidData(f"{name}, ligne 1 : fichier vide, la ligne d'en-tête manque.")
    header = [column.strip() for column in header]
    expected = CSV_COLUMNS + SUBDIVISION_COLUMNS if "type" in header else CSV_COLUMNS
    missing = [column for column in expected if column not in header]
    if missing:
        raise InvalidData(f"{name}, ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}.")
    index = {column: header.index(column) for column in expected}

    for row in reader:
        if not any(value.strip() for value in row):
            continue
        origin = f"{name}, ligne {reader.line_num}"
        if len(row) != len(header):
            raise InvalidData(f"{origin} : {len(row)} colonnes au lieu de {len(header)}.")
        values = {column: row[position].strip() for column, position in index.items()}
        if "type" in values and not values["type"]:
            # Read as a commune, a commune déléguée would replace its commune nouvelle when they share their code.
            raise InvalidData(f"{origin} : type manquant.")
        yield make_record(
            origin=origin,
            code_insee=values["code_insee"],
            nom=values["nom"],
            codes_postaux=values["codes_postaux"].split(),
            departement=values["departement"],
            region=values["region"],
            epci=values["epci"],
            population=_csv_integer(values["population"], "population", origin),
            latitude=_csv_float(values["latitude"], "latitude", origin),
            longitude=_csv_float(values["longitude"], "longitude", origin),
            type=values.get("type"),
            parent_code=values.get("parent"),
        )


def _csv_integer(value: str, name: str, origin: str) -> int | None:
    if not value:
        return None
    if not INTEGER_RE.match(value):
        raise InvalidData(f"{origin} : {name} invalide « {value} » (nombre entier attendu).")
    return int(value)


def _csv_float(value: str, name: str, origin: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidData(f"{origin} : {name} invalide « {value} » (nombre décimal attendu).") from None


def save_communes(records: list[CommuneRecord]) -> ImportResult:
    """Insert or update the records; leave alone the communes they do not mention. Call it in a transaction.

    Rows already identical are not written at all, so a second run of the same files writes nothing.
    """
    result = ImportResult(read=len(records))
    existing = {
        (code_insee, type_): (pk, tuple(data), parent_id)
        for pk, code_insee, type_, parent_id, *data in Commune.objects.values_list(
            "pk", "code_insee", "type", "parent_id", *DATA_FIELDS, *SEARCH_FIELDS
        ).order_by()
    }

    def changed_rows(pairs: Iterable[tuple[CommuneRecord, int | None]]) -> list[tuple]:
        rows = []
        for record, parent_id in pairs:
            data = (*record.data(), *record.search_data())
            current = existing.get(record.key)
            if current is None:
                result.created += 1
            elif current[1] == data and current[2] == parent_id:
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            rows.append((record.code_insee, record.type, *data, parent_id))
        return rows

    # Communes first: arrondissements and communes déléguées or associées point at them.
    communes = [(record, None) for record in records if record.type == Commune.Type.COMMUNE]
    commune_pks = {code: pk for (code, type_), (pk, *_) in existing.items() if type_ == Commune.Type.COMMUNE}
    commune_pks.update((code, pk) for code, type_, pk in upsert(changed_rows(communes)))

    subdivisions = []
    for record in records:
        if record.type == Commune.Type.COMMUNE:
            continue
        parent_id = commune_pks.get(record.parent_code) if record.parent_code else None
        if record.parent_code and parent_id is None:
            result.orphans.append(record)
        subdivisions.append((record, parent_id))
    upsert(changed_rows(subdivisions))
    # Labels tell namesakes apart (Commune.label_for): a new or renamed place may make or unmake them.
    namesakes_changed = Commune.objects.mark_namesakes()
    if result.created or result.updated or namesakes_changed:
        data_version.bump()  # cached autocompletes and searches name communes
    # Fresh statistics and a merged GIN pending list for the autocomplete's next queries.
    refresh_planner_statistics(["communes_commune"])
    return result


def upsert(rows: list[tuple]) -> list[tuple[str, str, int]]:
    """Insert or update rows of (code_insee, type, *DATA_FIELDS, *SEARCH_FIELDS, parent_id); return their
    (code_insee, type, pk).

    COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE: bulk_create builds a statement with thirteen
    parameters a row, and compiling that for 37 000 communes takes seconds where COPY takes a tenth of one.
    """
    if not rows:
        return []
    columns = [
        Commune._meta.get_field(name).column for name in ("code_insee", "type", *DATA_FIELDS, *SEARCH_FIELDS, "parent")
    ]
    quote = connection.ops.quote_name
    table = quote(Commune._meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    unique = ", ".join(quote(column) for column in ("code_insee", "type"))
    updates = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in columns[2:])
    with connection.cursor() as cursor:
        # The same column types as the real table, without its constraints (CREATE … AS copies neither NOT NULL nor
        # the primary key).
        cursor.execute(
            f"CREATE TEMPORARY TABLE {IMPORT_TABLE} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {IMPORT_TABLE} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {IMPORT_TABLE} "
            f"ON CONFLICT ({unique}) DO UPDATE SET {updates} RETURNING {unique}, {quote(Commune._meta.pk.column)}"
        )
        written = cursor.fetchall()
        # Also dropped at commit, but a caller may run several imports in one transaction (the tests do).
        cursor.execute(f"DROP TABLE {IMPORT_TABLE}")
    return written

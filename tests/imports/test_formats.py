"""Each input format the open data comes in: JSON (plain or gzip), CSV, Parquet, the API."""

import csv
import gzip
import json

import pyarrow
import pyarrow.parquet
import pytest
from django.core.management.base import CommandError

from imports.normalization import parse_list
from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db


def write_csv(path, records, list_style):
    columns = list(records[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for record in records:
            row = {}
            for key, value in record.items():
                if isinstance(value, list):
                    row[key] = list_style(value)
                else:
                    row[key] = "" if value is None else value
            writer.writerow(row)


LIST_STYLES = {
    "json": lambda values: json.dumps(values),
    "python": lambda values: repr(values),
    "postgres": lambda values: "{" + ",".join(values) + "}",
}


@pytest.mark.parametrize("style", LIST_STYLES)
def test_csv_with_each_list_serialisation(dataset, run_import, tmp_path, style):
    write_csv(tmp_path / "structures.csv", dataset.structures, LIST_STYLES[style])
    write_csv(tmp_path / "services.csv", dataset.services, LIST_STYLES[style])
    run_import(tmp_path)
    atelier = Service.objects.get(id="dora--atelier numérique #1")
    assert atelier.modes_mobilisation == ["se-presenter", "telephoner"]
    assert atelier.latitude == pytest.approx(50.6292)
    assert atelier.nombre_semaines == 6
    assert Structure.objects.count() == 3


def test_semicolon_csv_is_detected(dataset, run_import, tmp_path):
    for name, records in (("structures", dataset.structures), ("services", dataset.services)):
        columns = list(records[0])
        with (tmp_path / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(columns)
            for record in records:
                writer.writerow(
                    [json.dumps(v) if isinstance(v, list) else ("" if v is None else v) for v in record.values()]
                )
    run_import(tmp_path)
    assert Service.objects.count() == 3


def test_parquet_with_list_columns(dataset, run_import, tmp_path):
    for name, records in (("structures", dataset.structures), ("services", dataset.services)):
        pyarrow.parquet.write_table(pyarrow.Table.from_pylist(records), tmp_path / f"{name}.parquet")
    run_import(tmp_path)
    assert Service.objects.get(id="dora--permis-roubaix").modes_accueil == ["a-distance", "en-presentiel"]
    assert Structure.objects.get(id="dora--mission-locale-roubaix").reseaux_porteurs == ["mission-locale"]


def test_gzipped_json_and_explicit_file_options(dataset, run_import, tmp_path):
    structures = tmp_path / "s.json.gz"
    services = tmp_path / "x.json"
    structures.write_bytes(gzip.compress(json.dumps(dataset.structures).encode()))
    services.write_text(json.dumps(dataset.services))
    run_import(structures=structures, services=services)
    assert Service.objects.count() == 3


def test_truncated_parquet_is_refused(dataset, run_import, tmp_path):
    path = tmp_path / "structures.parquet"
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(dataset.structures), path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CommandError, match="rien n'a été modifié"):
        run_import(structures=path)
    assert not Structure.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["a", "b"]', ["a", "b"]),
        ("['a', 'b']", ["a", "b"]),
        ("{a,b}", ["a", "b"]),
        ('{"a b",c}', ["a b", "c"]),
        ("{}", []),
        ("a", ["a"]),
    ],
)
def test_parse_list_forms(text, expected):
    assert parse_list(text) == expected

"""Each input format the open data comes in: JSON (plain or gzip), CSV, Parquet, the API."""

import csv
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

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


class FakeApi:
    """A local stand-in for the data·inclusion API: paginated, bearer token required."""

    def __init__(self, data, token="secret", fail_with=None):
        self.data = data
        self.token = token
        self.fail_with = fail_with
        self.requests = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlparse(self.path)
                query = parse_qs(url.query)
                api.requests.append(self.path)
                if api.fail_with:
                    self.send_response(api.fail_with)
                    self.end_headers()
                    return
                if self.headers.get("Authorization") != f"Bearer {api.token}":
                    self.send_response(401)
                    self.end_headers()
                    return
                resource = url.path.rsplit("/", 1)[-1]
                items = api.data[resource]
                page, size = int(query["page"][0]), int(query["size"][0])
                body = {
                    "items": items[(page - 1) * size : page * size],
                    "total": len(items),
                    "page": page,
                    "size": size,
                    "pages": max(1, -(-len(items) // size)),
                }
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_api_import_follows_pages_with_the_token(dataset, run_import, monkeypatch):
    monkeypatch.setattr("imports.api_client.PAGE_SIZE", 2)
    monkeypatch.setenv("DATA_INCLUSION_API_TOKEN", "secret")
    with FakeApi({"structures": dataset.structures, "services": dataset.services}) as api:
        run_import(api.url)
    assert Structure.objects.count() == 3
    assert Service.objects.count() == 3
    assert sum("/structures?" in path for path in api.requests) == 2


def test_api_refusing_the_token_aborts(dataset, run_import, monkeypatch):
    monkeypatch.setenv("DATA_INCLUSION_API_TOKEN", "wrong")
    api = FakeApi({"structures": dataset.structures, "services": dataset.services})
    with api, pytest.raises(CommandError, match="vérifiez le jeton"):
        run_import(api.url)
    assert not Structure.objects.exists()


def test_api_server_error_is_retried_then_aborts(dataset, run_import, monkeypatch):
    monkeypatch.setattr("imports.api_client.time.sleep", lambda seconds: None)
    with FakeApi({}, fail_with=503) as api, pytest.raises(CommandError, match="a répondu 503"):
        run_import(api.url)
    assert len(api.requests) == 4  # first try and three retries

"""A corrupt file (truncated JSON, garbage gzip, broken Parquet, bad CSV) is refused whole.

The run stops with a French message saying nothing changed, and nothing did: not one record of
the part of the file that could be read.
"""

import gzip
import io
import json

import pyarrow
import pyarrow.parquet
import pytest
from django.core.management.base import CommandError

from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Structure.objects.values_list("id", "nom", "is_published", "updated_at")),
        sorted(Service.objects.values_list("id", "nom", "is_published", "updated_at")),
    )


def services_json(services) -> bytes:
    return json.dumps(services, ensure_ascii=False).encode()


def truncated_json(services):
    # Cut inside the last record: the first ones parse, and would be written by a streaming import.
    text = services_json(services)
    return text[: text.rindex(b'"id"') + 10]


def parquet_bytes(services) -> bytes:
    buffer = io.BytesIO()
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(services), buffer)
    return buffer.getvalue()


CORRUPTIONS = {
    "truncated-json": ("services.json", truncated_json, "JSON invalide ou tronqué"),
    "truncated-json-gz": (
        "services.json.gz",
        lambda services: gzip.compress(services_json(services) * 40)[:-300],
        "illisible|tronqué",
    ),
    "garbage-gzip": ("services.json.gz", lambda _: b"\x1f\x8b" + bytes(range(256)) * 4, "illisible"),
    "corrupt-deflate-json-gz": (
        "services.json.gz",
        lambda services: gzip.compress(services_json(services))[:10] + b"\x08\x00garbage" * 40,
        "illisible|tronqué",
    ),
    "garbage-gzip-csv": ("services.csv.gz", lambda _: b"\x1f\x8b\x08\x00garbage" * 10, "illisible"),
    "binary-as-json": ("services.json", lambda _: bytes(range(256)), "un tableau JSON d'objets est attendu"),
    "truncated-parquet": ("services.parquet", lambda services: parquet_bytes(services)[:-200], "Parquet illisible"),
    "garbage-parquet": ("services.parquet", lambda _: b"PAR1" + b"\x00garbage" * 50 + b"PAR1", "Parquet illisible"),
    "csv-not-utf8": ("services.csv", lambda _: "id;nom\ndora--x;Crèche\n".encode("latin-1"), "illisible"),
    "csv-ragged": ("services.csv", lambda _: b"id,nom\ndora--x,Atelier,en trop\n", "plus de colonnes"),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_corrupt_file_is_refused_whole(dataset, run_import, corruption):
    folder = dataset.write()
    run_import(folder)
    before = snapshot()

    name, corrupt, message = CORRUPTIONS[corruption]
    for record in dataset.services:
        record["nom"] = "Nom qui ne doit jamais apparaître"
    (folder / "services.json").unlink()
    (folder / name).write_bytes(corrupt(dataset.services))

    with pytest.raises(CommandError, match=f"Import annulé, rien n'a été modifié. .*({message})"):
        run_import(folder)
    assert snapshot() == before
    assert not Service.objects.filter(nom="Nom qui ne doit jamais apparaître").exists()

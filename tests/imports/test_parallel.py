"""An import on worker processes decides exactly as one process would: same rows, counts and rejections, in the
order read, duplicates across chunks included. Chunks of 2 records (slices of 100 bytes of a JSON file) put a few
fixture records on forked workers."""

import json

import pytest
from django.core.management.base import CommandError
from django.db import connection

from imports import parallel, readers
from imports.models import ImportRun, RejectedRecord
from services import search_index
from services.models import SearchEntry, Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

ATELIER = "dora--atelier numérique #1"
PERMIS = "dora--permis-roubaix"


def tricky(dataset):
    """Copies, an invalid record, an unknown structure and an id found twice with other contents, in chunks apart."""
    atelier = dataset.service(ATELIER)
    dataset.services += [{**atelier, "id": f"dora--copie-{index}", "nom": f"Copie {index}"} for index in range(7)]
    dataset.services.append({**atelier, "id": "dora--invalide", "frais": "hors-du-schema"})
    dataset.services.append({**atelier, "id": "dora--orphelin", "structure_id": "dora--inconnue"})
    dataset.services.append({**dataset.service(PERMIS), "nom": "Même id, autre contenu"})
    dataset.services.append({**atelier, "id": "dora--copie-3", "nom": "Copie 3"})  # identical copy: ignored
    return dataset


@pytest.fixture(params=[10_000, 2], ids=["one-process", "workers"])
def chunk_records(request, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_RECORDS", request.param)
    monkeypatch.setattr(parallel, "SMALL_WORK", 0)
    monkeypatch.setattr(readers, "PIECE_BYTES", request.param * 50)
    return request.param


def test_workers_decide_as_one_process(dataset, run_import, chunk_records, monkeypatch):
    pools = []
    start_pool = parallel._start_pool
    monkeypatch.setattr(parallel, "_start_pool", lambda workers: pools.append(start_pool(workers)) or pools[-1])
    run_import(tricky(dataset).write())
    # Where the work ran: in this process, or in forked workers.
    assert len(pools) == (0 if chunk_records > 100 else 2)  # structures, then services

    assert set(Service.objects.values_list("id", flat=True)) == {
        ATELIER,
        "soliguide--aide-alimentaire-1",
        *(f"dora--copie-{index}" for index in range(7)),
    }
    assert Service.objects.get(pk="dora--copie-5").nom == "Copie 5"
    assert SearchEntry.objects.count() == 9
    assert Structure.objects.count() == 3
    run = ImportRun.objects.get()
    counts = run.counts["services"]
    assert (counts["lues"], counts["valides"], counts["creees"], counts["rejetees"]) == (14, 9, 9, 3)
    assert counts["doublons_identiques_ignores"] == 1
    rejected = list(RejectedRecord.objects.filter(kind="service").order_by("id").values_list("record_id", "field"))
    assert rejected == [("dora--invalide", "frais"), ("dora--orphelin", "structure_id"), (PERMIS, "id")]


def test_the_workers_make_the_services_lexemes_as_postgresql_does(dataset, run_import, chunk_records, monkeypatch):
    """On workers, services' lexemes are made in Python from each word's (services.lexemes.Lexicon), equal to
    what PostgreSQL makes of the whole text; in one process, PostgreSQL makes them (marked here)."""
    by_postgresql = search_index.LEXEMES_SQL
    monkeypatch.setattr(search_index, "LEXEMES_SQL", "'made by postgresql'")
    run_import(tricky(dataset).write())

    marked = SearchEntry.objects.filter(lexemes="made by postgresql").count()
    assert marked == (9 if chunk_records > 100 else 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM services_searchentry AS e JOIN services_service AS s ON s.id = e.service_id"
            " JOIN structures_structure AS st ON st.id = s.structure_id"
            f" WHERE e.lexemes = {by_postgresql} AND e.text_hash = {search_index.TEXT_HASH_SQL}"
        )
        assert cursor.fetchone()[0] == 9 - marked


def test_an_unchanged_reimport_on_workers_writes_nothing(dataset, run_import, chunk_records):
    folder = tricky(dataset).write()
    run_import(folder)
    stamps = sorted(Service.objects.values_list("id", "updated_at"))

    run_import(folder)

    assert sorted(Service.objects.values_list("id", "updated_at")) == stamps
    counts = ImportRun.objects.order_by("-id").first().counts["services"]
    assert (counts["inchangees"], counts["creees"], counts["mises_a_jour"], counts["rejetees"]) == (9, 0, 0, 3)


def write_services(dataset, separators) -> None:
    """The services file with the records separated as given, in turn (writers differ: pandas, json.dumps…)."""
    path = dataset.folder / "services.json"
    records = [json.dumps(record, ensure_ascii=False) for record in dataset.services]
    text = records[0] + "".join(separators[i % len(separators)] + record for i, record in enumerate(records[1:]))
    path.write_text(f"[\n{text}\n]\n")


def test_a_json_file_cut_inside_a_string_or_a_nested_object_is_read_whole(dataset, run_import, chunk_records):
    """JSON slices are cut after a "}" that a comma and a "{" follow: inside a string, or in an object nested in a
    record, that is no record's end, and the slice is joined to the next one. Nothing is lost or split."""
    description = 'Accueil {sur rendez-vous}, {"id": "dora--faux"}, {le mardi}, {"x": 1}'
    dataset.service(ATELIER)["description"] = description
    dataset.service(PERMIS)["extra"] = [{"a": 1}, {"b": [2, {"c": 3}]}]  # not a schema field: ignored
    dataset.write()
    write_services(dataset, [",\n", ", ", ","])

    run_import(dataset.folder)
    stamps = sorted(Service.objects.values_list("id", "updated_at"))
    run_import(dataset.folder)

    assert Service.objects.get(pk=ATELIER).description == description
    assert Service.objects.count() == len(dataset.services)
    first, again = ImportRun.objects.order_by("id")
    assert first.counts["services"]["creees"] == len(dataset.services)
    assert again.counts["services"]["inchangees"] == len(dataset.services)
    assert sorted(Service.objects.values_list("id", "updated_at")) == stamps


@pytest.mark.parametrize(
    "content",
    ['[{"id": "a"}, {"id": "b"', '[{"id": "a"}, {"id": "b"}', "[1, 2]", '[{"id": "a"}] trailing'],
    ids=["cut-in-a-record", "no-closing-bracket", "not-objects", "trailing-bytes"],
)
def test_a_broken_json_file_is_refused_on_workers_too(dataset, run_import, chunk_records, content):
    run_import(dataset.write())
    (dataset.folder / "services.json").write_text(content)

    with pytest.raises(CommandError, match="rien n'a été modifié"):
        run_import(dataset.folder)

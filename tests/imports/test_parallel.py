"""An import on worker processes decides exactly as one process would: same rows, counts and rejections, in the
order read, duplicates across chunks included. Chunks of 2 records put a few fixture records on forked workers."""

import pytest

from imports import parallel
from imports.models import ImportRun, RejectedRecord
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


def test_an_unchanged_reimport_on_workers_writes_nothing(dataset, run_import, chunk_records):
    folder = tricky(dataset).write()
    run_import(folder)
    stamps = sorted(Service.objects.values_list("id", "updated_at"))

    run_import(folder)

    assert sorted(Service.objects.values_list("id", "updated_at")) == stamps
    counts = ImportRun.objects.order_by("-id").first().counts["services"]
    assert (counts["inchangees"], counts["creees"], counts["mises_a_jour"], counts["rejetees"]) == (9, 0, 0, 3)

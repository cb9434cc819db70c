"""Nothing is unpublished by accident (imports/unpublishing.py), on the real-record set."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from imports import api_client
from imports.models import ImportRun
from services.models import Service
from structures.models import Structure
from tests.imports.api_server import FakeApi

pytestmark = pytest.mark.django_db

PUBLISHED = Path(__file__).parents[1] / "fixtures" / "real" / "published"
STRUCTURES = PUBLISHED / "structures-inclusion-2025-06-02.json"
SERVICES = PUBLISHED / "services-inclusion-2025-06-02.json"


def real(kind: str) -> list[dict]:
    return json.loads((STRUCTURES if kind == "structures" else SERVICES).read_text())


def published(model) -> set[str]:
    return set(model.objects.filter(is_published=True).values_list("id", flat=True))


@pytest.fixture
def imported(run_import):
    run_import(structures=STRUCTURES, services=SERVICES)
    return published(Structure), published(Service)


def test_a_structures_only_run_leaves_every_service_published(imported, run_import, capsys):
    structures, services = imported
    run_import(structures=STRUCTURES, verbosity=1)
    assert published(Service) == services
    assert published(Structure) == structures
    assert "services : aucun fichier" in capsys.readouterr().out
    counts = ImportRun.objects.first().counts["services"]
    assert counts["lues"] == counts["depubliees"] == 0


def test_a_services_only_run_leaves_every_structure_published(imported, run_import, tmp_path):
    structures, services = imported
    folder = tmp_path / "services-only"
    folder.mkdir()
    shutil.copy(SERVICES, folder)
    run_import(folder)
    assert published(Structure) == structures
    assert published(Service) == services


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("DATA_INCLUSION_API_TOKEN", "secret")
    monkeypatch.setattr(api_client, "BACKOFF_SECONDS", 0.01)
    with FakeApi({"structures": real("structures"), "services": real("services")}) as server:
        yield server


@pytest.mark.parametrize("named", [True, False], ids=["--source", "every-source"])
def test_an_empty_api_answer_for_a_source_unpublishes_nothing_and_says_why(api, run_import, capsys, named):
    run_import(api.url)
    before = published(Structure), published(Service)
    assert Service.objects.filter(source="action-logement", is_published=True).count() == 3

    api.hidden_sources = {"action-logement"}  # a token no longer allowed to see this source
    run_import(api.url, sources=["action-logement"] if named else None, verbosity=1)

    assert (published(Structure), published(Service)) == before
    out = capsys.readouterr().out
    assert (
        "Source « action-logement » : aucun service reçu alors que 3 sont publiés ici ; "
        "rien n'est dépublié pour cette source (réponse vide, ou source non autorisée pour ce jeton ?)."
    ) in out
    assert "Source « action-logement » : aucune structure reçue alors que 1 sont publiées ici" in out
    assert "action-logement" in ImportRun.objects.first().message


def test_a_run_that_would_unpublish_much_of_a_source_stops_before_writing(imported, run_import, tmp_path):
    structures, services = imported
    # The DORA structures published here (the set also holds one refused on purpose, never published).
    dora = [record for record in real("structures") if record["source"] == "dora" and record["id"] in structures]
    kept = [
        record for record in real("structures") if record["id"] in structures and record not in dora[: len(dora) // 2]
    ]
    renamed = [dict(record, nom=record["nom"] + " (nouveau nom)") for record in kept]
    (tmp_path / "structures.json").write_text(json.dumps(renamed, ensure_ascii=False))

    with pytest.raises(CommandError) as stopped:
        run_import(structures=tmp_path / "structures.json")
    message = str(stopped.value)
    assert f"dora : {len(dora) // 2} structures sur {len(dora)} publiées" in message
    assert "--autoriser-depublication-massive" in message
    assert published(Structure) == structures  # nothing written: not even the new names
    assert not Structure.objects.filter(nom__endswith="(nouveau nom)").exists()

    run_import(structures=tmp_path / "structures.json", autoriser_depublication_massive=True)
    assert published(Structure) == structures - {record["id"] for record in dora[: len(dora) // 2]}
    assert ImportRun.objects.first().counts["structures"]["depubliees"] == len(dora) // 2


def test_a_few_records_removed_from_a_source_are_unpublished_without_stopping(imported, run_import, tmp_path):
    structures, _ = imported
    gone = [record["id"] for record in real("structures") if record["source"] == "dora"][:2]
    kept = [record for record in real("structures") if record["id"] not in gone]
    (tmp_path / "structures.json").write_text(json.dumps(kept, ensure_ascii=False))
    run_import(structures=tmp_path / "structures.json")
    assert published(Structure) == structures - set(gone)

"""Services whose structure was rejected, and the rejection report grouped by reason."""

import pytest

from imports.models import ImportRun, RejectedRecord
from services.models import Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

MISSION_LOCALE = "dora--mission-locale-roubaix"
PERMIS = "dora--permis-roubaix"


def test_a_service_of_a_structure_rejected_this_time_stays_with_its_stored_structure(dataset, run_import):
    """Policy: a structure rejected by this run keeps its last valid version (published as it
    was); its services, valid, are imported and stay attached to it: no valid service is lost
    because its structure's new version is invalid."""
    run_import(dataset.write())
    dataset.structure(MISSION_LOCALE)["siret"] = "123"  # the new version is invalid
    dataset.service(PERMIS)["nom"] = "Aide au permis B, nouvelle session"
    new_service = dict(dataset.service(PERMIS), id="dora--code-de-la-route", nom="Code de la route")
    dataset.services.append(new_service)
    run_import(dataset.write())

    structure = Structure.objects.get(id=MISSION_LOCALE)
    assert structure.is_published and structure.siret == "22590000000015"  # last valid version
    permis = Service.objects.get(id=PERMIS)
    assert permis.nom == "Aide au permis B, nouvelle session" and permis.structure_id == MISSION_LOCALE
    assert Service.objects.get(id="dora--code-de-la-route").is_published
    rejected = set(RejectedRecord.objects.values_list("kind", "record_id"))
    assert rejected == {("structure", MISSION_LOCALE)}


def test_services_of_a_new_structure_rejected_say_so(dataset, run_import):
    dataset.structure(MISSION_LOCALE)["siret"] = "123"
    run_import(dataset.write())
    assert not Structure.objects.filter(id=MISSION_LOCALE).exists()
    assert RejectedRecord.objects.get(record_id=PERMIS).message == (
        f"Structure « {MISSION_LOCALE} » rejetée dans cet import et inconnue des imports précédents."
    )


@pytest.fixture
def rejections(dataset):
    permis = dataset.service(PERMIS)
    dataset.services += [
        dict(permis, id="dora--typo-1", thematiques=["mobilite--preparer-un-permi"]),
        dict(permis, id="dora--typo-2", thematiques=["sante--inconnue"]),
        dict(permis, id="dora--orphelin-1", structure_id="dora--inconnue-1"),
        dict(permis, id="dora--orphelin-2", structure_id="dora--inconnue-2"),
        dict(permis, id="dora--orphelin-3", structure_id="dora--inconnue-3"),
        dict(permis, id="dora--sans-nom", nom=None),
    ]
    return dataset


def test_the_report_groups_rejections_by_reason_with_counts(rejections, run_import, capsys):
    run_import(rejections.write(), verbosity=1)
    expected = [
        {
            "champ": "structure_id",
            "motif": "Structure « … » absente du fichier et inconnue des imports précédents.",
            "nombre": 3,
        },
        {"champ": "thematiques", "motif": "« … » n'est pas une valeur autorisée.", "nombre": 2},
        {"champ": "nom", "motif": "Ce champ est obligatoire.", "nombre": 1},
    ]
    assert ImportRun.objects.get().counts["services"]["rejets_par_motif"] == expected
    out = capsys.readouterr().out
    assert "Rejets des services par motif :\n  3 × [structure_id] Structure « … » absente du fichier" in out
    assert "  2 × [thematiques] « … » n'est pas une valeur autorisée.\n  1 × [nom] Ce champ est obligatoire." in out
    assert "Rejets des structures" not in out


def test_the_import_admin_shows_rejections_by_reason(rejections, run_import, admin_client):
    run_import(rejections.write())
    page = admin_client.get(f"/admin/imports/importrun/{ImportRun.objects.get().pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "rejets par motif" in html.lower()
    assert "services : 3 × [structure_id] Structure « … » absente du fichier" in html
    assert "services : 2 × [thematiques] « … » n&#x27;est pas une valeur autorisée." in html

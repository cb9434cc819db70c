import gzip
import http.server
import json
import shutil
import threading
import time
import urllib.parse
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from communes.models import Commune
from core import data_version
from tests.communes.factories import CommuneFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
# A dozen rows in our format (named so they are never mistaken for the shared national files).
COMMUNES_CSV = FIXTURES / "sample_places.csv"
SUBDIVISIONS_CSV = FIXTURES / "sample_subdivisions.csv"
FIXTURE_ROWS = 13


def run(*args, **options) -> str:
    out = StringIO()
    call_command("import_communes", *[str(arg) for arg in args], stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        Commune.objects.order_by("code_insee", "type").values_list(
            "pk",
            "code_insee",
            "type",
            "nom",
            "codes_postaux",
            "departement",
            "region",
            "epci",
            "population",
            "latitude",
            "longitude",
            "parent__code_insee",
            "parent__type",
        )
    )


def gzip_copy(source: Path, target: Path) -> Path:
    target.write_bytes(gzip.compress(source.read_bytes()))
    return target


def get(code_insee, type_=Commune.Type.COMMUNE) -> Commune:
    return Commune.objects.select_related("parent").get(code_insee=code_insee, type=type_)


def test_import_fixture_files():
    output = run(COMMUNES_CSV, SUBDIVISIONS_CSV)

    assert output == "Communes : 13 lues, 13 créées, 0 mises à jour, 0 inchangées.\n"
    assert Commune.objects.count() == FIXTURE_ROWS

    paris = get("75056")
    assert paris.nom == "Paris"
    assert paris.parent is None
    assert len(paris.codes_postaux) == 21
    assert paris.codes_postaux[:2] == ["75001", "75002"]
    assert paris.population == 2103778
    assert (paris.latitude, paris.longitude) == (48.85613, 2.35603)
    assert (paris.departement, paris.region, paris.epci) == ("75", "11", "200054781")

    paris_11 = get("75111", Commune.Type.ARRONDISSEMENT)
    assert paris_11.parent == paris
    assert paris_11.codes_postaux == ["75011"]
    assert get("69381", Commune.Type.ARRONDISSEMENT).parent == get("69123")
    assert not Commune.objects.filter(code_insee__in=["75111", "69381"], type=Commune.Type.COMMUNE).exists()

    # A commune déléguée with the code of its commune nouvelle: two rows, one code.
    valserhone = get("01033")
    assert valserhone.nom == "Valserhône"
    bellegarde = get("01033", Commune.Type.DELEGUEE)
    assert bellegarde.nom == "Bellegarde-sur-Valserine"
    assert bellegarde.parent == valserhone
    assert bellegarde.codes_postaux == []
    assert bellegarde.population is None
    assert get("01091", Commune.Type.DELEGUEE).parent == valserhone
    assert get("01120", Commune.Type.ASSOCIEE).parent == get("01262")

    sein = get("29083")
    assert sein.epci is None
    assert sein.population == 263
    assert get("2A004").departement == "2A"
    # Overseas collectivities belong to no region: their pseudo-region code is not kept.
    assert (get("97502").departement, get("97502").region) == ("975", "")
    eparses = get("98415")
    assert (eparses.codes_postaux, eparses.population) == ([], None)


def test_gzip_or_plain_is_told_by_content_not_extension(tmp_path):
    gzip_copy(COMMUNES_CSV, tmp_path / "communes.csv")
    shutil.copy(SUBDIVISIONS_CSV, tmp_path / "communes_deleguees_associees.csv.gz")

    output = run(tmp_path / "communes.csv", tmp_path / "communes_deleguees_associees.csv.gz")

    assert output.startswith("Communes : 13 lues, 13 créées,")
    assert get("75111", Commune.Type.ARRONDISSEMENT).parent == get("75056")


def test_directory_path(tmp_path):
    gzip_copy(COMMUNES_CSV, tmp_path / "communes.csv.gz")
    gzip_copy(SUBDIVISIONS_CSV, tmp_path / "communes_deleguees_associees.csv.gz")
    (tmp_path / "notes.txt").write_text("Autre chose.")

    # A file reached both through its directory and by name is read once.
    output = run(tmp_path, tmp_path / "communes.csv.gz")

    assert output == "Communes : 13 lues, 13 créées, 0 mises à jour, 0 inchangées.\n"
    assert Commune.objects.count() == FIXTURE_ROWS


def test_directory_without_communes_files(tmp_path):
    with pytest.raises(CommandError, match="aucun fichier de communes"):
        run(tmp_path)


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable"):
        run(tmp_path / "communes.csv")


def test_second_run_changes_nothing():
    run(COMMUNES_CSV, SUBDIVISIONS_CSV)
    before = snapshot()

    output = run(COMMUNES_CSV, SUBDIVISIONS_CSV)

    assert output == "Communes : 13 lues, 0 créées, 0 mises à jour, 13 inchangées.\n"
    assert snapshot() == before


def test_changed_rows_are_updated(tmp_path):
    run(COMMUNES_CSV, SUBDIVISIONS_CSV)
    before = {row[:3]: row for row in snapshot()}
    changed = (
        COMMUNES_CSV.read_text()
        .replace(",2103778,", ",2100000,")
        .replace("Paris 11e Arrondissement,75011,", "Paris 11e,75011 75111,")
    )
    (tmp_path / "communes.csv").write_text(changed)
    subdivisions = SUBDIVISIONS_CSV.read_text().replace("commune-associee,01262", "commune-associee,01033")
    (tmp_path / "communes_deleguees_associees.csv").write_text(subdivisions)

    output = run(tmp_path)

    assert output == "Communes : 13 lues, 0 créées, 3 mises à jour, 10 inchangées.\n"
    assert get("75056").population == 2100000
    paris_11 = get("75111", Commune.Type.ARRONDISSEMENT)
    assert (paris_11.nom, paris_11.codes_postaux) == ("Paris 11e", ["75011", "75111"])
    assert get("01120", Commune.Type.ASSOCIEE).parent == get("01033")
    # Updated in place: same primary keys.
    assert {row[:3] for row in snapshot()} == set(before)


def test_communes_missing_from_the_file_are_kept():
    kept = CommuneFactory(code_insee="59350", nom="Lille")

    run(COMMUNES_CSV)

    assert Commune.objects.get(pk=kept.pk).nom == "Lille"
    assert Commune.objects.count() == 11


def test_subdivisions_alone_find_their_parent_in_the_database():
    run(COMMUNES_CSV)

    output = run(SUBDIVISIONS_CSV)

    assert output == "Communes : 3 lues, 3 créées, 0 mises à jour, 0 inchangées.\n"
    assert get("01033", Commune.Type.DELEGUEE).parent == get("01033")


def test_unknown_parent_is_reported():
    output = run(SUBDIVISIONS_CSV)

    assert "Commune de rattachement introuvable pour 3 subdivisions : 01033 (commune déléguée, rattachée à 01033)" in (
        output
    )
    assert output.endswith("Communes : 3 lues, 3 créées, 0 mises à jour, 0 inchangées.\n")
    assert get("01033", Commune.Type.DELEGUEE).parent is None


def test_quiet():
    assert run(SUBDIVISIONS_CSV, verbosity=0) == ""
    assert run(COMMUNES_CSV, quiet=True) == ""
    assert Commune.objects.count() == FIXTURE_ROWS


def test_dry_run_writes_nothing():
    output = run(COMMUNES_CSV, SUBDIVISIONS_CSV, dry_run=True)

    assert output == (
        "Communes : 13 lues, 13 créées, 0 mises à jour, 0 inchangées. Simulation : rien n'a été enregistré.\n"
    )
    assert not Commune.objects.exists()


HEADER = "code_insee,nom,codes_postaux,departement,region,epci,population,latitude,longitude"
PARIS = "75056,Paris,75001 75002,75,11,200054781,2100000,48.85613,2.35603"


@pytest.mark.parametrize(
    "content,message",
    [
        ("", "communes.csv, ligne 1 : fichier vide"),
        (
            "code_insee,nom,codes_postaux,departement,region,epci,latitude,longitude\n",
            "communes.csv, ligne 1 : colonne(s) manquante(s) : population.",
        ),
        (
            f"{HEADER}\n{PARIS}\n01033,Valserhône,01200,01,84,240100891,beaucoup,46.1,5.8\n",
            "ligne 3 : population invalide",
        ),
        (f"{HEADER}\n{PARIS}\n01033,Valserhône,01200,01,84,240100891,12,nord,5.8\n", "ligne 3 : latitude invalide"),
        (
            f"{HEADER}\n{PARIS}\n01033,Valserhône,01200,01,84,240100891,12,46,1,5.8\n",
            "ligne 3 : 10 colonnes au lieu de 9",
        ),
        (f"{HEADER}\n{PARIS}\n1033,Valserhône,01200,01,84,240100891,12,46.1,5.8\n", "ligne 3 : code INSEE invalide"),
        (f"{HEADER}\n{PARIS}\n01033,,01200,01,84,240100891,12,46.1,5.8\n", "ligne 3 : nom manquant"),
        (f"{HEADER}\n{PARIS}\n01033,Valserhône,1200,01,84,240100891,12,46.1,5.8\n", "ligne 3 : code postal invalide"),
        (f"{HEADER}\n{PARIS}\n01033,Valserhône,01200,01,84,240100891,12,146.1,5.8\n", "ligne 3 : latitude invalide"),
        (
            f"{HEADER}\n{PARIS}\n{PARIS}\n",
            "communes.csv, ligne 3 : 75056 (commune) figure déjà en communes.csv, ligne 2.",
        ),
        (
            f"{HEADER},type,parent\n{PARIS},commune-fusionnee,\n",
            "communes.csv, ligne 2 : type invalide « commune-fusionnee »",
        ),
        (f"{HEADER},type\n{PARIS},commune\n", "ligne 1 : colonne(s) manquante(s) : parent."),
        (f"{HEADER},type,parent\n{PARIS},,\n", "communes.csv, ligne 2 : type manquant."),
        ("Érable".encode("latin-1") + b"\n", "communes.csv : le fichier n'est pas encodé en UTF-8"),
        (gzip.compress(f"{HEADER}\n{PARIS}\n".encode())[:-12], "communes.csv : fichier gzip illisible ou tronqué"),
    ],
)
def test_malformed_file_changes_nothing(tmp_path, content, message):
    run(COMMUNES_CSV, SUBDIVISIONS_CSV)
    before = snapshot()
    malformed = tmp_path / "communes.csv"
    if isinstance(content, bytes):
        malformed.write_bytes(content)
    else:
        malformed.write_text(content)

    with pytest.raises(CommandError) as error:
        # The valid file given first is not imported either.
        run(SUBDIVISIONS_CSV, malformed)

    assert message in str(error.value)
    assert str(error.value).startswith("Import des communes annulé, rien n'a été modifié.")
    assert snapshot() == before


# --- Download from the API Géo, served by a local fake server -----------------------------------------------------

API_COMMUNES = [
    {
        "nom": "Paris",
        "code": "75056",
        "codesPostaux": ["75001", "75002"],
        "codeDepartement": "75",
        "codeRegion": "11",
        "codeEpci": "200054781",
        "centre": {"type": "Point", "coordinates": [2.35603, 48.85613]},
        "population": 2103778,
    },
    {
        "nom": "Valserhône",
        "code": "01033",
        "codesPostaux": ["01200"],
        "codeDepartement": "01",
        "codeRegion": "84",
        "codeEpci": "240100891",
        "centre": {"type": "Point", "coordinates": [5.8262, 46.10762]},
        "population": 16712,
    },
    {
        "nom": "Montluel",
        "code": "01262",
        "codesPostaux": ["01120"],
        "codeDepartement": "01",
        "codeRegion": "84",
        "codeEpci": "240100610",
        "centre": {"type": "Point", "coordinates": [5.05608, 45.8532]},
        "population": 6895,
    },
    # No EPCI, no population, no point: the API leaves the fields out.
    {"nom": "Île-de-Sein", "code": "29083", "codesPostaux": ["29990"], "codeDepartement": "29", "codeRegion": "53"},
    {
        "nom": "Lyon",
        "code": "69123",
        "codesPostaux": ["69001"],
        "codeDepartement": "69",
        "codeRegion": "84",
        "codeEpci": "200046977",
        "centre": {"type": "Point", "coordinates": [4.83008, 45.76951]},
        "population": 519127,
    },
]
API_ARRONDISSEMENTS = [
    {
        "nom": "Paris 11e Arrondissement",
        "code": "75111",
        "codesPostaux": ["75011"],
        "codeDepartement": "75",
        "codeRegion": "11",
        "centre": {"type": "Point", "coordinates": [2.3792, 48.85876]},
        "population": 138170,
        "codeParent": "75056",
    },
    # No parent field: the code tells.
    {
        "nom": "Lyon 1er Arrondissement",
        "code": "69381",
        "codesPostaux": ["69001"],
        "codeDepartement": "69",
        "codeRegion": "84",
        "centre": {"type": "Point", "coordinates": [4.83008, 45.76951]},
        "population": 28717,
    },
]
API_SUBDIVISIONS = [
    {
        "nom": "Bellegarde-sur-Valserine",
        "code": "01033",
        "type": "COMD",
        "chefLieu": "01033",
        "codeDepartement": "01",
        "codeRegion": "84",
        "codeEpci": "240100891",
        "centre": {"type": "Point", "coordinates": [5.8262, 46.10762]},
    },
    {
        "nom": "Cordieux",
        "code": "01120",
        "type": "commune-associee",
        "chefLieu": "01262",
        "codeDepartement": "01",
        "codeRegion": "84",
        "codeEpci": "240100610",
        "centre": {"type": "Point", "coordinates": [5.03929, 45.91223]},
    },
]


class FakeGeoApi:
    """Answers like the API Géo from memory: `routes` maps (path, type parameter) to (status, JSON body)."""

    def __init__(self):
        self.routes = {
            ("/communes", None): (200, API_COMMUNES),
            ("/communes", "arrondissement-municipal"): (200, API_ARRONDISSEMENTS),
            ("/communes_associees_deleguees", None): (200, API_SUBDIVISIONS),
        }
        self.requests = []
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                api.requests.append(self.path)
                status, body = api.routes.get((url.path, query.get("type", [None])[0]), (404, {"message": "?"}))
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def geo_api(settings):
    with FakeGeoApi() as api:
        settings.GEO_API_URL = api.url
        yield api


def test_download(geo_api):
    output = run()

    assert output == "Communes : 9 lues, 9 créées, 0 mises à jour, 0 inchangées.\n"
    assert len(geo_api.requests) == 3
    assert all("format=json" in request and "fields=" in request for request in geo_api.requests)
    paris = get("75056")
    assert (paris.codes_postaux, paris.population, paris.epci) == (["75001", "75002"], 2103778, "200054781")
    assert (paris.latitude, paris.longitude) == (48.85613, 2.35603)
    assert get("75111", Commune.Type.ARRONDISSEMENT).parent == paris
    assert get("69381", Commune.Type.ARRONDISSEMENT).parent == get("69123")
    assert get("01033", Commune.Type.DELEGUEE).parent == get("01033")
    assert get("01120", Commune.Type.ASSOCIEE).parent == get("01262")
    sein = get("29083")
    assert (sein.epci, sein.population, sein.latitude, sein.longitude) == (None, None, None, None)

    assert run() == "Communes : 9 lues, 0 créées, 0 mises à jour, 9 inchangées.\n"


@pytest.mark.parametrize(
    "route,answer,message",
    [
        (("/communes_associees_deleguees", None), (500, {"message": "Erreur"}), "le serveur a répondu 500"),
        (("/communes", None), (200, b"<html>Maintenance</html>"), "JSON invalide"),
        (("/communes", None), (200, {"communes": []}), "la réponse n'est pas une liste"),
        (
            ("/communes_associees_deleguees", None),
            (200, [{**API_SUBDIVISIONS[0], "type": None}]),
            "API Géo /communes_associees_deleguees, élément 1 (code 01033) : type manquant.",
        ),
        (
            ("/communes", "arrondissement-municipal"),
            (200, [{**API_ARRONDISSEMENTS[0], "centre": {"type": "Point"}}]),
            "API Géo /communes?type=arrondissement-municipal, élément 1 (code 75111) : centre invalide",
        ),
    ],
)
def test_download_failure_changes_nothing(geo_api, route, answer, message):
    kept = CommuneFactory()
    geo_api.routes[route] = answer

    with pytest.raises(CommandError, match="Import des communes annulé") as error:
        run()

    assert message in str(error.value)
    assert list(Commune.objects.values_list("pk", flat=True)) == [kept.pk]


def test_download_unreachable_server():
    # The test settings point at a closed local port: never the internet.
    assert django_settings.GEO_API_URL.startswith("http://127.0.0.1:")

    with pytest.raises(CommandError, match="Téléchargement impossible"):
        run()

    assert not Commune.objects.exists()


# --- The real shared files ------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not (django_settings.SHARED_DATA_DIR / "communes.csv.gz").exists(), reason="shared communes files absent"
)
def test_import_shared_files():
    start = time.perf_counter()
    output = run(django_settings.SHARED_DATA_DIR)
    first = time.perf_counter() - start
    start = time.perf_counter()
    second_output = run(django_settings.SHARED_DATA_DIR)
    second = time.perf_counter() - start
    print(f"\nimport_communes on the shared files: first run {first:.2f} s, second run {second:.2f} s")

    assert output == "Communes : 37 590 lues, 37 590 créées, 0 mises à jour, 0 inchangées.\n"
    assert second_output == "Communes : 37 590 lues, 0 créées, 0 mises à jour, 37 590 inchangées.\n"
    assert Commune.objects.searchable().count() == 35014
    assert Commune.objects.exclude(type__in=[Commune.Type.COMMUNE, Commune.Type.ARRONDISSEMENT]).count() == 2576
    assert Commune.objects.filter(type=Commune.Type.ARRONDISSEMENT, parent__isnull=False).count() == 45
    assert not Commune.objects.exclude(type=Commune.Type.COMMUNE).filter(parent__isnull=True).exists()


def test_namesakes_are_marked_for_their_labels(tmp_path):
    """Labels tell namesakes apart by their département (Commune.label_for): the import keeps the mark."""
    run(COMMUNES_CSV, SUBDIVISIONS_CSV)
    assert not Commune.objects.filter(has_namesake=True).exists()
    assert get("01262").label == "Montluel (01120)"
    version = data_version.current()
    namesake = "38999,Montluel,38000,38,84,,100,45.1,5.7\n"
    (tmp_path / "communes.csv").write_text(COMMUNES_CSV.read_text() + namesake)

    run(tmp_path / "communes.csv")

    assert set(Commune.objects.filter(has_namesake=True).values_list("code_insee", flat=True)) == {"01262", "38999"}
    assert (get("01262").label, get("38999").label) == ("Montluel (01)", "Montluel (38)")
    assert data_version.current() != version
    # Renamed: no namesake any more.
    (tmp_path / "communes.csv").write_text(COMMUNES_CSV.read_text() + namesake.replace("Montluel", "Montalieu"))
    run(tmp_path / "communes.csv")
    assert not Commune.objects.filter(has_namesake=True).exists()
    assert get("01262").label == "Montluel (01120)"

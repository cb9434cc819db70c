"""The commune autocomplete: matching and ranking (communes.search), the view, the no-JavaScript fallback."""

import json
import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from communes.models import Commune, search_document
from communes.search import parse, resolve_commune_input, suggest
from tests.communes.factories import CommuneFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/communes/autocomplete/"
ARRONDISSEMENT = Commune.Type.ARRONDISSEMENT
PARIS_CODES = [f"750{number:02d}" for number in range(1, 21)] + ["75116"]


def commune(code_insee, nom, codes_postaux, population, **kwargs):
    return CommuneFactory(
        code_insee=code_insee,
        nom=nom,
        codes_postaux=codes_postaux,
        population=population,
        **kwargs,
    )


@pytest.fixture
def places():
    paris = commune("75056", "Paris", PARIS_CODES, 2103778)
    marseille = commune("13055", "Marseille", [f"130{number:02d}" for number in range(1, 17)], 873076)
    lyon = commune("69123", "Lyon", [f"6900{number}" for number in range(1, 10)], 519127)
    valserhone = commune("01033", "Valserhône", ["01200"], 16712)
    created = {
        "paris": paris,
        "paris1": commune("75101", "Paris 1er Arrondissement", ["75001"], 15114, type=ARRONDISSEMENT, parent=paris),
        "paris11": commune("75111", "Paris 11e Arrondissement", ["75011"], 138170, type=ARRONDISSEMENT, parent=paris),
        "paris15": commune("75115", "Paris 15e Arrondissement", ["75015"], 229713, type=ARRONDISSEMENT, parent=paris),
        "parisot": commune("81202", "Parisot", ["81310"], 863),
        "marseille": marseille,
        "marseille1": commune(
            "13201", "Marseille 1er Arrondissement", ["13001"], 37599, type=ARRONDISSEMENT, parent=marseille
        ),
        "marseille8": commune(
            "13208", "Marseille 8e Arrondissement", ["13008"], 84683, type=ARRONDISSEMENT, parent=marseille
        ),
        # Its INSEE code is the postal code of Marseille 8e.
        "aurons": commune("13008", "Aurons", ["13121"], 579),
        "lyon": lyon,
        "lyon3": commune("69383", "Lyon 3e Arrondissement", ["69003"], 100679, type=ARRONDISSEMENT, parent=lyon),
        "saint_etienne": commune("42218", "Saint-Étienne", ["42000", "42100", "42230"], 173136),
        "rouvray": commune("76575", "Saint-Étienne-du-Rouvray", ["76800"], 29518),
        "estivareilles": commune("42091", "Estivareilles", ["42380"], 700),
        "strasbourg": commune("67482", "Strasbourg", ["67000", "67100", "67200"], 291313),
        "saint_denis_93": commune("93066", "Saint-Denis", ["93200", "93210"], 113942),
        "saint_denis_974": commune("97411", "Saint-Denis", ["97400", "97490"], 153810),
        "valence": commune("26362", "Valence", ["26000"], 64483),
        "valence_82": commune("82186", "Valence", ["82400"], 5209),
        "sein": commune("29083", "Île-de-Sein", ["29990"], 263),
        "evry": commune("91228", "Évry-Courcouronnes", ["91000", "91080"], 66711),
        "ajaccio": commune("2A004", "Ajaccio", ["20000", "20090", "20167"], 76320),
        # One postal code, two communes.
        "beny": commune("01038", "Bény", ["01370"], 750),
        "treffort": commune("01426", "Val-Revermont", ["01370"], 2600),
        "valserhone": valserhone,
    }
    created["bellegarde"] = commune(
        "01033", "Bellegarde-sur-Valserine", [], None, type=Commune.Type.DELEGUEE, parent=valserhone
    )
    return created


def codes(communes) -> list[str]:
    return [commune.code_insee for commune in communes]


def option_codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]*)"', response.content.decode())


# --- Matching and ranking -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["st etienne", "saint-étienne", "ST-ETIENNE", "Saint Étienne", "saint  étienne ", "42000", "Saint-Ét"]
)
def test_saint_etienne_first(places, text):
    assert codes(suggest(text))[0] == "42218"


def test_words_in_any_order_and_prefixes(places):
    assert codes(suggest("etienne rouv")) == ["76575"]
    assert codes(suggest("du st-et")) == ["76575"]
    # "st" stays a prefix of its own: Strasbourg, then the saints, biggest first.
    assert codes(suggest("st"))[:3] == ["67482", "42218", "97411"]


def test_accents_and_case_are_ignored(places):
    for text in ("ile de sein", "ÎLE-DE-SEIN", "Ile-de-Séin"):
        assert codes(suggest(text)) == ["29083"]
    assert codes(suggest("evry")) == ["91228"]
    assert codes(suggest("VALSERHONE")) == ["01033"]


def test_big_towns_first(places):
    assert codes(suggest("paris")) == ["75056", "75115", "75111", "75101", "81202"]
    assert codes(suggest("pari")) == codes(suggest("paris"))


def test_exact_name_first_then_population(places):
    # Both Valence are named exactly so, the Drôme's is bigger; "val" also finds Valserhône and Val-Revermont.
    assert codes(suggest("valence")) == ["26362", "82186"]
    assert codes(suggest("val")) == ["26362", "01033", "82186", "01426"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paris 11", "75111"),
        ("paris 11e", "75111"),
        ("Paris 11ème", "75111"),
        ("paris 11eme arrondissement", "75111"),
        ("11e paris", "75111"),
        ("Paris 11e Arrondissement", "75111"),
        ("75011", "75111"),
        ("Lyon 3e", "69383"),
        ("lyon 3", "69383"),
        ("Marseille 1er", "13201"),
        ("marseille 1ere", "13201"),
        ("marseille 1", "13201"),
        ("13001", "13201"),
    ],
)
def test_arrondissements(places, text, expected):
    assert codes(suggest(text))[0] == expected


def test_number_typed_whole_comes_first(places):
    # The 1er before the bigger 11e and 15e, which "1" also starts.
    assert codes(suggest("paris 1")) == ["75101", "75115", "75111"]


def test_postal_code_of_an_arrondissement_before_its_city(places):
    assert codes(suggest("75011")) == ["75111", "75056"]
    # Postal code first, then the commune of that INSEE code.
    assert codes(suggest("13008")) == ["13208", "13055", "13008"]


def test_postal_code_prefix(places):
    assert codes(suggest("420")) == ["42218"]
    assert codes(suggest("42")) == ["42218", "42091"]
    assert codes(suggest("01370")) == ["01426", "01038"]
    assert codes(suggest("7")) == ["75056", "75115", "75111", "76575", "75101"]


def test_postal_code_shown_is_the_one_typed(places):
    assert [commune.suggestion_label for commune in suggest("42100")] == ["Saint-Étienne (42100)"]
    assert [commune.suggestion_label for commune in suggest("saint etienne")][0] == "Saint-Étienne (42000)"


def test_insee_code_matches_exactly(places):
    assert codes(suggest("42218")) == ["42218"]
    assert codes(suggest("2A004")) == ["2A004"]
    assert codes(suggest("2a004")) == ["2A004"]
    # Neither a postal code nor a whole INSEE code.
    assert suggest("4221") == []


def test_communes_deleguees_lead_to_their_commune(places):
    suggestions = suggest("Bellegarde-sur-Valserine")
    assert codes(suggestions) == ["01033"]
    assert suggestions[0].type == Commune.Type.COMMUNE
    assert suggestions[0].via == "Bellegarde-sur-Valserine"
    # Only the name typed in full: a commune déléguée is never suggested by itself.
    assert suggest("bellegarde") == []
    assert suggest("valserhone")[0].via is None


def test_at_most_ten(places):
    for number in range(15):
        commune(f"59{number + 100:03d}", f"Ville {number}", [f"59{number + 100:03d}"], 1000 + number)
    suggestions = suggest("ville")
    assert len(suggestions) == 10
    assert [commune.nom for commune in suggestions[:2]] == ["Ville 14", "Ville 13"]
    assert len(suggest("59")) == 10
    assert len(suggest("ville", limit=3)) == 3
    assert len(suggest("ville", limit=50)) == 10


@pytest.mark.parametrize("text", [None, "", " ", "a", "é", "-", "'", "!!", "北京", "😀"])
def test_nothing_to_search(places, text):
    assert parse(text) is None
    assert suggest(text) == []


def test_one_digit_is_searched(places):
    assert parse("7") is not None


def test_no_match(places):
    assert suggest("zzzz") == []
    assert suggest("paris zzz") == []


def test_tsquery_syntax_is_plain_words(places):
    # Operators of the tsquery syntax are not alphanumeric: normalize() has turned them into spaces.
    assert parse("a:* | b & !c <-> (d)").tsquery == "'a':*A & 'b':*A & 'c':*A & 'd':*A"
    assert suggest("paris:* | !lyon") == []


# --- The search columns ---------------------------------------------------------------------------------------------


def test_save_fills_the_search_columns(places):
    paris11 = Commune.objects.get(code_insee="75111")
    assert paris11.search_name == "paris 11e arrondissement"
    assert paris11.search_vector == "'11e':2A '75011':4B '75111':5C 'arrondissement':3A 'paris':1A"

    paris11.nom = "Paris Onzième"
    paris11.save(update_fields=["nom"])
    assert Commune.objects.get(code_insee="75111").search_name == "paris onzieme"


def test_search_vector_is_written_as_postgresql_prints_it(places):
    # The importer compares the stored text with search_document(): they must be spelled alike.
    for nom, codes_postaux, code_insee, search_name, search_vector in Commune.objects.values_list(
        "nom", "codes_postaux", "code_insee", "search_name", "search_vector"
    ):
        assert (search_name, search_vector) == search_document(nom, codes_postaux, code_insee)


def test_import_fills_the_search_columns_in_bulk():
    out = StringIO()
    call_command("import_communes", FIXTURES / "sample_places.csv", FIXTURES / "sample_subdivisions.csv", stdout=out)
    assert Commune.objects.get(code_insee="29083").search_name == "ile de sein"
    assert codes(suggest("Lyon 1er")) == ["69381"]
    assert codes(suggest("Bellegarde-sur-Valserine")) == ["01033"]

    # Columns left stale (a change of normalisation, a migration) are written again by the next import.
    Commune.objects.filter(code_insee="29083").update(search_name="", search_vector=None)
    out = StringIO()
    call_command("import_communes", FIXTURES / "sample_places.csv", stdout=out)
    assert "1 mise à jour" in out.getvalue()
    assert codes(suggest("ile de sein")) == ["29083"]


# --- The view -------------------------------------------------------------------------------------------------------


def test_url():
    assert reverse("communes:autocomplete") == URL


def test_fragment(client, places, django_assert_max_num_queries):
    # The suggestions, the data version that keys the cached answer (inclusion_site.caching), and the visitor's
    # rate-limit counter (core.rate_limits: started by this first request, one statement).
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"q": "st etienne"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=3600"}
    assert "Accept" in response["Vary"]
    html = response.content.decode()
    assert html.count('id="communes-suggestions"') == 1
    assert 'role="listbox"' in html
    assert html.count('role="option"') == 2
    assert 'id="communes-suggestions-42218"' in html
    assert option_codes(response) == ["42218", "76575"]
    assert 'data-label="Saint-Étienne (42000)"' in html
    assert re.search(r">\s*Saint-Étienne \(42000\)\s*<", html)


def test_fragment_of_an_arrondissement(client, places):
    response = client.get(URL, {"q": "Paris 11"})
    assert 'data-code="75111" data-label="Paris 11e Arrondissement (75011)"' in " ".join(
        response.content.decode().split()
    )


def test_fragment_names_the_commune_deleguee_typed(client, places):
    response = client.get(URL, {"q": "bellegarde sur valserine"})
    html = response.content.decode()
    assert option_codes(response) == ["01033"]
    assert 'data-label="Valserhône (01200)"' in html
    assert "comprend Bellegarde-sur-Valserine" in html


@pytest.mark.parametrize("params", [{"q": "paris", "format": "json"}, {"q": "paris"}])
def test_json(client, places, params):
    headers = {} if "format" in params else {"Accept": "application/json"}
    response = client.get(URL, params, headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=3600"}
    data = json.loads(response.content)
    assert [item["code"] for item in data] == ["75056", "75115", "75111", "75101", "81202"]
    assert data[2] == {
        "code": "75111",
        "nom": "Paris 11e Arrondissement",
        "label": "Paris 11e Arrondissement (75011)",
        "codes_postaux": ["75011"],
        "departement": "75",
        "population": 138170,
    }


def test_browsers_get_html(client, places):
    response = client.get(URL, {"q": "paris"}, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response["Content-Type"] == "text/html; charset=utf-8"
    response = client.get(URL, {"q": "paris"}, headers={"Accept": "*/*"})
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("text", ["", "a", "é", "  ", "-"])
def test_empty_or_short_query_gives_an_empty_fragment(client, places, text, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the data version (inclusion_site.caching) and the rate-limit counter
        response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert 'id="communes-suggestions"' in response.content.decode()
    assert option_codes(response) == []

    response = client.get(URL, {"q": text, "format": "json"})
    assert response.status_code == 200
    assert json.loads(response.content) == []


def test_no_query_parameter(client, places):
    response = client.get(URL)
    assert response.status_code == 200
    assert option_codes(response) == []


def test_too_long_query(client, places):
    response = client.get(URL, {"q": "a" * 101})
    assert response.status_code == 400
    assert response.content.decode() == "Recherche trop longue : 100 caractères au plus."

    response = client.get(URL, {"q": "a" * 101, "format": "json"})
    assert response.status_code == 400
    assert json.loads(response.content) == {"erreur": "Recherche trop longue : 100 caractères au plus."}

    assert client.get(URL, {"q": "a" * 100}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE communes_commune; --",
        "paris' OR '1'='1",
        "%",
        "_",
        "\\",
        "a:*",
        "!(paris)",
        "paris & lyon | !marseille",
        "北京市",
        "Saint-Étienne 😀",
        "\u0301\u0301",
        "ﬁ",
        "ǅ",
        "١٢٣",
        "0" * 100,
        "1 2 3 4 5 6 7 8 9 0 " * 5,
        "paris\x00",
        "\ufeffparis",
    ],
)
def test_weird_input_never_fails(client, places, text):
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert client.get(URL, {"q": text, "format": "json"}).status_code == 200
    assert resolve_commune_input(text) in (None, places["paris"], places["saint_etienne"])


def test_names_are_escaped(client, places):
    commune("59999", 'Les <Bains> & "Thermes"', ["59999"], 10)
    html = client.get(URL, {"q": "bains thermes"}).content.decode()
    assert "&lt;Bains&gt; &amp; &quot;Thermes&quot;" in html
    assert "<Bains>" not in html


def test_only_get(client, places):
    assert client.post(URL, {"q": "paris"}).status_code == 405


# --- resolve_commune_input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A postal code of one place; an arrondissement rather than the city that shares it.
        ("42100", "saint_etienne"),
        (" 42000 ", "saint_etienne"),
        ("75011", "paris11"),
        ("13008", "marseille8"),
        # An INSEE code, when no place has that postal code.
        ("42218", "saint_etienne"),
        ("2A004", "ajaccio"),
        # A label of the suggestions, with any of the place's postal codes.
        ("Saint-Étienne (42000)", "saint_etienne"),
        ("Saint-Étienne (42100)", "saint_etienne"),
        ("Saint-Denis (97400)", "saint_denis_974"),
        ("Saint-Denis (93210)", "saint_denis_93"),
        ("Paris 11e Arrondissement (75011)", "paris11"),
        # A name typed in full, unique or clearly the most populous.
        ("Saint-Étienne", "saint_etienne"),
        ("st etienne", "saint_etienne"),
        ("PARIS", "paris"),
        ("Valence", "valence"),
        ("ile de sein", "sein"),
        # A commune déléguée leads to its commune.
        ("Bellegarde-sur-Valserine", "valserhone"),
    ],
)
def test_resolve(places, text, expected):
    assert resolve_commune_input(text) == places[expected]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        # Two places with that postal code.
        "01370",
        # Two big places of that name.
        "Saint-Denis",
        # Prefixes are for the suggestions, not for a choice made for the person.
        "Saint-Ét",
        "Paris 11",
        "420",
        "99999",
        "zzz",
        "Saint-Étienne (99999)",
        "x" * 101,
    ],
)
def test_resolve_nothing(places, text):
    assert resolve_commune_input(text) is None


# --- The real files -------------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not (django_settings.SHARED_DATA_DIR / "communes.csv.gz").exists(), reason="shared communes files absent"
)
def test_shared_files(client):
    call_command("import_communes", django_settings.SHARED_DATA_DIR, stdout=StringIO())

    expected_first = {
        "st etienne": "42218",
        "saint-étienne": "42218",
        "ST-ETIENNE": "42218",
        "42000": "42218",
        "paris": "75056",
        "Paris 11": "75111",
        "Paris 11e": "75111",
        "75011": "75111",
        "Lyon 3e": "69383",
        "Marseille 1er": "13201",
        "13008": "13208",
        "Bellegarde-sur-Valserine": "01033",
        "lyon": "69123",
        "marseille": "13055",
    }
    timings = []
    for text, code in expected_first.items():
        start = time.perf_counter()
        suggestions = suggest(text)
        timings.append(time.perf_counter() - start)
        assert codes(suggestions)[0] == code, text
    assert len(suggest("sa")) == 10
    assert codes(suggest("420"))[0] == "42218"
    print(f"\nsuggest() on the shared files: slowest of {len(timings)} queries {max(timings) * 1000:.1f} ms")

    assert resolve_commune_input("75011").code_insee == "75111"
    assert resolve_commune_input("Paris").code_insee == "75056"
    assert resolve_commune_input("Saint-Étienne (42000)").code_insee == "42218"
    assert resolve_commune_input("Saint-Denis") is None

    response = client.get(URL, {"q": "Paris 11"})
    assert option_codes(response)[0] == "75111"

    # Whole cities of arrondissements and namesakes by their département; their labels are understood back.
    assert [commune.suggestion_label for commune in suggest("paris")][:2] == [
        "Paris (75)",
        "Paris 15e Arrondissement (75015)",
    ]
    assert [commune.suggestion_label for commune in suggest("Saint-Denis")][:2] == [
        "Saint-Denis (La Réunion)",
        "Saint-Denis (93)",
    ]
    for label in ("Paris (75)", "Lyon (69)", "Marseille (13)", "Saint-Denis (93)", "Saint-Denis (La Réunion)"):
        assert resolve_commune_input(label).label == label

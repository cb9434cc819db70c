"""The search page, its htmx fragment and the CSV export."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from data_inclusion.schema import v1

from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lille():
    return CommuneFactory(
        code_insee="59350",
        nom="Lille",
        codes_postaux=["59000"],
        departement="59",
        epci="200093201",
        latitude=50.63046,
        longitude=3.07134,
        population=238246,
    )


@pytest.fixture
def offer(lille):
    """25 on-site services around Lille and 3 remote ones, with varied filters."""
    structure = StructureFactory(nom="Centre social <b>Pagnol</b>", telephone="03 20 00 00 00")
    services = []
    for index in range(25):
        services.append(
            ServiceFactory(
                id=f"dora--svc-{index:02d}",
                structure=structure,
                latitude=lille.latitude + index * 0.001,
                longitude=lille.longitude,
                frais="gratuit" if index % 2 else "payant",
                thematiques=["mobilite--preparer-un-permis"] if index % 3 else ["numerique--acquerir-un-equipement"],
                modes_mobilisation=["telephoner"],
            )
        )
    for index in range(3):
        ServiceFactory(
            id=f"soliguide--remote-{index}",
            source="soliguide",
            modes_accueil=["a-distance"],
            latitude=None,
            longitude=None,
            zone_eligibilite=["france"],
        )
    return services


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(response) -> str:
    return " ".join(soup(response).get_text(" ").split())


def test_home_and_services_serve_the_search_form(client):
    for url in ("/", "/services/"):
        response = client.get(url)
        assert response.status_code == 200
        page = soup(response)
        form = page.find("form", id="services-search-form")
        assert form["method"] == "get" and form["action"] == "/services/"
        assert page.find("label", attrs={"for": "id_commune"})
        assert len(page.select('input[name="thematiques"]')) == len(v1.Categorie) + len(v1.Thematique)


def test_full_page_lists_results_with_count_distance_and_pagination(client, offer):
    response = client.get("/services/", {"code_commune": "59350"})
    assert response.status_code == 200
    page = soup(response)
    assert page.find(id="services-count").get_text(strip=True) == "28 services pour Lille (59000) (rayon 50 km)"
    cards = page.select("#services-results article")
    assert len(cards) == 20
    assert "à 10 m" in cards[0].get_text()  # the nearest, at Lille's very point: "à 10 m" at least
    assert page.select_one(".fr-pagination a[href='?code_commune=59350&page=2']")
    # Data is escaped, never interpreted.
    assert "<b>Pagnol</b>" not in response.content.decode()
    assert "&lt;b&gt;Pagnol&lt;/b&gt;" in response.content.decode()


def test_remote_results_are_grouped_after_on_site_ones(client, offer):
    page = soup(client.get("/services/", {"code_commune": "59350", "page": 2}))
    headings = [h.get_text(" ", strip=True) for h in page.select("#services-results h2")]
    assert headings[0].startswith("Sur place")
    assert headings[1].startswith("À distance")


def test_fragment_for_htmx_has_results_and_out_of_band_counts(client, offer):
    response = client.get("/services/", {"code_commune": "59350", "frais": "gratuit"}, **HTMX)
    assert response.status_code == 200
    assert response["Vary"] and "HX-Request" in response["Vary"]
    fragment = soup(response)
    assert fragment.find("form") is None
    assert fragment.find(id="services-results")
    count = fragment.find(id="services-count")
    assert count["hx-swap-oob"] == "innerHTML"
    assert "15 services" in count.get_text()
    facet = fragment.find(id="facet-frais-payant")
    assert facet["hx-swap-oob"] == "true"
    assert "(28)" in facet.get_text()  # what choosing "payant" too gives: free or paying


def apply_fragment(page_html: str, fragment_html: str) -> BeautifulSoup:
    """Do what htmx does: swap #services-results, then the out-of-band elements."""
    page = BeautifulSoup(page_html, "html.parser")
    fragment = BeautifulSoup(fragment_html, "html.parser")
    for element in fragment.select("[hx-swap-oob]"):
        element.extract()
        target = page.find(id=element["id"])
        if element["hx-swap-oob"] == "innerHTML":
            target.clear()
            for child in list(element.contents):
                target.append(child)
        else:
            del element["hx-swap-oob"]
            target.replace_with(element)
    page.find(id="services-results").replace_with(fragment.find(id="services-results"))
    return page


def swapped_parts(page: BeautifulSoup) -> list[str]:
    parts = [page.find(id="services-results"), page.find(id="services-count")]
    parts += page.select(".services-facet-count")
    return [" ".join(str(part).split()) for part in parts]


def test_fragment_applied_to_the_page_equals_the_fresh_page(client, offer):
    before = client.get("/services/", {"code_commune": "59350"}).content.decode()
    params = {"code_commune": "59350", "frais": "gratuit", "thematiques": "mobilite"}
    fragment = client.get("/services/", params, **HTMX).content.decode()
    fresh = BeautifulSoup(client.get("/services/", params).content.decode(), "html.parser")
    assert swapped_parts(apply_fragment(before, fragment)) == swapped_parts(fresh)


def test_history_restore_gets_the_full_page(client, offer):
    response = client.get(
        "/services/", {"code_commune": "59350"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert soup(response).find("form", id="services-search-form")


def test_query_count_is_constant(client, offer, django_assert_max_num_queries):
    client.get("/services/", {"code_commune": "59350"})  # warm the sources cache
    with django_assert_max_num_queries(5):
        client.get("/services/", {"code_commune": "59350", "thematiques": "mobilite", "q": "atelier"})
    with django_assert_max_num_queries(5):
        client.get("/services/", {"code_commune": "59350", "page": 2}, **HTMX)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"code_commune": "99999"}, "Aucune commune ne porte le code « 99999 »."),
        ({"thematiques": "voler"}, "« voler » n'est pas une valeur possible pour ce filtre."),
        ({"lat": "50.6"}, "Indiquez la latitude et la longitude ensemble."),
        ({"code_commune": "59350", "rayon_km": "7"}, "Choisissez un rayon parmi 5, 10, 20, 50 et 100 km."),
        ({"code_commune": "59350", "page": "99"}, "Cette page n'existe pas"),
        ({"q": "x" * 201}, "Le texte recherché est limité à 200 caractères."),
        ({"score_qualite_minimum": "2"}, "inférieure ou égale à 1"),
        ({"lat": "abc", "lon": "3"}, "Saisissez un nombre."),
    ],
)
def test_invalid_input_gets_a_french_message_never_a_500(client, offer, params, message):
    page = client.get("/services/", params)
    assert page.status_code == 200
    assert message in text_of(page)
    fragment = client.get("/services/", params, **HTMX)
    assert fragment.status_code == 400
    assert message in text_of(fragment)
    if "page" not in params:  # the export has no pages: it ignores the parameter
        export = client.get("/services/export.csv", params)
        assert export.status_code == 400
        assert message in export.content.decode()


def test_empty_results_offer_ways_to_widen(client, lille):
    ServiceFactory(latitude=50.9, longitude=3.07134, zone_eligibilite=None)  # ~30 km north
    page = soup(client.get("/services/", {"code_commune": "59350", "rayon_km": "10", "frais": "payant"}))
    text = page.find(id="services-results").get_text(" ", strip=True)
    assert "Aucun service ne correspond" in text
    links = {a.get_text(strip=True): a["href"] for a in page.select("#services-results .fr-callout a")}
    assert "rayon_km=20" in links["Chercher dans un rayon de 20 km"]
    assert "frais" not in links["Retirer le filtre des frais"]


def test_export_equals_the_concatenation_of_all_pages(client, offer):
    params = {"code_commune": "59350"}
    export = client.get("/services/export.csv", params)
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    content = b"".join(export.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0])[:12] == [
        "id",
        "nom",
        "structure_id",
        "structure_nom",
        "commune",
        "code_postal",
        "distance_km",
        "modes_accueil",
        "thematiques",
        "telephone",
        "courriel",
        "lien_source",
    ]
    paged = []
    for number in (1, 2):
        page = soup(client.get("/services/", {**params, "page": number}))
        paged += [a["href"].split("?")[0] for a in page.select("#services-results article h3 a")]
    assert [f"/services/{row['id']}/" for row in rows] == paged
    assert rows[0]["distance_km"] and rows[-1]["distance_km"] == ""


def test_detail_url_accepts_ids_with_slashes_spaces_and_accents(client, lille):
    service = ServiceFactory(id="dora--atelier/numérique #1 ?x=%20")
    response = client.get(f"/services/{__import__('urllib.parse').parse.quote(service.id)}/")
    assert response.status_code == 200
    assert service.nom in response.content.decode()


def test_unpublished_service_answers_410(client, lille):
    service = ServiceFactory(is_published=False)
    response = client.get(f"/services/{service.id}/")
    assert response.status_code == 410


def test_point_search_uses_the_nearest_commune_and_measures_from_the_point(client, lille):
    roubaix = CommuneFactory(
        code_insee="59512", nom="Roubaix", epci="200093201", latitude=50.69096, longitude=3.17405, departement="59"
    )
    ServiceFactory(
        id="only-roubaix", latitude=roubaix.latitude, longitude=roubaix.longitude, zone_eligibilite=["59512"]
    )
    ServiceFactory(id="only-lille", latitude=lille.latitude, longitude=lille.longitude, zone_eligibilite=["59350"])
    # A point in Roubaix: Roubaix's eligibility codes, distances from the point.
    page = soup(client.get("/services/", {"lat": "50.6905", "lon": "3.1745", "rayon_km": "5"}))
    titles = [a["href"] for a in page.select("#services-results article h3 a")]
    assert [href.split("?")[0] for href in titles] == ["/services/only-roubaix/"]
    assert "à 60 m" in page.select_one("#services-results article").get_text()  # from the point, not the commune
    assert "votre position" in page.find(id="services-count").get_text()


def test_doublons_parameter_shows_every_duplicate(client, lille):
    first = StructureFactory(id="dora--a", duplicate_group="dora--a")
    second = StructureFactory(id="soliguide--a", duplicate_group="dora--a")
    ServiceFactory(structure=first, zone_eligibilite=None, score_qualite=0.9)
    ServiceFactory(structure=second, zone_eligibilite=None, score_qualite=0.1)
    count = soup(client.get("/services/", {"code_commune": "59350"})).find(id="services-count").get_text()
    assert "1 service " in count
    count = soup(client.get("/services/", {"code_commune": "59350", "doublons": "true"})).find(id="services-count")
    assert "2 services" in count.get_text()


def test_open_filter_in_the_form_and_its_errors(client, lille):
    page = soup(client.get("/services/", {"code_commune": "59350", "ouvert": "maintenant"}))
    assert page.select_one('input[name="ouvert"][value="maintenant"][checked]')
    assert "horaires ne sont pas connus" in page.get_text()
    response = client.get("/services/", {"code_commune": "59350", "ouvert": "hier"}, **HTMX)
    assert response.status_code == 400
    assert "Choisissez « maintenant » ou « aujourdhui »." in text_of(response)


def test_every_count_next_to_an_option_is_the_count_of_results_once_chosen(client, offer):
    """Around Lille "Femmes (25)" used to give 231 results: services open to everyone were found by the filter
    but not counted."""
    ServiceFactory(id="dora--for-women", publics=["femmes"], latitude=50.63, longitude=3.07)
    page = soup(client.get("/services/", {"code_commune": "59350"}))
    for name, value in (("publics", "femmes"), ("frais", "gratuit"), ("thematiques", "mobilite")):
        badge = page.find(id=f"facet-{name}-{value}").find(attrs={"aria-hidden": "true"}).get_text()
        chosen = soup(client.get("/services/", {"code_commune": "59350", name: value}))
        count = chosen.find(id="services-count").get_text(strip=True).split()[0]
        assert badge == f"({count})", (name, value)

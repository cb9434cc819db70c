"""The search page, its htmx fragment and the CSV export."""

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from data_inclusion.schema import v1
from django.core.paginator import Paginator
from django.http import QueryDict

from services.options import Option
from services.pages import listed_page, page_hrefs
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(response) -> str:
    return " ".join(soup(response).get_text(" ").split())


def test_home_asks_where_and_which_need_and_lands_on_the_results(client):
    page = soup(client.get("/"))
    form = page.find("form", id="services-search-form")
    assert form["method"] == "get" and form["action"] == "/services/#resultats"
    assert page.find("label", attrs={"for": "id_commune"})
    needs = page.select('button[type="submit"][name="thematiques"]')
    assert [button["value"] for button in needs] == [category.value for category in v1.Categorie]
    assert [button.get_text(strip=True) for button in needs][:2] == ["Choisir un métier", "Créer une entreprise"]
    # The first submit button, the one Enter presses, searches every need.
    assert not form.find("button", type="submit").get("name")


def test_results_page_holds_the_filters_and_every_submit_lands_on_the_results(client):
    page = soup(client.get("/services/"))
    form = page.find("form", id="services-search-form")
    assert form["method"] == "get" and form["action"] == "/services/#resultats"
    assert form.find_parent(id="filtres")
    assert page.find(id="resultats")
    assert len(page.select('input[name="thematiques"]')) == len(v1.Categorie) + len(v1.Thematique)
    # "Filtrer (N)" is a page anchor: it works without JavaScript.
    assert page.select_one(".services-filter-toggle")["href"] == "#filtres"


def test_links_to_the_former_search_at_the_root_go_to_the_results(client):
    response = client.get("/", {"code_commune": "59350", "thematiques": "mobilite"})
    assert response.status_code == 302
    assert response["Location"] == "/services/?code_commune=59350&thematiques=mobilite"


def test_full_page_lists_results_with_count_distance_and_pagination(client, offer):
    response = client.get("/services/", {"code_commune": "59350"})
    assert response.status_code == 200
    page = soup(response)
    assert (
        page.find(id="services-count").get_text(strip=True)
        == "28 services : 25 sur place à moins de 50 km, 3 à distance"
    )
    assert page.find("h1").get_text(strip=True) == "Tous les besoins à Lille"
    assert page.title.get_text(strip=True) == "Tous les besoins à Lille : 28 services — Trouver un service d'insertion"
    cards = page.select("#services-results article")
    assert len(cards) == 20
    assert "à 10 m" in cards[0].get_text()  # the nearest, at Lille's very point: "à 10 m" at least
    assert page.select_one(".fr-pagination a[href='?code_commune=59350&page=2#resultats']")
    assert page.select("#services-results article")[0]["id"] == "resultat-1"
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
    counts = json.loads(fragment.find(id="services-facet-counts")["data-counts"])
    assert counts["frais"]["payant"] == 28  # what choosing "payant" too gives: free or paying
    assert fragment.find(class_="services-facet-count") is None  # counts as data, not ~160 rendered badges


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
    page.title.string = fragment.title.string  # htmx takes the document's title from the fragment's
    # What static/js/search.js does with the counts sent as data: the badges written as the page writes them.
    data = page.find(id="services-facet-counts").extract()
    for name, counts in json.loads(data["data-counts"]).items():
        for value, count in counts.items():
            option = Option(name, value, "", count, False)
            page.find(id=option.count_id).replace_with(BeautifulSoup(option.count_badge(), "html.parser"))
    return page


def swapped_parts(page: BeautifulSoup) -> list[str]:
    parts = [page.find(id="services-results"), page.find(id="services-count"), page.find(id="services-title")]
    parts += [page.find(id="services-filter-count"), page.title]
    parts += page.select(".services-facet-count")
    return [" ".join(str(part).split()) for part in parts]


def test_fragment_applied_to_the_page_equals_the_fresh_page(client, offer):
    before = client.get("/services/", {"code_commune": "59350"}).content.decode()
    params = {"code_commune": "59350", "frais": "gratuit", "thematiques": "mobilite", "sources": "dora"}
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
    assert all(url.endswith("#resultats") for url in links.values())
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
    assert page.find("h1").get_text(strip=True) == "Tous les besoins autour de votre position"


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


def chips_of(page) -> dict[str, str]:
    return {" ".join(a.get_text(" ", strip=True).split()): a["href"] for a in page.select(".services-chips a")}


def test_active_filters_are_chips_that_remove_themselves_hidden_advanced_ones_included(client, offer):
    """A shared link with a Sources filter used to say "42 services" while the filter hid in "Recherche avancée"."""
    params = {
        "code_commune": "59350",
        "thematiques": ["mobilite", "mobilite--preparer-un-permis"],
        "frais": "gratuit",
        "sources": "dora",
        "score_qualite_minimum": "0.5",
        "rayon_km": "20",
        "q": "permis",
    }
    page = soup(client.get("/services/", params))
    chips = chips_of(page)
    assert list(chips) == [
        "« permis » : retirer ce filtre",
        "Rayon : 20 km : retirer ce filtre",
        "Mobilité : retirer ce filtre",
        "Mobilité › Préparer un permis : retirer ce filtre",
        "Gratuit : retirer ce filtre",
        "DORA : retirer ce filtre",
        "Score de qualité ≥ 0,5 : retirer ce filtre",
        "Effacer les filtres",
    ]
    assert page.find(id="services-filter-count").get_text() == "7"
    assert all(href.startswith("/services/?") and href.endswith("#resultats") for href in chips.values())
    removed = parse_qs(urlsplit(chips["DORA : retirer ce filtre"]).query)
    assert "sources" not in removed and removed["frais"] == ["gratuit"] and removed["q"] == ["permis"]
    removed = parse_qs(urlsplit(chips["Mobilité › Préparer un permis : retirer ce filtre"]).query)
    assert removed["thematiques"] == ["mobilite"]
    assert parse_qs(urlsplit(chips["Effacer les filtres"]).query) == {"code_commune": ["59350"]}
    # The advanced filters' box is open: the active source can be seen where it is chosen.
    assert page.select_one("details[open] #sources-dora[checked]")
    # Each chip leads to the page without that filter.
    without = soup(client.get(chips["DORA : retirer ce filtre"]))
    assert "DORA : retirer ce filtre" not in chips_of(without)


def test_title_and_heading_follow_the_search(client, offer):
    page = soup(client.get("/services/", {"code_commune": "59350", "thematiques": "mobilite"}))
    count = len(page.select("#services-results article"))
    assert page.find("h1").get_text(strip=True) == "Mobilité à Lille"
    assert page.title.get_text() == f"Mobilité à Lille : {count} services — Trouver un service d'insertion"
    fragment = soup(
        client.get("/services/", {"code_commune": "59350", "thematiques": ["mobilite", "numerique"]}, **HTMX)
    )
    assert fragment.title.get_text() == "Mobilité et Numérique à Lille : 28 services — Trouver un service d'insertion"
    assert fragment.find(id="services-title").get_text(strip=True) == "Mobilité et Numérique à Lille"
    page = soup(client.get("/services/", {"thematiques": ["mobilite", "numerique", "sante"]}))
    assert page.find("h1").get_text(strip=True) == "Mobilité, Numérique et 1 autre besoin"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Lille", "Lille (59000)"), ("59000", "Lille (59000)"), ("Paris 11", "Paris 11e Arrondissement (75011)")],
)
def test_a_commune_typed_without_javascript_is_used_when_it_means_one_place(client, offer, typed, expected):
    paris = CommuneFactory(code_insee="75056", nom="Paris", codes_postaux=[], departement="75", population=2_100_000)
    CommuneFactory(
        code_insee="75111",
        nom="Paris 11e Arrondissement",
        codes_postaux=["75011"],
        departement="75",
        parent=paris,
        type="arrondissement-municipal",
        population=145_000,
    )
    page = soup(client.get("/services/", {"commune": typed}))
    assert not page.select(".fr-alert--error")
    assert page.find(id="id_commune")["value"] == expected


def test_several_communes_typed_without_javascript_are_offered_as_links_none_gets_a_message(client, offer):
    for code, departement in (("93066", "93"), ("97411", "974")):
        CommuneFactory(
            code_insee=code,
            nom="Saint-Denis",
            codes_postaux=[],
            departement=departement,
            population=110_000,
            has_namesake=True,
        )
    page = soup(client.get("/services/", {"commune": "Saint-Denis", "thematiques": "mobilite"}))
    alert = page.select_one("#services-results .fr-alert--error")
    assert "Plusieurs communes correspondent à « Saint-Denis » : choisissez la vôtre." in alert.get_text()
    choices = {a.get_text(strip=True): a["href"] for a in alert.select(".services-commune-choices a")}
    assert set(choices) == {"Saint-Denis (93)", "Saint-Denis (La Réunion)"}
    chosen = parse_qs(urlsplit(choices["Saint-Denis (93)"]).query)
    assert chosen["code_commune"] == ["93066"] and chosen["thematiques"] == ["mobilite"]
    assert choices["Saint-Denis (93)"].endswith("#resultats")
    assert soup(client.get(choices["Saint-Denis (93)"])).find("h1").get_text(strip=True) == "Mobilité à Saint-Denis"
    page = soup(client.get("/services/", {"commune": "Zzyzx"}))
    assert "Aucune commune ne correspond à « Zzyzx » : vérifiez l'orthographe, ou indiquez le code postal." in (
        page.select_one("#services-results .fr-alert--error").get_text()
    )


def test_nothing_on_site_says_so_offers_a_wider_radius_then_shows_the_remote_services(client, lille):
    """Mende + logement used to show only remote services without saying that nothing was on site."""
    ServiceFactory(id="far-on-site", latitude=50.9, longitude=3.07134, zone_eligibilite=None)  # ~30 km north
    ServiceFactory(id="remote", modes_accueil=["a-distance"], latitude=None, longitude=None, zone_eligibilite=None)
    page = soup(client.get("/services/", {"code_commune": "59350", "rayon_km": "20"}))
    notice = page.select_one("#services-results .services-empty-here")
    assert notice.find("h2").get_text(" ", strip=True) == "Aucun service sur place à moins de 20 km de Lille (59000)"
    wider = notice.find("a", string="Chercher dans un rayon de 50 km")
    assert parse_qs(urlsplit(wider["href"]).query)["rayon_km"] == ["50"]
    assert [a["href"].split("?")[0] for a in page.select("#services-results article h3 a")] == ["/services/remote/"]
    assert page.find(id="services-count").get_text(strip=True) == "1 service à distance"
    assert not soup(client.get(wider["href"])).select(".services-empty-here")


@pytest.mark.parametrize(
    "number, shown",
    [
        (1, [1, 2, "…", 690, 691]),
        (2, [1, 2, 3, "…", 690, 691]),
        (5, [1, 2, 3, 4, 5, 6, "…", 690, 691]),
        (345, [1, 2, "…", 344, 345, 346, "…", 690, 691]),
        (691, [1, 2, "…", 690, 691]),
    ],
)
def test_the_pagination_shows_its_page_numbers_in_order(number, shown):
    assert listed_page(Paginator(range(13_801), 20), number).pages_list == shown


def test_a_few_pages_are_all_shown():
    assert listed_page(Paginator(range(120), 20), 3).pages_list == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "query",
    ["code_commune=59350", "page=3&code_commune=59350&thematiques=a&thematiques=b", "q=page%3D0%26page%3D1&page=2"],
)
def test_page_links_are_the_search_with_its_page_number_in_place(query):
    """The links encode the query once around the page number: the same as setting it in the query each time."""
    params, paginator = QueryDict(query, mutable=True), Paginator(range(500), 20)
    page = listed_page(paginator, int(params.get("page", 1)))
    hrefs = page_hrefs(params, page)

    def expected(number) -> str:
        params["page"] = number
        return f"?{params.urlencode()}#resultats"

    assert (hrefs["first"], hrefs["last"]) == (expected(1), expected(25))
    assert hrefs["pages"] == [(item, "" if item == "…" else expected(item)) for item in page.pages_list]

"""Ma sélection without an account: the selection lives in the URL, pages carry it along without JavaScript, and
one page lists the services with all it takes to act, printable and shareable as one link."""

from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict

from services.selection import MAX_SIZE, Selection, ToggleLinks
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

# Ids that URLs must escape: slash, spaces, accents, #, ?, %, & and +.
ODD_IDS = ["dora--atelier/numérique #1 ?x=%20", "soliguide--café & co+1", "dora--é è/ù"]


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def entries(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(".services-selection__entry h2 a")]


@pytest.fixture
def odd_services(lille):
    structure = StructureFactory(
        nom="Maison de l'emploi", telephone="+33320000000", horaires_accueil="Mo-Fr 09:00-17:00"
    )
    return [
        ServiceFactory(
            id=service_id,
            nom=f"Service {index}",
            structure=structure,
            latitude=50.63 + index * 0.01,
            longitude=3.07,
            modes_mobilisation=["telephoner", "se-presenter"],
            conditions_acces="Sur rendez-vous",
        )
        for index, service_id in enumerate(ODD_IDS)
    ]


def test_without_javascript_results_add_services_to_a_selection_carried_by_the_links(client, odd_services):
    page = soup(client.get("/services/", {"code_commune": "59350"}))
    toggle = page.select_one("#resultat-2 [data-select]")
    assert toggle["data-select"] == ODD_IDS[1]
    assert toggle.get_text(" ", strip=True) == "Ajouter à ma sélection : Service 1"
    href = toggle["href"]
    assert href.endswith("#resultat-2")
    assert parse_qs(urlsplit(href).query) == {"code_commune": ["59350"], "s": [ODD_IDS[1]]}
    # The page reached: the service is selected, the others can be added after it, the form keeps the selection.
    page = soup(client.get(href))
    assert (
        page.select_one("#resultat-2 [data-select]").get_text(" ", strip=True) == "Retirer de ma sélection : Service 1"
    )
    href = page.select_one("#resultat-3 [data-select]")["href"]
    assert parse_qs(urlsplit(href).query)["s"] == [ODD_IDS[1], ODD_IDS[2]]
    assert [i["value"] for i in page.select('#services-search-form input[name="s"]')] == [ODD_IDS[1]]
    page = soup(client.get(href))
    link = page.select_one("header [data-selection-link]")
    assert link.get_text(" ", strip=True) == "Ma sélection (2)"
    # The card's page adds too, and keeps the search and the selection.
    detail_href = page.select_one("#resultat-1 h3 a")["href"]
    detail = soup(client.get(detail_href))
    toggle = detail.select_one("[data-select]")
    assert toggle.get_text(" ", strip=True) == "Ajouter à ma sélection : Service 0"
    selection_url = soup(client.get(toggle["href"])).select_one("header [data-selection-link]")["href"]
    assert parse_qs(urlsplit(selection_url).query) == {"s": [ODD_IDS[1], ODD_IDS[2], ODD_IDS[0]]}
    assert entries(soup(client.get(selection_url))) == ["Service 1", "Service 2", "Service 0"]


def test_the_selection_page_lists_what_it_takes_to_act_and_shares_one_link(client, odd_services):
    url = "/selection/?" + urlencode([("s", service_id) for service_id in ODD_IDS])
    page = soup(client.get(url))
    assert entries(page) == ["Service 0", "Service 1", "Service 2"]
    first = page.select_one(".services-selection__entry")
    text = " ".join(first.get_text(" ").split())
    assert "Maison de l'emploi — 1 rue de la République, 59000 Lille" in text
    assert first.find("a", href="tel:+33320000000").get_text() == "Téléphoner au 03 20 00 00 00"
    assert "Se présenter sur place" in text
    assert "Lundi 9 h – 17 h" in text and "Sur rendez-vous" in text
    page_url = f"http://testserver/services/{quote(ODD_IDS[0], safe='/')}/".replace("%3D", "=")
    assert first.select_one(".services-entry__link").get_text(" ", strip=True) == f"Fiche complète : {page_url}"
    assert client.get(first.select_one("h2 a")["href"]).status_code == 200
    # One link to share, the same list when opened again; by SMS and e-mail too.
    share = page.find(id="selection-link")["value"]
    assert share == "http://testserver" + url
    assert entries(soup(client.get(urlsplit(share).path + "?" + urlsplit(share).query))) == entries(page)
    sms = page.find("a", string="Envoyer par SMS")["href"]
    assert sms.startswith("sms:?&body=") and unquote(sms).endswith(f"pour vous : {share}")
    mail = parse_qs(urlsplit(page.find("a", string="Envoyer par courriel")["href"]).query)
    assert mail["subject"] == ["Une sélection de services d'insertion"]
    assert "- Service 0 (Maison de l'emploi)" in mail["body"][0] and mail["body"][0].endswith(share)
    assert page.select_one('link[rel="stylesheet"][media="print"][href$="print.css"]')
    # Removing one keeps the others, in order.
    (remove,) = [a for a in first.find_all("a") if a.get_text(" ", strip=True).startswith("Retirer de ma sélection")]
    assert entries(soup(client.get(remove["href"]))) == ["Service 1", "Service 2"]


def test_withdrawn_and_unknown_services_are_said_so(client, odd_services):
    ServiceFactory(id="dora--retire", nom="Ancien atelier", is_published=False)
    page = soup(client.get("/selection/", {"s": [ODD_IDS[0], "dora--retire", "dora--inconnu"]}))
    assert entries(page) == ["Service 0"]
    assert "2 services de cette sélection ne sont plus proposés : Ancien atelier, dora--inconnu." in " ".join(
        page.get_text(" ").split()
    )


def test_a_selection_keeps_at_most_thirty_services_and_says_so(client, lille):
    ids = [ServiceFactory().id for _ in range(MAX_SIZE + 2)]
    page = soup(client.get("/selection/", {"s": ids}))
    assert len(entries(page)) == MAX_SIZE
    assert "Une sélection garde au plus 30 services" in page.get_text()


def test_an_empty_selection_says_how_to_fill_it(client):
    page = soup(client.get("/selection/"))
    assert "Votre sélection est vide" in page.get_text()
    assert page.find("a", string="Chercher un service")["href"] == "/"
    assert not page.select("[data-print]")


@pytest.mark.parametrize("size", [0, 1, 2, MAX_SIZE])
@pytest.mark.parametrize("toggled", ["dora--nouveau/é #1", "odd-1"])
def test_a_toggle_link_is_the_page_with_that_service_toggled_in_the_selection(size, toggled):
    ids = [f"odd-{index}" if index % 2 else f"dora--atelier/{index} &é+" for index in range(size)]
    query = QueryDict(mutable=True)
    query.setlist("commune", ["Lille"])
    query.setlist("s", ids)
    query.setlist("thematiques", ["mobilite", "numerique"])
    expected = Selection.from_query(query).toggled(toggled)

    url = urlsplit(ToggleLinks("/services/", query).url(toggled, "#resultat-3"))

    assert url.path == "/services/" and url.fragment == "resultat-3"
    params = parse_qs(url.query)
    assert params.get("s", []) == list(expected.ids)
    assert params["commune"] == ["Lille"] and params["thematiques"] == ["mobilite", "numerique"]

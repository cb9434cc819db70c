"""The printable list of a search: its criteria, the date, the first results as compact entries with phone,
address and our page's address."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import formats

from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
URL = "/services/imprimer/"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def test_the_list_holds_criteria_date_and_the_results_in_the_pages_order(client, offer):
    offer[0].structure.horaires_accueil = "Mo-Fr 09:00-17:00"
    offer[0].structure.save()
    params = {"code_commune": "59350", "thematiques": "mobilite", "frais": "gratuit"}
    results = soup(client.get("/services/", params))
    link = results.select_one(f'#services-results a[href^="{URL}"]')  # the results page leads there
    assert link.get_text(" ", strip=True) == "Imprimer la liste" and "frais=gratuit" in link["href"]
    page = soup(client.get(URL, params))
    assert page.find("h1").get_text(strip=True) == "Services d'insertion : Mobilité à Lille"
    today = formats.date_format(datetime.date.today(), "j F Y")
    intro = " ".join(page.select_one(".services-printed > p.fr-mb-1w").get_text(" ").split())
    assert intro == f"Liste du {today} · 8 services"
    criteria = {
        dt.get_text(strip=True): dd.get_text(strip=True)
        for dt, dd in zip(page.select("dt"), page.select("dd"), strict=True)
    }
    assert criteria == {
        "Lieu :": "Lille (59000), services sur place dans un rayon de 50 km",
        "Besoins :": "Mobilité",
        "Frais :": "Gratuit",
    }
    names = [h2.get_text(strip=True) for h2 in page.select(".services-printed__entry h2")]
    assert names == [a.get_text(strip=True) for a in results.select("#services-results article h3 a")]
    first = page.select_one(".services-printed__entry")
    text = " ".join(first.get_text(" ").split())
    assert "Centre social <b>Pagnol</b> · à 110 m" in text
    assert "1 rue de la République, 59000 Lille" in text and "Tél. 03 20 00 00 00" in text
    assert "Horaires : Lundi au vendredi : 9 h – 17 h" in text
    assert first.find("a")["href"].startswith("http://testserver/services/dora--svc-")
    assert page.select_one('link[rel="stylesheet"][media="print"][href$="print.css"]')
    assert page.select_one("button[data-print].needs-js")


def test_at_most_a_hundred_results_are_listed_and_the_list_says_so(client, lille):
    for index in range(105):
        ServiceFactory(latitude=lille.latitude + index * 0.001, longitude=lille.longitude)
    page = soup(client.get(URL, {"code_commune": "59350"}))
    assert len(page.select(".services-printed__entry")) == 100
    assert "les 100 premiers de 105 services" in page.get_text()


def test_an_invalid_search_gets_its_message(client, offer):
    response = client.get(URL, {"code_commune": "99999"})
    assert response.status_code == 400
    assert "Aucune commune ne porte le code « 99999 »." in soup(response).get_text()

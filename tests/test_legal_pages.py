"""The pages the State's design system asks every site to link from its footer, the favicon, and no cookie on
public pages (the personal data page says the site sets no tracking cookie)."""

import pytest
from bs4 import BeautifulSoup

from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

LEGAL_PAGES = {
    "/accessibilite/": "Déclaration d'accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles et cookies",
}


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.mark.parametrize("url", ["/", "/services/?q=atelier", "/selection/", *LEGAL_PAGES])
def test_every_page_has_the_mandatory_footer_links_and_a_favicon(client, url):
    page = soup(client.get(url))
    footer = page.find("footer")
    bottom = {a.get_text(strip=True): a["href"] for a in footer.select(".fr-footer__bottom-list a")}
    mandatory = {
        "Accessibilité : non conforme": "/accessibilite/",
        "Mentions légales": "/mentions-legales/",
        "Données personnelles et cookies": "/donnees-personnelles/",
    }
    assert bottom.items() >= mandatory.items()
    government = [a["href"] for a in footer.select(".fr-footer__content-list a")]
    assert government == [
        "https://www.info.gouv.fr/",
        "https://www.service-public.fr/",
        "https://www.legifrance.gouv.fr/",
        "https://www.data.gouv.fr/",
    ]
    assert page.select_one('link[rel="icon"][href$="favicon.svg"]')


@pytest.mark.parametrize(("url", "title"), LEGAL_PAGES.items())
def test_legal_pages_say_what_they_must(client, url, title):
    page = soup(client.get(url))
    assert page.find("h1").get_text(strip=True) == title
    text = " ".join(page.get_text(" ").split())
    if url == "/accessibilite/":
        assert "est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA)" in text
        assert "Défenseur des droits" in text
    if url == "/donnees-personnelles/":
        assert "Ce site ne dépose aucun cookie de mesure d'audience, de publicité ni de suivi" in text


def test_the_legal_notice_names_who_publishes_the_site(client, settings):
    settings.LEGAL = {**settings.LEGAL, "publisher": "Direction de l'insertion", "contact_email": "contact@exemple.fr"}
    text = soup(client.get("/mentions-legales/")).get_text(" ")
    assert "Direction de l'insertion" in text and "contact@exemple.fr" in text


def test_public_pages_set_no_cookie(client):
    service = ServiceFactory()
    for url in [
        "/",
        "/services/?code_commune=59350",
        "/services/carte.geojson?q=atelier",
        "/services/imprimer/?q=atelier",
        f"/selection/?s={service.id}",
        *LEGAL_PAGES,
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, response.cookies)
    assert not client.get("/services/", {"q": "atelier"}, HTTP_HX_REQUEST="true").cookies

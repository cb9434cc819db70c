"""Links from producers' data: http(s) only, and rel="noopener noreferrer" wherever they are shown."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from services.presenters import safe_url
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://exemple.fr/a", True),
        ("HTTP://exemple.fr", True),
        ("javascript:alert(1)", False),
        ("  JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//exemple.fr/sans-schema", False),
        ("ftp://exemple.fr", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url_keeps_only_http_links(url, kept):
    assert (safe_url(url) is not None) == kept


def external_links(html: str) -> list:
    soup = BeautifulSoup(html, "html.parser")
    return [a for a in soup.select("main a[href]") if a["href"].startswith(("http://", "https://"))]


def test_every_external_link_from_data_has_noopener_noreferrer(client):
    CommuneFactory(code_insee="59350", nom="Lille")
    structure = StructureFactory(
        site_web="https://structure.example.org",
        accessibilite_lieu="https://acceslibre.beta.gouv.fr/lieu",
        lien_source="https://dora.example.org/structure",
    )
    service = ServiceFactory(
        structure=structure,
        lien_source="https://dora.example.org/service",
        lien_mobilisation="https://demande.example.org",
        modes_mobilisation=["utiliser-lien-mobilisation"],
        description="Inscription sur https://inscription.example.org/page ou www.exemple.fr.",
    )
    pages = [
        f"/services/{quote(service.id, safe='')}/",
        f"/structures/{quote(structure.id, safe='')}/",
        "/services/?code_commune=59350",
    ]
    seen = set()
    for url in pages:
        for link in external_links(client.get(url).content.decode()):
            assert {"noopener", "noreferrer"} <= set(link.get("rel", [])), (url, str(link))
            seen.add(link["href"])
    assert {
        "https://structure.example.org",
        "https://acceslibre.beta.gouv.fr/lieu",
        "https://dora.example.org/service",
        "https://demande.example.org",
        "https://inscription.example.org/page",
        "http://www.exemple.fr",
    } <= seen

"""What a results page weighs over the network, compressed (gzip): the first visit (the HTML and every style sheet
and script it loads, the map's library included), and an htmx refresh. Targets: 350 KB and 60 KB.

Fonts and icons are files the style sheets ask for as they need them (and browsers keep): they are reported, not
counted. Static files are measured as whitenoise serves them (gzip level 9), pages as a server compresses on the fly
(level 6)."""

import gzip
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

FIRST_VISIT_LIMIT = 350 * 1024
REFRESH_LIMIT = 60 * 1024
URL = "/services/?code_commune=59350&thematiques=mobilite"


def static_file(url: str) -> bytes:
    path = finders.find(url.removeprefix(settings.STATIC_URL))
    assert path, url
    return Path(path).read_bytes()


def compressed(content: bytes, level: int) -> int:
    return len(gzip.compress(content, compresslevel=level))


def assets_of(html: str) -> list[str]:
    """The style sheets and scripts the page loads, and those the map loads when it shows (data-*-css, -js)."""
    page = BeautifulSoup(html, "html.parser")
    urls = [link["href"] for link in page.select('link[rel="stylesheet"]')]
    urls += [script["src"] for script in page.select("script[src]") if not script.has_attr("nomodule")]
    the_map = page.find(id="services-map")
    urls += [value for name, value in the_map.attrs.items() if re.fullmatch(r"data-.*-(css|js)", name)]
    return urls


def test_a_results_page_weighs_less_than_350_kb_on_first_visit_and_60_kb_a_refresh(client, offer, capsys):
    html = client.get(URL).content
    weights = {"page (HTML)": compressed(html, 6)}
    for url in assets_of(html.decode()):
        weights[url] = compressed(static_file(url), 9)
    first_visit = sum(weights.values())
    refresh = compressed(client.get(URL + "&frais=gratuit", HTTP_HX_REQUEST="true").content, 6)
    fonts = sum(compressed(path.read_bytes(), 9) for path in Path(finders.find("dsfr/dist/fonts")).glob("*.woff2"))
    with capsys.disabled():
        print("\nPremière visite d'une page de résultats (gzip) :")
        for url, weight in sorted(weights.items(), key=lambda item: -item[1]):
            print(f"  {weight / 1024:7.1f} KB  {url}")
        print(f"  {first_visit / 1024:7.1f} KB  en tout (limite {FIRST_VISIT_LIMIT // 1024} KB)")
        print(f"  {refresh / 1024:7.1f} KB  un rafraîchissement htmx (limite {REFRESH_LIMIT // 1024} KB)")
        print(f"  (polices Marianne, toutes variantes, chargées à la demande : {fonts / 1024:.1f} KB)")
    assert any("leaflet.js" in url for url in weights) and any("markercluster" in url for url in weights)
    assert len(weights) >= 10
    assert first_visit <= FIRST_VISIT_LIMIT
    assert refresh <= REFRESH_LIMIT

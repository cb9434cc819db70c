"""The real-record set (tests/fixtures/real) as a person reads it, page by page.

Imports the published export into the test database, then opens the page of every published service and
structure, and the result cards of a search around each commune of the set. Nothing a producer wrote may reach
the reader as raw syntax: no Markdown or HTML markers, no phone number in E.164 ("+33632898444"), and no link
that goes anywhere but http(s), mailto and tel.
"""

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from communes.models import Commune
from services.models import Service
from structures.models import Structure
from tests.communes.factories import CommuneFactory

pytestmark = pytest.mark.django_db

PUBLISHED = Path(__file__).parents[1] / "fixtures" / "real" / "published"
# Markdown a renderer would have turned into markup, seen at the start of a line of text or anywhere.
LINE_MARKERS = re.compile(r"^(#{1,6} |[-*+] |\d+\. |> )")
INLINE_MARKERS = re.compile(r"\*\*|__|\]\(|<!--|-->|</?[a-zA-Z][a-zA-Z0-9]*[ />]|&[a-z]+;|&#\d+;")
E164 = re.compile(r"\+\d{8,15}")
TEL_HREF = re.compile(r"^tel:(\+\d{8,15}|\d{3,6})$")
DATA_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def import_published_set(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    for path in PUBLISHED.glob("*.json"):
        shutil.copy(path, folder / path.name)
    call_command("import_datainclusion", str(folder), verbosity=0)


def communes_of_the_set() -> list[Commune]:
    """The communes where the set's services are, at the place of their first service (the search needs them)."""
    records = json.loads(next(PUBLISHED.glob("services-*.json")).read_text())
    places = {}
    for record in records:
        if record["code_insee"] and record["latitude"] and record["code_insee"] not in places:
            places[record["code_insee"]] = record
    return [
        CommuneFactory(
            code_insee=code,
            nom=record["commune"],
            departement=code[:2],
            codes_postaux=[record["code_postal"]] if record["code_postal"] else [],
            latitude=record["latitude"],
            longitude=record["longitude"],
        )
        for code, record in sorted(places.items())
    ]


def visible_lines(html: str) -> list[str]:
    """The text a person reads (and the title and summary of the page), one line per text node."""
    page = BeautifulSoup(html, "html.parser")
    description = page.select_one('meta[name="description"]')
    lines = [page.title.get_text() if page.title else "", description.get("content", "") if description else ""]
    for hidden in page(["script", "style", "template", "head"]):
        hidden.decompose()
    lines += [" ".join(node.split()) for node in page.find_all(string=True)]
    return [line for line in lines if line]


def problems(html: str, *, within: str | None = None) -> list[str]:
    """What a reader should never meet in this HTML (or in its elements matching the CSS selector `within`)."""
    found = []
    page = BeautifulSoup(html, "html.parser")
    parts = page.select(within) if within else [page]
    for part in parts:
        for line in visible_lines(str(part)):
            if LINE_MARKERS.match(line) or INLINE_MARKERS.search(line):
                found.append(f"syntax shown as text: {line[:120]!r}")
            if "+33" in line or E164.search(line):
                found.append(f"unformatted phone number: {line[:120]!r}")
        for link in part.select("a[href]"):
            href = link["href"]
            if href.startswith("tel:") and not TEL_HREF.match(href):
                found.append(f"tel: link not in E.164: {href!r}")
            elif not href.startswith((*DATA_SCHEMES, "/", "?", "#")) and not _is_share_by_sms(link):
                found.append(f"link to {href[:80]!r}")
    for link in page.select(".producer-text a[href]"):
        if not link["href"].startswith(DATA_SCHEMES) or "nofollow" not in link.get("rel", []):
            found.append(f"link in a producer's text: {link}")
    return found


def _is_share_by_sms(link) -> bool:
    """The page's own "Envoyer par SMS" button (sms:?&body=…), not a link from data."""
    return link["href"].startswith("sms:?") and link.get_text(strip=True) == "Envoyer par SMS"


def service_url(service_id: str) -> str:
    return f"/services/{quote(service_id, safe='')}/"


def structure_url(structure_id: str) -> str:
    return f"/structures/{quote(structure_id, safe='')}/"


def test_every_service_and_structure_page_of_the_set_reads_as_text(client, tmp_path):
    import_published_set(tmp_path)
    services = Service.objects.filter(is_published=True).order_by("id")
    assert services, "the set has published services"
    # Every service, its structure, and the structures that have no service here (their hours, their texts).
    urls = [service_url(service_id) for service_id in services.values_list("id", flat=True)]
    urls += [
        structure_url(structure_id)
        for structure_id in Structure.objects.filter(is_published=True).values_list("id", flat=True)
    ]
    assert {structure_url(structure_id) for structure_id in services.values_list("structure_id", flat=True)} <= set(
        urls
    )
    found = {}
    for url in urls:
        response = client.get(url)
        page_problems = [f"status {response.status_code}"] if response.status_code != 200 else []
        page_problems += problems(response.content.decode())
        if page_problems:
            found[url] = page_problems
    assert not found, "\n".join(f"{url}: {page_problems}" for url, page_problems in found.items())


def test_tel_links_keep_e164_while_the_text_shows_the_national_number(client, tmp_path):
    import_published_set(tmp_path)
    service = Service.objects.get(id="dora--up emploi/session déclic #1")  # +33667892462 in the export
    page = BeautifulSoup(client.get(service_url(service.id)).content.decode(), "html.parser")
    link = page.select_one('a[href="tel:+33667892462"]')
    assert link is not None and "06 67 89 24 62" in link.get_text()


def test_result_cards_around_every_commune_of_the_set_read_as_text(client, tmp_path):
    import_published_set(tmp_path)
    communes = communes_of_the_set()
    assert communes, "the set has services with a place"
    seen, found = set(), {}
    for commune in communes:
        number = 1
        while True:
            url = f"/services/?code_commune={commune.code_insee}&rayon_km=100&page={number}"
            response = client.get(url)
            assert response.status_code == 200, url
            cards = BeautifulSoup(response.content.decode(), "html.parser").select("#services-results article")
            seen.update(unquote(card.select_one("h3 a")["href"].split("?")[0]) for card in cards)
            if page_problems := problems(response.content.decode(), within="#services-results article"):
                found[url] = page_problems
            if len(cards) < 20:
                break
            number += 1
    assert not found, "\n".join(f"{url}: {page_problems}" for url, page_problems in found.items())
    on_site = Service.objects.filter(is_published=True, latitude__isnull=False).values_list("id", flat=True)
    assert {f"/services/{service_id}/" for service_id in on_site} <= seen  # every placed service was on a card


# Script, javascript: link, inline event handlers and an image that runs code, added to a real DORA description.
HOSTILE_TAIL = """

<script>alert("script")</script>

[Accéder au formulaire](javascript:alert("lien"))

<a href="https://immersion-facile.beta.gouv.fr/" onclick="alert('clic')" onmouseover="alert('survol')">Immersion</a>

<img src=x onerror=alert(1)>"""


def test_a_hostile_description_in_a_real_record_is_rendered_inert(client, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(PUBLISHED, folder, ignore=shutil.ignore_patterns("*.csv", "*.parquet"))
    export = next(folder.glob("services-*.json"))
    records = json.loads(export.read_text())
    immersion = next(record for record in records if record["id"] == "dora--b6f651e2-56d7-4ffa-a1c6-ae7295089a9e")
    immersion["description"] += HOSTILE_TAIL
    export.write_text(json.dumps(records, ensure_ascii=False))
    call_command("import_datainclusion", str(folder), verbosity=0)
    assert HOSTILE_TAIL in Service.objects.get(id=immersion["id"]).description  # stored as written

    html = client.get(service_url(immersion["id"])).content.decode()
    page = BeautifulSoup(html, "html.parser")
    assert "alert(" not in html
    assert not [(tag.name, name) for tag in page.find_all(True) for name in tag.attrs if name.startswith("on")]
    assert all(script.get("src", "").startswith("/static/") for script in page.find_all("script"))
    description = page.select_one(".service-detail__description")
    assert not description.find_all(["script", "img"])
    assert not description.find("a", string="Accéder au formulaire").get("href")  # its words, no link
    link = description.find("a", string="Immersion")
    assert link.attrs == {
        "href": "https://immersion-facile.beta.gouv.fr/",
        "rel": ["nofollow", "noopener", "noreferrer"],
    }
    assert problems(html) == []


def test_the_checks_find_what_they_look_for():
    """The checks above can fail: raw Markdown, an E.164 number and a javascript: link are each caught."""
    assert problems("<p>## **Titre**</p>")
    assert problems("<p>- un point</p>")
    assert problems("<p>[Accéder au service](<https://exemple.fr>)</p>")
    assert problems("<p>&lt;!-- --&gt;</p>")
    assert problems("<p>Téléphoner au +33632898444</p>")
    assert problems('<a href="tel:06 32 89 84 44">appeler</a>')
    assert problems('<a href="javascript:alert(1)">x</a>')
    assert problems('<div class="producer-text"><a href="https://exemple.fr">x</a></div>')  # no rel=nofollow
    assert not problems('<p>Téléphoner au 06 32 89 84 44</p><a href="tel:+33632898444">06 32 89 84 44</a>')

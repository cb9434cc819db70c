"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: Chromium comes from the system (`apt-get install chromium`), axe-core from
`npm ci` in this folder. When either is missing the tests are skipped with the reason, unless
BROWSER_TESTS_REQUIRED is set (CI), where they fail instead.
"""

import datetime
import os
import re
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots" / "journeys"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000
# Producers' texts as DORA writes them (core.rendering renders them on the pages).
MARKDOWN_DESCRIPTION = """## **Présentation**

Un accompagnement **individuel** pour préparer le code et la conduite.
Sur rendez-vous.

## **Pour qui ?**

- Jeunes de 16 à 25 ans
- Demandeurs d'emploi

### Modalités

[Accéder au service](<https://dora.inclusion.beta.gouv.fr/services/permis accompagné>)
<!-- -->
"""


def unavailable(reason: str):
    if os.environ.get("BROWSER_TESTS_REQUIRED"):
        pytest.fail(f"{reason} (BROWSER_TESTS_REQUIRED is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module.

    The sync API runs an asyncio loop in this thread while the browser lives, which makes Django refuse ORM calls
    ("async context"): the fixtures and assertions of these tests are plain synchronous code, so allow them for the
    module only. Closing the browser at the end of the module stops the loop before other tests run.
    """
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -r requirements-dev.txt)")
    from django.db import connections

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        # Django keeps connections per execution context, and the sync API gives this thread a new one: the new
        # connection objects need the test database's serialized contents for serialized_rollback to work.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
            yield chromium
            chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def new_context(browser, live_server, map_tiles):
    """Make browser contexts (French, Paris time, on the live server); JavaScript errors fail the test, and so does
    any request that would leave the machine (the map's tiles are served by the test: `map_tiles`)."""
    contexts = []
    errors = []
    outside = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
        context.route(re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])"), lambda route: block(route, outside))
        map_tiles.serve(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"Requests to the network: {outside}"


def block(route, outside: list):
    outside.append(route.request.url)
    route.abort()


def tile_png(size: int = 256) -> bytes:
    """A plain light map tile, drawn here (PNG): the map never asks the network for its tiles in tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((236, 240, 232)) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def map_tiles(settings):
    """Point the map at tiles of this site (settings.MAP_TILES_URL; the CSP allows them), served by the test to every
    browser context (`new_context`); `map_tiles.served` lists the tiles the map asked for."""
    settings.MAP_TILES_URL = "/tuiles-de-test/{z}/{x}/{y}.png"
    tile = tile_png()
    served = []

    def fulfil(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=tile)

    def serve(context):
        context.route("**/tuiles-de-test/**", fulfil)
        return context

    return SimpleNamespace(serve=serve, served=served)


@pytest.fixture
def desktop(new_context):
    return new_context(viewport={"width": 1280, "height": 900}).new_page()


def screenshot(page, name: str, **options):
    """Keep a picture of the step for the docs (viewport only: small files)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled", caret="hide", scale="css", **options)


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A and AA violations axe-core finds in the page as it is now, one readable line each."""
    if not AXE.exists():
        unavailable(f"axe-core is not installed ({AXE}): run `npm ci` in tests/browser")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


def count_text(page) -> str:
    return " ".join(page.locator("#services-count").inner_text().split())


def wait_for_count(page, pattern: str):
    """Wait until the result count (updated by htmx out of band) starts with the pattern (spaces ignored)."""
    from playwright.sync_api import expect

    expect(page.locator("#services-count")).to_have_text(re.compile(rf"^\s*{pattern}"))


def result_names(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#services-results .fr-card__title").all_inner_texts()]


def top_in_page(locator) -> float:
    """Where an element starts, from the top of the page (not of the window)."""
    return locator.evaluate("element => element.getBoundingClientRect().top + window.scrollY")


def fully_visible(locator) -> bool:
    """Whether the element lies entirely within the window, as it is scrolled now."""
    return locator.evaluate(
        """element => {
            const box = element.getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
        }"""
    )


@pytest.fixture
def offer():
    """A small offer around Lille: 24 services on site at known distances, 3 remote ones, one withdrawn.

    Services 0..23 lie 1.1 km apart northwards from Lille's point, so they sort by index and the first page
    (20 results) ends before the remote ones. Filters vary with the index so that every filter changes the count.
    """
    lille = CommuneFactory(
        code_insee="59350",
        nom="Lille",
        codes_postaux=["59000", "59800"],
        departement="59",
        epci="200093201",
        latitude=50.63046,
        longitude=3.07134,
        population=238246,
    )
    CommuneFactory(code_insee="59512", nom="Roubaix", codes_postaux=["59100"], population=98000)
    CommuneFactory(code_insee="59360", nom="Lille-Sud", codes_postaux=["59000"], population=10)
    centre = StructureFactory(
        id="dora--centre-social-pagnol",
        nom="Centre social Pagnol",
        telephone="+33320000000",
        horaires_accueil="Mo-Fr 09:00-17:00; Sa open",
        description=MARKDOWN_DESCRIPTION,
        site_web="https://centre-social.exemple.fr/accueil été",
    )
    mission = StructureFactory(id="dora--mission-locale", nom="Mission locale de Lille")
    services = []
    for index in range(24):
        markdown = {
            "description": MARKDOWN_DESCRIPTION,
            "conditions_acces": "- Être inscrit\n- Habiter **Lille**",
            "frais_precisions": "Voir [les tarifs](https://exemple.fr/tarifs)",
        }
        services.append(
            ServiceFactory(
                id=f"dora--service-{index:02d}",
                structure=centre if index % 2 else mission,
                nom=f"{'Préparer son permis' if index % 3 else 'Atelier ordinateur'} n° {index:02d}",
                latitude=lille.latitude + index * 0.01,
                longitude=lille.longitude,
                thematiques=["mobilite--preparer-un-permis"]
                if index % 3
                else ["numerique--maitriser-les-fondamentaux-du-numerique"],
                publics=[["tous-publics"], ["jeunes"], ["tous-publics"], ["seniors"]][index % 4],
                frais="gratuit" if index % 2 else "payant",
                type="accompagnement" if index % 2 else "atelier",
                modes_accueil=["en-presentiel", "a-distance"] if index % 5 == 0 else ["en-presentiel"],
                modes_mobilisation=["telephoner"],
                telephone="+33320112233",
                date_maj=datetime.date.today() - datetime.timedelta(days=10 + index * 20),
                **(markdown if index == 1 else {}),
            )
        )
    for index in range(3):
        services.append(
            ServiceFactory(
                id=f"soliguide--distance-{index}",
                source="soliguide",
                structure=StructureFactory(id=f"soliguide--plateforme-{index}", source="soliguide"),
                nom=f"Permis en ligne {index}",
                thematiques=["mobilite--preparer-un-permis"],
                modes_accueil=["a-distance"],
                latitude=None,
                longitude=None,
                zone_eligibilite=["france"],
            )
        )
    withdrawn = ServiceFactory(
        id="dora--service-retire",
        structure=centre,
        nom="Ancien atelier",
        is_published=False,
        unpublished_reason="retire-par-la-source",
    )
    return {"lille": lille, "centre": centre, "services": services, "withdrawn": withdrawn}


def in_the_map(page, selector: str):
    """The first element of the map matching the selector whose centre lies inside the map's frame, or None: after a
    zoom, Leaflet keeps markers just outside the frame, hidden by it, and a click there lands on what lies above."""
    frame = page.locator("#services-map").bounding_box()
    for element in page.locator(f"#services-map {selector}").all():
        box = element.bounding_box() if element.is_visible() else None
        if box is None:
            continue
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if frame["x"] <= x <= frame["x"] + frame["width"] and frame["y"] <= y <= frame["y"] + frame["height"]:
            return element
    return None


def open_a_marker(page, *, keyboard: bool = False):
    """Zoom into a cluster of the map until single markers show, then open a marker's popup; from the keyboard
    (Enter on the focused element) or the mouse. Returns the popup."""
    for _ in range(5):
        if in_the_map(page, ".services-marker") is not None:
            break
        cluster = in_the_map(page, ".marker-cluster")
        assert cluster is not None, "ni lieu ni groupe de lieux sur la carte"
        if keyboard:
            cluster.focus()
            page.keyboard.press("Enter")
        else:
            cluster.click()
        page.wait_for_timeout(600)  # the zoom's animation
    marker = in_the_map(page, ".services-marker")
    assert marker is not None, "aucun lieu seul sur la carte après cinq zooms"
    if keyboard:
        marker.focus()
        page.keyboard.press("Enter")
    else:
        marker.click()
    popup = page.locator(".leaflet-popup-content")
    from playwright.sync_api import expect

    expect(popup).to_be_visible()
    return popup

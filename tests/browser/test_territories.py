"""Territories in a real browser: axe-core finds no violation (WCAG 2.1 A and AA) on their pages, on a desktop and
a phone; the département page is pictured for the docs."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import axe_violations
from tests.territories import dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def places():
    return dataset.build()


def open_page(new_context, url: str, **options):
    # bypass_csp: axe is injected as a script the Content-Security-Policy rightly does not allow. Map tiles come
    # from the IGN's servers, out of reach of tests: refused at once.
    context = new_context(bypass_csp=True, **options)
    context.route("https://data.geopf.fr/**", lambda route: route.abort())
    page = context.new_page()
    response = page.goto(url)
    assert response.status == 200, url
    return page


@pytest.mark.parametrize(
    "url",
    [
        "/territoires/",
        "/territoires/?q=roubaix",
        "/territoires/departement-59/",
        "/territoires/region-32/?besoin=sante&au_dela=10&tri=distance",
        "/territoires/france/",
    ],
)
def test_territory_pages_have_no_axe_violations(new_context, places, url):
    page = open_page(new_context, url, **DESKTOP)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def test_departement_page_on_a_phone_and_a_desktop(new_context, places):
    for name, options in (("territoire-departement-telephone", PHONE), ("territoire-departement-bureau", DESKTOP)):
        page = open_page(new_context, "/territoires/departement-59/?besoin=sante", **options)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        assert not violations, f"{name}: " + "\n".join(violations)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", animations="disabled", caret="hide", scale="css")


def test_the_chooser_suggests_as_one_types(new_context, places):
    page = open_page(new_context, "/territoires/", **DESKTOP)
    page.locator("#territories-q").press_sequentially("roub", delay=30)
    page.locator("#territories-suggestions a").first.wait_for()
    assert page.locator("#territories-suggestions a").first.inner_text() == "Intercommunalité de Lille"
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)

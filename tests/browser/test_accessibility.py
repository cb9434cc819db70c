"""Accessibility in a real browser: axe-core (WCAG 2.1 A and AA) on every kind of page, keyboard use with a
visible focus, the result count announced, 200 % zoom without horizontal scrolling, and the site without
JavaScript."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, count_text, open_a_marker, result_names, screenshot, wait_for_count

# Live-server tests are transactional; serialized_rollback gives each one the migrations' rows (the curators'
# groups) back after the flush of the one before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LILLE = "/services/?commune=Lille&code_commune=59350"


def service_url(service_id: str) -> str:
    return f"/services/{quote(service_id, safe='')}/"


def structure_url(structure_id: str) -> str:
    return f"/structures/{quote(structure_id, safe='')}/"


def goto(page, url: str, status: int):
    response = page.goto(url)
    assert response.status == status, f"{url}: {response.status}"
    return response


def assert_no_violations(page, name: str):
    violations = axe_violations(page)
    assert not violations, f"{name}: " + "\n".join(violations)


def test_axe_is_injected_and_finds_violations(new_context, live_server):
    """Guards the guard: a page with known faults is reported, so "no violations" means something."""
    page = new_context(bypass_csp=True).new_page()
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    violations = " ".join(axe_violations(page))
    for rule in ("html-has-lang", "image-alt", "label"):
        assert rule in violations


PAGES = [
    ("accueil", "/", 200),
    ("resultats", LILLE, 200),
    ("resultats-page-2", LILLE + "&page=2", 200),
    ("aucun-resultat", LILLE + "&q=introuvable", 200),
    # Per the search contract the full page of an invalid search is a 200 with the messages; the 400 of its
    # fragment is checked after an htmx refresh below.
    ("recherche-invalide", "/services/?code_commune=00000&rayon_km=7", 200),
    ("fiche-service", service_url("dora--service-01") + "?code_commune=59350", 200),
    ("fiche-structure", structure_url("dora--centre-social-pagnol"), 200),
    ("service-inconnu-404", service_url("dora--inconnu"), 404),
    ("service-retire-410", service_url("dora--service-retire"), 410),
    ("selection", "/selection/?s=dora--service-01&s=dora--service-02&s=soliguide--distance-0", 200),
    ("selection-vide", "/selection/", 200),
    ("liste-imprimable", "/services/imprimer/?code_commune=59350&thematiques=mobilite", 200),
    ("accessibilite", "/accessibilite/", 200),
    ("mentions-legales", "/mentions-legales/", 200),
    ("donnees-personnelles", "/donnees-personnelles/", 200),
]


@pytest.mark.parametrize(("name", "url", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_have_no_axe_violations(new_context, offer, name, url, status):
    # bypass_csp: axe is injected as a script the Content-Security-Policy rightly does not allow.
    page = new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    goto(page, url, status)
    if url == LILLE:  # the map beside the list: checked with its markers and tiles
        expect(page.locator("#services-map .leaflet-marker-icon").first).to_be_visible()
        expect(page.locator("#services-map-status")).to_have_text(re.compile("lieux sur la carte"))
    assert_no_violations(page, name)


def test_results_on_a_phone_list_filters_and_map_have_no_axe_violations(new_context, offer):
    page = new_context(
        viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True, bypass_csp=True
    ).new_page()
    goto(page, LILLE, 200)
    assert_no_violations(page, "resultats-telephone")
    page.get_by_role("link", name=re.compile(r"^Filtrer")).tap()
    expect(page.locator("#filtres")).to_be_visible()
    assert_no_violations(page, "filtres-telephone")
    page.locator(".services-filters__close").tap()
    page.get_by_role("button", name="Carte").tap()
    expect(page.locator("#services-map .leaflet-marker-icon").first).to_be_visible()
    assert_no_violations(page, "carte-telephone")
    # A marker's popup, opened from the keyboard.
    popup = open_a_marker(page, keyboard=True)
    expect(popup.get_by_role("link", name=re.compile("^Voir la fiche"))).to_be_visible()
    assert_no_violations(page, "carte-telephone-popup")
    screenshot(page, "accessibilite-carte-telephone")


def test_results_after_an_htmx_refresh_have_no_axe_violations(new_context, offer):
    page = new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    goto(page, LILLE, 200)
    page.locator("label[for='thematiques-mobilite']").click()
    expect(page).to_have_url(re.compile("thematiques=mobilite"))
    wait_for_count(page, r"19 services")
    assert_no_violations(page, "resultats-htmx")
    # An invalid search answered 400 by the fragment, shown in place of the results.
    with page.expect_response(lambda response: response.status == 400):
        page.evaluate(
            """() => {
                document.getElementById('id_code_commune').value = '00000';
                document.getElementById('services-search-form').dispatchEvent(new Event('change', {bubbles: true}));
            }"""
        )
    expect(page.locator("#services-results .fr-alert--error")).to_contain_text("Aucune commune ne porte le code")
    expect(page.locator("#services-count")).to_contain_text("Recherche incomplète")
    assert_no_violations(page, "recherche-invalide-htmx-400")
    screenshot(page, "accessibilite-recherche-invalide")
    # The suggestions of the commune field are part of the page too.
    page.locator("#id_commune").fill("")
    page.locator("#id_commune").press_sequentially("rou", delay=30)
    expect(page.locator("#communes-suggestions [role=option]").first).to_be_visible()
    assert_no_violations(page, "suggestions-communes")


def test_too_many_requests_page_has_no_axe_violations(new_context, offer):
    """The 429 page, reached the real way: reporting errors on a service more than 5 times an hour."""
    page = new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    goto(page, service_url("dora--service-01"), 200)
    token = page.locator("input[name=csrfmiddlewaretoken]").input_value()
    report_url = page.locator("form[action*='/signaler/']").get_attribute("action")
    for _ in range(5):
        page.request.post(report_url, form={"csrfmiddlewaretoken": token, "reason": "", "message": ""})
    page.get_by_text("Une information est fausse ?").click()
    page.locator("input[name=reason]").first.check(force=True)
    page.locator("#id_message").fill("Le numéro de téléphone a changé.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Envoyer le signalement").click()
    assert navigation.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Trop de demandes")
    assert_no_violations(page, "trop-de-demandes-429")


def focus_state(page) -> dict:
    """What has the focus, and whether it shows: an outline or a shadow on it, or on the DSFR box of its label."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const visible = (node, pseudo) => {
                const style = getComputedStyle(node, pseudo);
                return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                    || (style.boxShadow && style.boxShadow !== 'none');
            };
            let shown = visible(element) || visible(element, '::before') || visible(element, '::after');
            if (!shown && element.labels && element.labels.length) {
                const label = element.labels[0];
                shown = visible(label) || visible(label, '::before') || visible(label, '::after');
            }
            return {
                tag: element.tagName.toLowerCase(),
                id: element.id,
                text: (element.innerText || element.value || '').trim().slice(0, 40),
                href: element.getAttribute('href') || '',
                inResults: !!element.closest('#services-results'),
                inPagination: !!element.closest('.fr-pagination'),
                shown: shown,
            };
        }"""
    )


def test_keyboard_reaches_form_results_and_pagination_with_a_visible_focus(new_context, offer):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    goto(page, LILLE, 200)
    seen = []
    for _ in range(400):
        page.keyboard.press("Tab")
        state = focus_state(page)
        seen.append(state)
        if state["inPagination"] and "page=2" in state["href"]:
            break
    invisible = [state for state in seen if not state["shown"]]
    assert not invisible, f"focus not visible on: {invisible}"
    ids = [state["id"] for state in seen]
    for expected in ("id_commune", "id_rayon_km", "id_q", "thematiques-mobilite"):
        assert expected in ids, f"{expected} not reached by Tab"
    assert any(state["tag"] == "button" and state["text"] == "Afficher les résultats" for state in seen)
    assert any(state["inResults"] and "/services/dora--" in state["href"] for state in seen)
    assert seen[-1]["inPagination"] and "page=2" in seen[-1]["href"], "pagination not reached by Tab"
    screenshot(page, "clavier-1-pagination")

    # Enter on the focused page link loads page 2 (htmx), and the keyboard goes on from there.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(".fr-pagination [aria-current=page]")).to_have_text("2")

    # A checkbox ticked with the space bar refreshes the results too.
    page.locator("#id_q").focus()
    page.keyboard.press("Shift+Tab")
    page.locator("#thematiques-mobilite").focus()
    page.keyboard.press("Space")
    expect(page.locator("#thematiques-mobilite")).to_be_checked()
    wait_for_count(page, r"19 services")


def test_result_count_is_announced_when_a_filter_changes(new_context, offer):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    goto(page, LILLE, 200)
    count = page.locator("#services-count")
    expect(count).to_have_attribute("aria-live", "polite")
    expect(count).to_have_attribute("aria-atomic", "true")
    before = count_text(page)
    # Screen readers follow a live region that stays in the page: mark the node to check it is not replaced.
    page.evaluate("document.getElementById('services-count').dataset.sameNode = 'oui'")
    page.locator(".services-filter__summary", has_text="Frais").click()
    page.locator("label[for='frais-gratuit']").click()
    wait_for_count(page, r"\d+ services? : ")
    expect(count).not_to_have_text(before)
    expect(count).to_have_attribute("data-same-node", "oui")
    expect(count).to_have_attribute("aria-live", "polite")
    assert count_text(page) != before


@pytest.mark.parametrize("width", [640, 320], ids=["zoom-200", "zoom-400"])
def test_pages_reflow_when_zoomed_without_horizontal_scrolling(new_context, offer, width):
    """A 1280-pixel-wide window zoomed to 200 % is a 640-pixel viewport at twice the density (320: 400 %)."""
    page = new_context(viewport={"width": width, "height": 800}, device_scale_factor=2).new_page()
    for url, status in [
        ("/", 200),
        (LILLE + "&thematiques=mobilite", 200),
        ("/selection/?s=dora--service-01&s=dora--service-02", 200),
        ("/services/imprimer/?code_commune=59350&thematiques=mobilite", 200),
        (service_url("dora--service-01") + "?code_commune=59350", 200),
        (structure_url("dora--centre-social-pagnol"), 200),
    ]:
        goto(page, url, status)
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert overflow[0] <= overflow[1], f"{url} scrolls horizontally at {width}px: {overflow}"
    if width == 640:
        goto(page, LILLE + "&thematiques=mobilite", 200)
        screenshot(page, "zoom-200-resultats")


def test_search_works_without_javascript(new_context, offer):
    page = new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False).new_page()
    goto(page, "/", 200)
    page.locator("#id_commune").fill("Lille")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Mobilité").click()
    assert navigation.value.status == 200
    assert "thematiques=mobilite" in page.url and page.url.endswith("#resultats")
    page.locator(".services-filter__summary", has_text="Frais").click()
    page.locator("label[for='frais-gratuit']").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher les résultats").click()
    assert "frais=gratuit" in page.url
    expect(page.locator("#services-count")).to_contain_text("services")
    names = result_names(page)
    assert names and all("permis" in name.lower() for name in names)
    # Controls that need JavaScript are not shown: the DSFR's display of buttons would beat the hidden attribute.
    for name in ("Autour de moi", "Carte", "Menu"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)  # not in the accessibility tree either
    screenshot(page, "sans-javascript-1-resultats")
    # Pagination and result links are plain links.
    page.locator("#services-results .fr-card__title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(names[0])
    for name in ("Imprimer", "Copier le lien"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)

"""The journeys of our users, in a real browser: a person on a phone, a social worker on a wide screen who prepares a
selection for someone, a curator. Each journey runs with JavaScript and without it (the map excepted)."""

import csv
import re
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    count_text,
    fully_visible,
    open_a_marker,
    result_names,
    screenshot,
    top_in_page,
    wait_for_count,
)

# Live-server tests are transactional; serialized_rollback gives each one the migrations' rows (the curators'
# groups) back after the flush of the one before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
WIDE = {"viewport": {"width": 1280, "height": 900}}
LILLE = "/services/?commune=Lille&code_commune=59350"


def expected(services, **filters) -> list:
    """The published services of the offer matching the filters (all lie within the default 50 km of Lille)."""
    matches = []
    for service in services:
        if "thematique_prefix" in filters and not any(
            value.startswith(filters["thematique_prefix"]) for value in service.thematiques
        ):
            continue
        if "publics" in filters and not {*filters["publics"], "tous-publics"} & set(service.publics):
            continue
        if "frais" in filters and service.frais not in filters["frais"]:
            continue
        if "modes_accueil" in filters and not set(filters["modes_accueil"]) & set(service.modes_accueil):
            continue
        matches.append(service)
    return matches


def first_card(page):
    return page.locator("#services-results .services-card").first


# -- A person on a phone ---------------------------------------------------------------------------------------


def test_person_on_a_phone_says_where_and_which_need_then_refines_the_results(new_context, offer):
    page = new_context(**PHONE).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trouver un service")
    screenshot(page, "telephone-1-accueil")

    # Where: a few letters, the suggestion tapped. Which need: one large choice, which searches at once.
    page.locator("#id_commune").tap()
    page.locator("#id_commune").press_sequentially("lill", delay=40)
    suggestion = page.locator("#communes-suggestions [role=option]", has_text="Lille").first
    expect(suggestion).to_be_visible()
    screenshot(page, "telephone-2-suggestions")
    suggestion.tap()
    expect(page.locator("#id_code_commune")).to_have_value("59350")
    page.get_by_role("button", name="Mobilité").tap()
    mobilite = expected(offer["services"], thematique_prefix="mobilite")
    expect(page).to_have_url(re.compile(r"/services/\?.*thematiques=mobilite.*#resultats$"))
    wait_for_count(page, rf"{len(mobilite)} services")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobilité à Lille")
    expect(page).to_have_title(re.compile(rf"^Mobilité à Lille : {len(mobilite)} services"))
    # The results first: the first card starts within the first 800 pixels of the page.
    expect(first_card(page)).to_contain_text("Préparer son permis n° 01")
    assert top_in_page(first_card(page)) < 800
    expect(page.locator("#filtres")).to_be_hidden()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "telephone-3-resultats")
    names_before, count_before, url_before = result_names(page), count_text(page), page.url

    # "Filtrer (1)" opens the filters above the results; a filter refreshes them; "Afficher" closes the panel.
    page.get_by_role("link", name="Filtrer (1)").tap()
    expect(page.locator("#filtres")).to_be_visible()
    page.locator("#filtres .services-filter__summary", has_text="Frais").tap()
    page.locator("label[for='frais-gratuit']").tap()
    gratuit = expected(offer["services"], thematique_prefix="mobilite", frais=["gratuit"])
    wait_for_count(page, rf"{len(gratuit)} services?")
    expect(page.locator("#services-filter-count")).to_have_text("2")
    screenshot(page, "telephone-4-filtres")
    page.get_by_role("button", name="Afficher les résultats").tap()
    expect(page.locator("#filtres")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"frais=gratuit"))
    expect(page.locator(".services-chip", has_text="Gratuit")).to_be_visible()
    screenshot(page, "telephone-5-filtre-gratuit")

    # The back button brings the previous results back.
    page.go_back()
    expect(page).to_have_url(url_before)
    assert "lat=" not in url_before  # empty fields stay out of the address
    wait_for_count(page, rf"{re.escape(count_before)}\s*$")
    assert result_names(page) == names_before

    # The map, as a view of its own: the same search.
    page.get_by_role("button", name="Carte").tap()
    expect(page.locator("#services-map")).to_be_visible()
    expect(page.locator("#services-results")).to_be_hidden()
    expect(page.locator("#services-map-status")).to_have_text(re.compile(r"^\d+ lieux sur la carte"))
    screenshot(page, "telephone-6-carte")
    page.get_by_role("button", name="Carte").tap()
    expect(page.locator("#services-results")).to_be_visible()

    # A result, then its printed version.
    page.locator("#services-results .fr-card__title a").first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(names_before[0])
    expect(page.get_by_text(re.compile(r"à 1,1 km de Lille"))).to_be_visible()
    screenshot(page, "telephone-7-fiche")
    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    screenshot(page, "telephone-8-impression")


def test_person_on_a_phone_without_javascript(new_context, offer):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto("/")
    # Controls that need JavaScript are not shown.
    expect(page.get_by_role("button", name="Autour de moi")).to_be_hidden()
    page.locator("#id_commune").fill("Lille")
    with page.expect_navigation():
        page.get_by_role("button", name="Mobilité").tap()
    mobilite = expected(offer["services"], thematique_prefix="mobilite")
    assert page.url.endswith("#resultats") and "thematiques=mobilite" in page.url
    expect(page.locator("#services-count")).to_contain_text(f"{len(mobilite)} services")
    assert top_in_page(first_card(page)) < 800
    expect(page.get_by_role("button", name="Carte")).to_be_hidden()
    screenshot(page, "sans-javascript-telephone-1-resultats")

    # "Filtrer (1)" is a page anchor: the filters show; the form lands on the results again.
    page.get_by_role("link", name="Filtrer (1)").tap()
    expect(page.locator("#filtres")).to_be_visible()
    page.locator("#filtres .services-filter__summary", has_text="Frais").tap()
    page.locator("label[for='frais-gratuit']").tap()
    screenshot(page, "sans-javascript-telephone-2-filtres")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher les résultats").tap()
    assert page.url.endswith("#resultats") and "frais=gratuit" in page.url
    gratuit = expected(offer["services"], thematique_prefix="mobilite", frais=["gratuit"])
    expect(page.locator("#services-count")).to_contain_text(f"{len(gratuit)} services")
    expect(page.locator("#filtres")).to_be_hidden()
    # A chip is a link to the search without that filter.
    with page.expect_navigation():
        page.locator(".services-chip", has_text="Gratuit").tap()
    expect(page.locator("#services-count")).to_contain_text(f"{len(mobilite)} services")
    screenshot(page, "sans-javascript-telephone-3-filtre-retire")


# -- A social worker on a wide screen ------------------------------------------------------------------------------


def test_social_worker_sees_filters_results_and_map_side_by_side_then_shares_and_exports(
    new_context, offer, map_tiles, tmp_path
):
    page = new_context(**WIDE, accept_downloads=True).new_page()
    page.goto(LILLE)
    services = offer["services"]
    wait_for_count(page, rf"{len(services)} services")
    # Without scrolling: the filters, at least three whole result cards, the map with its markers on our tiles.
    expect(page.locator("#services-search-form")).to_be_visible()
    assert fully_visible(page.locator("#id_commune"))
    cards = page.locator("#services-results .services-card")
    assert sum(fully_visible(cards.nth(index)) for index in range(5)) >= 3
    expect(page.locator("#services-map .leaflet-marker-icon").first).to_be_visible()
    expect(page.locator("#services-map-status")).to_have_text("24 lieux sur la carte.")
    assert map_tiles.served and all("/tuiles-de-test/" in url for url in map_tiles.served)
    screenshot(page, "travailleur-social-1-liste-et-carte")
    # A cluster opens on the places; a marker tells what is there, and links to the page.
    popup = open_a_marker(page)
    expect(popup.get_by_role("link", name=re.compile("Voir la fiche"))).to_have_attribute(
        "href", re.compile(r"^/services/dora--service-\d+/\?commune=Lille&code_commune=59350$")
    )
    screenshot(page, "travailleur-social-2-carte")

    # Filters beside the list; chips above it; the map follows.
    page.locator("label[for='thematiques-mobilite']").click()
    page.locator(".services-filter__summary", has_text="Publics").click()
    page.locator("label[for='publics-jeunes']").click()
    page.locator(".services-filter__summary", has_text="Frais").click()
    page.locator("label[for='frais-gratuit']").click()
    filters = {"thematique_prefix": "mobilite", "publics": ["jeunes"], "frais": ["gratuit"]}
    count = len(expected(services, **filters))
    wait_for_count(page, rf"{count} services?")
    expect(page.locator(".services-chip")).to_have_count(3)
    on_site = len([s for s in expected(services, **filters) if s.latitude is not None])
    expect(page.locator("#services-map-status")).to_have_text(f"{on_site} lieux sur la carte.")
    screenshot(page, "travailleur-social-3-filtres")
    page.locator(".services-chip", has_text="Gratuit").click()
    wait_for_count(page, rf"{len(expected(services, thematique_prefix='mobilite', publics=['jeunes']))} services?")
    expect(page.locator("#frais-gratuit")).not_to_be_checked()
    names, shared_url = result_names(page), page.url

    # A colleague opens the shared address: the same results.
    colleague = new_context(viewport={"width": 1024, "height": 768}).new_page()
    colleague.goto(shared_url)
    assert result_names(colleague) == names

    # The spreadsheet people open: labels, in the pages' order, with our pages' addresses.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger au format Tableur (XLSX)").click()
    assert re.fullmatch(r"services-insertion-lille-\d{4}-\d{2}-\d{2}\.xlsx", download.value.suggested_filename)
    download.value.save_as(tmp_path / download.value.suggested_filename)
    sheet = openpyxl.load_workbook(tmp_path / download.value.suggested_filename)["Services"]
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == names
    assert rows[1][rows[0].index("Besoins")] == "Préparer un permis"
    assert rows[1][rows[0].index("Fiche sur le site")].startswith("http://localhost")
    with page.expect_download() as download:
        page.get_by_role("link", name="Données brutes au format CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        assert [row["nom"] for row in csv.DictReader(file)] == names

    # The printable list: criteria, date, compact entries, at least four on an A4 page.
    page.get_by_role("link", name="Imprimer la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services d'insertion : Mobilité à Lille")
    expect(page.locator(".services-printed__entry h2")).to_have_text(names)
    screenshot(page, "travailleur-social-4-liste-imprimable")
    page.emulate_media(media="print")
    screenshot(page, "travailleur-social-5-liste-imprimee")
    pdf = page.pdf(path=tmp_path / "liste.pdf", format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") <= max(1, -(-len(names) // 4))


def test_social_worker_without_javascript(new_context, offer, tmp_path):
    page = new_context(**WIDE, java_script_enabled=False, accept_downloads=True).new_page()
    page.goto(LILLE)
    expect(page.locator("#services-search-form")).to_be_visible()
    cards = page.locator("#services-results .services-card")
    assert sum(fully_visible(cards.nth(index)) for index in range(5)) >= 3
    expect(page.locator("#services-map-panel")).to_be_hidden()  # the map needs JavaScript; the list is complete
    page.locator("label[for='thematiques-mobilite']").click()
    page.locator(".services-filter__summary", has_text="Publics").click()
    page.locator("label[for='publics-jeunes']").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher les résultats").click()
    assert page.url.endswith("#resultats")
    count = len(expected(offer["services"], thematique_prefix="mobilite", publics=["jeunes"]))
    expect(page.locator("#services-count")).to_contain_text(f"{count} services")
    screenshot(page, "sans-javascript-travailleur-social-1-filtres")
    with page.expect_navigation():
        page.get_by_role("link", name="Effacer les filtres").click()
    expect(page.locator("#services-count")).to_contain_text(f"{len(offer['services'])} services")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger au format Tableur (XLSX)").click()
    download.value.save_as(tmp_path / "services.xlsx")
    assert openpyxl.load_workbook(tmp_path / "services.xlsx")["Services"].max_row == len(offer["services"]) + 1
    page.get_by_role("link", name="Imprimer la liste").click()
    expect(page.locator(".services-printed__entry")).to_have_count(len(offer["services"]))
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()


# -- Ma sélection: prepared for someone, printed, sent, opened again -----------------------------------------------


def selection_names(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(".services-selection__entry h2").all_inner_texts()]


def test_social_worker_prepares_a_selection_prints_it_and_shares_its_link(new_context, offer, tmp_path):
    context = new_context(**WIDE)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(LILLE + "&thematiques=mobilite")
    names = result_names(page)
    for position in (1, 3):
        page.locator(f"#resultat-{position} [data-select]").click()
        expect(page.locator(f"#resultat-{position} [data-select]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".fr-header__tools [data-selection-link]")).to_have_text("Ma sélection(2)")
    screenshot(page, "selection-1-resultats")
    # From a service page too; the selection survives a refresh of the results.
    page.locator("#resultat-5 h3 a").click()
    page.get_by_role("button", name=re.compile("Ajouter à ma sélection")).click()
    expect(page.get_by_role("button", name=re.compile("Retirer de ma sélection"))).to_have_attribute(
        "aria-pressed", "true"
    )
    page.locator(".fr-header__tools [data-selection-link]").click()
    chosen = [names[0], names[2], names[4]]
    expect(page.locator(".services-selection__entry h2")).to_have_text(chosen)
    expect(page.locator(".services-selection__entry").first).to_contain_text("Téléphoner au 03 20 11 22 33")
    screenshot(page, "selection-2-page", full_page=True)
    # Printed on A4, without the sharing tools.
    page.emulate_media(media="print")
    expect(page.locator(".services-selection__share")).to_be_hidden()
    screenshot(page, "selection-3-impression", full_page=True)
    assert page.pdf(path=tmp_path / "selection.pdf", format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")
    # One link, copied, sent, opened elsewhere: the same list.
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.locator("#copy-status")).to_have_text("Lien copié.")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.locator("#selection-link").input_value() and link == page.url
    assert len(parse_qs(urlsplit(link).query)["s"]) == 3
    someone = new_context(**PHONE).new_page()
    someone.goto(link)
    assert selection_names(someone) == chosen
    screenshot(someone, "selection-4-lien-ouvert")
    # Taking one out.
    page.locator(".services-selection__entry").nth(1).get_by_role("link", name=re.compile("Retirer")).click()
    expect(page.locator(".services-selection__entry h2")).to_have_text([names[0], names[4]])


def test_a_selection_is_prepared_printed_and_shared_without_javascript(new_context, offer, tmp_path):
    page = new_context(**WIDE, java_script_enabled=False).new_page()
    page.goto(LILLE + "&thematiques=mobilite")
    names = result_names(page)
    for position in (1, 3):
        with page.expect_navigation():
            page.locator(f"#resultat-{position} [data-select]").click()
        assert page.url.endswith(f"#resultat-{position}")
    expect(page.locator("#resultat-3 [data-select]")).to_contain_text("Retirer de ma sélection")
    # The search goes on with the selection: a filter keeps it.
    page.locator(".services-filter__summary", has_text="Frais").click()
    page.locator("label[for='frais-gratuit']").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher les résultats").click()
    expect(page.locator(".fr-header__tools [data-selection-link]")).to_have_text("Ma sélection(2)")
    page.locator(".fr-header__tools [data-selection-link]").click()
    expect(page.locator(".services-selection__entry h2")).to_have_text([names[0], names[2]])
    screenshot(page, "sans-javascript-selection-1-page")
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    page.emulate_media(media="print")
    assert page.pdf(path=tmp_path / "selection.pdf", format="A4").startswith(b"%PDF")
    link = page.locator("#selection-link").input_value()
    other = new_context(**PHONE, java_script_enabled=False).new_page()
    other.goto(link)
    assert selection_names(other) == [names[0], names[2]]


# -- A curator, and a person who reports an error --------------------------------------------------------------------


def test_curator_corrects_a_name_that_the_public_search_then_shows(new_context, offer):
    from tests.curation.conftest import staff_user

    staff_user("camille", "curateur")
    page = new_context(**WIDE).new_page()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("#id_username").fill("camille")
    page.locator("#id_password").fill("un mot de passe solide")
    screenshot(page, "curateur-1-connexion")
    page.locator("input[type=submit], button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto("/admin/services/service/?q=n%C2%B0+04")
    page.get_by_role("link", name="Préparer son permis n° 04").click()
    expect(page.locator("#id_nom")).to_have_value("Préparer son permis n° 04")
    page.locator("#id_nom").fill("Permis de conduire accompagné n° 04")
    screenshot(page, "curateur-2-correction")
    page.locator("input[name=_save]").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Permis de conduire accompagné n° 04")
    screenshot(page, "curateur-3-enregistre")

    page.goto(LILLE + "&q=accompagn%C3%A9")
    expect(page.locator("#services-results")).to_contain_text("Permis de conduire accompagné n° 04")
    assert "Préparer son permis n° 04" not in result_names(page)
    screenshot(page, "curateur-4-recherche-publique")


def test_person_reports_an_error_on_a_service_page(new_context, offer):
    """The report form posts from a real browser (CSRF token included) and thanks the person."""
    page = new_context(**PHONE).new_page()
    page.goto("/services/dora--service-01/")
    page.get_by_text("Une information est fausse ?").tap()
    expect(page.locator("input[name=reason][value='']")).to_have_count(0)
    page.locator("label[for='id_reason_2']").tap()
    page.locator("#id_message").fill("Le numéro de téléphone a changé.")
    screenshot(page, "signalement-1-formulaire")
    page.get_by_role("button", name="Envoyer le signalement").tap()
    expect(page.get_by_role("status").filter(has_text="Merci")).to_be_visible()
    expect(page).to_have_url(re.compile(r"signalement=merci"))
    screenshot(page, "signalement-2-merci")

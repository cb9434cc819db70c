"""The journeys of our three users, in a real browser: a person on a phone, a social worker, a curator."""

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import count_text, result_names, screenshot, wait_for_count

# Live-server tests are transactional; serialized_rollback gives each one the migrations' rows (the curators'
# groups) back after the flush of the one before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


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


def plural(count: int) -> str:
    return f"{count} services?"


def test_person_on_a_phone_finds_refines_goes_back_opens_and_prints(new_context, offer, tmp_path):
    page = new_context(**PHONE).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trouver un service")
    screenshot(page, "telephone-1-accueil")

    # The commune: type a few letters, pick the suggestion with a tap.
    page.locator("#id_commune").tap()
    page.locator("#id_commune").press_sequentially("lill", delay=40)
    suggestion = page.locator("#communes-suggestions [role=option]", has_text="Lille").first
    expect(suggestion).to_be_visible()
    expect(page.locator("#id_commune")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "telephone-2-suggestions")
    suggestion.tap()
    expect(page.locator("#id_commune")).to_have_value(re.compile("^Lille"))
    expect(page.locator("#id_code_commune")).to_have_value("59350")
    expect(page.locator("#communes-suggestions")).to_be_hidden()

    # The need, then the search.
    page.locator("label[for='thematiques-mobilite']").tap()
    expect(page.locator("#thematiques-mobilite")).to_be_checked()
    page.get_by_role("button", name="Rechercher").tap()
    mobilite = expected(offer["services"], thematique_prefix="mobilite")
    wait_for_count(page, rf"{len(mobilite)} services pour Lille")
    expect(page).to_have_url(re.compile(r"code_commune=59350.*thematiques=mobilite|thematiques=mobilite.*59350"))
    first_card = page.locator("#services-results .services-card").first
    expect(first_card).to_contain_text("Préparer son permis n° 01")
    expect(first_card.locator(".fr-badge").first).to_have_text(re.compile(r"^à 1,1 km$"))
    page.locator("#services-results").scroll_into_view_if_needed()
    screenshot(page, "telephone-3-resultats")
    names_before, count_before, url_before = result_names(page), count_text(page), page.url

    # A filter refreshes the results in place and pushes the new URL.
    page.locator(".services-filter__summary", has_text="Frais").tap()
    page.locator("label[for='frais-gratuit']").tap()
    gratuit = expected(offer["services"], thematique_prefix="mobilite", frais=["gratuit"])
    assert len(gratuit) != len(mobilite)
    wait_for_count(page, rf"{len(gratuit)} services? pour Lille")
    expect(page).to_have_url(re.compile(r"frais=gratuit"))
    assert all(service.nom in result_names(page) for service in gratuit if service.latitude is not None)
    screenshot(page, "telephone-4-filtre-gratuit")

    # The back button brings the previous results back.
    page.go_back()
    expect(page).to_have_url(url_before)
    wait_for_count(page, rf"{re.escape(count_before)}\s*$")
    assert result_names(page) == names_before
    screenshot(page, "telephone-5-retour")

    # A result, then its printed version.
    page.locator("#services-results .fr-card__title a").first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(names_before[0])
    expect(page.get_by_text(re.compile(r"à 1,1 km de Lille"))).to_be_visible()
    screenshot(page, "telephone-6-fiche")
    page.emulate_media(media="print")
    expect(page.locator("header.fr-header")).to_be_hidden()
    expect(page.locator("footer.fr-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "telephone-7-impression")
    pdf = page.pdf(path=tmp_path / "fiche.pdf", format="A4")
    assert pdf.startswith(b"%PDF")


def test_social_worker_combines_filters_shares_and_exports(new_context, desktop, offer):
    page = desktop
    page.goto("/services/?commune=Lille&code_commune=59350")
    services = offer["services"]
    wait_for_count(page, rf"{len(services)} services pour Lille \(59000\) \(rayon 50 km\)\s*$")
    screenshot(page, "travailleur-social-1-commune")

    steps = [
        ("label[for='thematiques-mobilite']", None, {"thematique_prefix": "mobilite"}),
        ("label[for='publics-jeunes']", "Publics", {"publics": ["jeunes"]}),
        ("label[for='frais-gratuit']", "Frais", {"frais": ["gratuit"]}),
        ("label[for='modes_accueil-en-presentiel']", "Modes d'accueil", {"modes_accueil": ["en-presentiel"]}),
    ]
    filters = {}
    counts = [len(services)]
    for label, group, step_filters in steps:
        if group:
            page.locator(".services-filter__summary", has_text=group).click()
        page.locator(label).click()
        filters.update(step_filters)
        count = len(expected(services, **filters))
        wait_for_count(page, rf"{count} services? pour Lille")
        counts.append(count)
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == len(counts), counts
    page.locator("#services-count").scroll_into_view_if_needed()
    screenshot(page, "travailleur-social-2-filtres")
    names = result_names(page)
    assert names == [service.nom for service in expected(services, **filters)]
    for parameter in ("thematiques=mobilite", "publics=jeunes", "frais=gratuit", "modes_accueil=en-presentiel"):
        assert parameter in page.url

    # The shared URL gives the same results, reloaded or opened by a colleague.
    shared_url = page.url
    page.reload()
    wait_for_count(page, rf"{counts[-1]} services? pour Lille")
    assert result_names(page) == names
    expect(page.locator("#publics-jeunes")).to_be_checked()
    colleague = new_context(viewport={"width": 1024, "height": 768}).new_page()
    colleague.goto(shared_url)
    assert result_names(colleague) == names
    screenshot(colleague, "travailleur-social-3-lien-partage")

    # The export holds the same services in the same order.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la liste (CSV)").click()
    assert download.value.suggested_filename == "services-insertion.csv"
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["nom"] for row in rows] == names
    assert all(row["distance_km"] for row in rows)
    assert {row["structure_nom"] for row in rows} <= {"Centre social Pagnol", "Mission locale de Lille"}


def test_curator_corrects_a_name_that_the_public_search_then_shows(new_context, desktop, offer):
    from tests.curation.conftest import staff_user

    staff_user("camille", "curateur")
    page = desktop
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

    page.goto("/services/?commune=Lille&code_commune=59350&q=accompagn%C3%A9")
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

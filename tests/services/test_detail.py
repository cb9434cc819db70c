"""The service and structure pages."""

import datetime
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup, Comment
from django.test import Client
from django.urls import reverse

from core.rendering import EXCERPT_LENGTH
from services.models import ErrorReport
from services.presenters import detail_url
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db
ODD_IDS = ["dora--a/b", "dora--atelier numérique", "dora--x?y=1#z", "dora--100%", "dora--fin/"]


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(response) -> str:
    return " ".join(page(response).get_text(" ").split())


def url(service_id: str) -> str:
    return f"/services/{quote(service_id, safe='')}/"


@pytest.mark.parametrize("service_id", ODD_IDS)
def test_detail_urls_carry_any_upstream_id(client, service_id):
    service = ServiceFactory(id=service_id)
    response = client.get(url(service_id))
    assert response.status_code == 200
    assert service.nom in text(response)
    from django.urls import reverse

    assert client.get(reverse("services:detail", args=[service_id])).status_code == 200


def test_sections_in_the_order_a_person_needs_them(client):
    structure = StructureFactory(horaires_accueil="Mo-Fr 09:00-12:00")
    service = ServiceFactory(
        structure=structure,
        telephone="03 20 00 00 00",
        modes_mobilisation=["telephoner", "se-presenter", "utiliser-lien-mobilisation"],
        mobilisable_par=["usagers"],
        lien_mobilisation="https://exemple.fr/demande",
        publics=["femmes"],
        publics_precisions="Femmes isolées",
        conditions_acces="Sur rendez-vous",
        zone_eligibilite=["59"],
        frais="payant",
        frais_precisions="5 € par séance",
        volume_horaire_hebdomadaire=2.5,
        nombre_semaines=6,
        horaires_accueil=None,
    )
    response = client.get(url(service.id))
    headings = [h.get_text(strip=True) for h in page(response).select("h2")]
    assert headings[:5] == ["Comment mobiliser ce service", "Où et quand", "Pour qui", "Frais et durée", "Description"]
    content = text(response)
    assert "Téléphoner au 03 20 00 00 00" in content
    assert page(response).select_one('a[href="tel:+33320000000"]')
    assert "Se présenter sur place : 1 rue de la République, 59000 Lille" in content
    assert "Peut être demandé par : usagers." in content
    assert "Habitants du Nord (59)" in content
    assert "Payant : 5 € par séance" in content
    assert "Durée : 2,5 h par semaine pendant 6 semaines" in content
    assert "Horaires d'accueil de la structure" in content  # the service has none of its own
    assert "Lundi" in content and "9 h – 12 h" in content
    assert page(response).select_one('a[href^="https://www.openstreetmap.org/directions?to=50.63000"]')


def test_distance_and_back_link_when_coming_from_a_search(client):
    CommuneFactory(code_insee="59350", nom="Lille", latitude=50.63046, longitude=3.07134, codes_postaux=["59000"])
    service = ServiceFactory(latitude=50.69096, longitude=3.17405)
    response = client.get(url(service.id), {"code_commune": "59350", "page": "2"})
    content = text(response)
    assert "à 9,9 km de Lille (59000)" in content
    back = page(response).find("a", string="Retour aux résultats")
    assert back["href"] == "/services/?code_commune=59350&page=2"


def test_hostile_data_is_rendered_inert(client):
    xss = '<script>alert("x")</script>'
    structure = StructureFactory(nom=f"Structure {xss}", site_web="javascript:alert(1)", lien_source="javascript:x")
    service = ServiceFactory(
        structure=structure,
        nom=f"Service {xss}",
        description=f"Texte {xss} et un lien https://exemple.fr/page et <a href='javascript:alert(1)'>clic</a>",
        lien_source="javascript:alert(2)",
        lien_mobilisation="javascript:alert(3)",
        modes_mobilisation=["utiliser-lien-mobilisation"],
        publics_precisions=xss,
        conditions_acces=xss,
        frais_precisions=xss,
    )
    for response in (client.get(url(service.id)), client.get(f"/structures/{quote(structure.id, safe='')}/")):
        html = response.content.decode()
        assert "<script>alert" not in html
        attributes = [value for tag in page(response).find_all(True) for value in tag.attrs.values()]
        assert not any(str(value).strip().lower().startswith("javascript:") for value in attributes)
        links = [a["href"] for a in page(response).select("main a[href]")]
        assert all(link.startswith(("/", "https://", "http://", "tel:", "mailto:", "sms:")) for link in links), links
    assert page(client.get(url(service.id))).select_one('a[href="https://exemple.fr/page"]')


def test_unpublished_service_is_gone_with_a_way_to_search_again(client):
    service = ServiceFactory(is_published=False, code_insee="59350")
    response = client.get(url(service.id))
    assert response.status_code == 410
    assert page(response).select_one('a[href="/services/?code_commune=59350"]')
    hidden_structure = ServiceFactory(structure=StructureFactory(is_published=False))
    assert client.get(url(hidden_structure.id)).status_code == 410


def test_unknown_service_is_404(client):
    assert client.get("/services/dora--nope/").status_code == 404


def test_error_report_is_stored(client):
    service = ServiceFactory()
    response = client.post(
        f"/services/signaler/{quote(service.id, safe='')}/",
        {"reason": "horaires", "message": "Fermé le mercredi", "email": "", "website": ""},
    )
    assert response.status_code == 302
    report = ErrorReport.objects.get()
    assert (report.service_id, report.reason, report.status) == (service.id, "horaires", "nouveau")
    assert "Merci" in text(client.get(response["Location"]))


def test_error_report_form_posts_from_a_real_browser():
    """The form carries its CSRF token (the test client skips the check, browsers do not) and no blank reason."""
    service = ServiceFactory()
    browser = Client(enforce_csrf_checks=True)
    form = page(browser.get(url(service.id))).find("form", action=f"/services/signaler/{quote(service.id, safe='')}/")
    token = form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert token and token["value"]
    assert [radio["value"] for radio in form.select("input[name=reason]")] == [
        value for value, _ in ErrorReport.Reason.choices
    ]
    response = browser.post(form["action"], {"csrfmiddlewaretoken": token["value"], "reason": "autre", "message": "x"})
    assert response.status_code == 302


def test_error_report_honeypot_and_validation(client):
    service = ServiceFactory()
    target = f"/services/signaler/{quote(service.id, safe='')}/"
    client.post(target, {"reason": "autre", "message": "spam", "website": "http://spam.example"})
    assert not ErrorReport.objects.exists()
    response = client.post(target, {"reason": "", "message": ""})
    assert response.status_code == 400
    assert "Décrivez l'erreur en quelques mots." in text(response)


def test_error_reports_are_rate_limited(client):
    service = ServiceFactory()
    target = f"/services/signaler/{quote(service.id, safe='')}/"
    statuses = [client.post(target, {"reason": "autre", "message": f"n°{i}"}).status_code for i in range(7)]
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    assert ErrorReport.objects.count() == 5


def test_structure_page_lists_services_and_duplicates(client):
    structure = StructureFactory(duplicate_group="dora--s", id="dora--s", reseaux_porteurs=["caf"])
    StructureFactory(duplicate_group="dora--s", id="soliguide--s", source="soliguide")
    ServiceFactory(structure=structure, nom="Atelier CV")
    ServiceFactory(structure=structure, nom="Service masqué", is_published=False)
    response = client.get("/structures/dora--s/")
    content = text(response)
    assert "Atelier CV" in content and "Service masqué" not in content
    assert "Aussi référencée par Soliguide" in content
    assert "Caisse d'Allocations Familiales" in content or "Caisse d’Allocations Familiales" in content


def test_opening_status_is_computed_at_request_time(client, settings, monkeypatch):
    import zoneinfo

    from django.utils import timezone

    tuesday_ten = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    monkeypatch.setattr(timezone, "now", lambda: tuesday_ten)
    service = ServiceFactory(horaires_accueil="Mo-Fr 09:00-12:00,14:00-17:00")
    assert "Ouvert maintenant — ferme à 12 h" in text(client.get(url(service.id)))
    service = ServiceFactory(horaires_accueil="lundi 9h-12h")
    assert "lundi 9h-12h" in text(client.get(url(service.id)))  # unparseable: shown raw


def test_print_stylesheet_and_printed_link_targets(client):
    service = ServiceFactory(lien_source="https://dora.example.org/services/x")
    response = client.get(url(service.id))
    assert page(response).select_one('link[rel="stylesheet"][media="print"][href$="css/print.css"]')
    assert page(response).select_one(".print-url").get_text(strip=True) == "(https://dora.example.org/services/x)"


@pytest.mark.parametrize(
    "service_id", ["dora--a/b", "soliguide--x y", "dora--é#1?", "a%20b", "x--~:@!$&'()*+,;=", "//lead", "dora--日本"]
)
def test_result_cards_link_to_the_url_django_reverses(service_id):
    assert detail_url(service_id) == reverse("services:detail", args=[service_id])


# --- Producers' content as data·inclusion publishes it ---------------------------------------------------------------

DORA_DESCRIPTION = """## **Présentation**

Un accompagnement **individuel** vers l'emploi.
Sur rendez-vous.

## **Pour qui ?**

- Jeunes de 16 à 25 ans
- Demandeurs d'emploi

[Accéder au service](<https://dora.inclusion.beta.gouv.fr/services/accompagnement emploi>)
<!-- -->
"""
HOSTILE_DESCRIPTION = (
    "[clic](javascript:alert(1)) <img src=x onerror=alert(1)> <iframe src=https://evil.example></iframe>"
    ' <a href="data:text/html,x" onclick="alert(1)">lien</a> <!-- caché --> <script>alert(1)</script>'
)


def structure_url(structure) -> str:
    return f"/structures/{quote(structure.id, safe='')}/"


def section(response, heading_id: str):
    return page(response).find("h2", id=heading_id).find_parent("section")


def test_markdown_is_rendered_on_the_service_and_structure_pages(client):
    structure = StructureFactory(description=DORA_DESCRIPTION)
    service = ServiceFactory(
        structure=structure,
        description=DORA_DESCRIPTION,
        conditions_acces="- Être inscrit\n- Habiter **Lille**",
        publics_precisions="Jeunes *NEET*",
        mobilisation_precisions="Appeler le **matin**",
        frais_precisions="Adhésion : [voir le tarif](https://exemple.fr/tarifs)",
        frais="payant",
    )
    for response, heading in (
        (client.get(url(service.id)), "description"),
        (client.get(structure_url(structure)), "presentation"),
    ):
        description = section(response, heading)
        assert [(h.name, h.get_text()) for h in description.find_all(["h2", "h3", "h4"])][1:] == [
            ("h3", "Présentation"),
            ("h3", "Pour qui ?"),
        ]
        assert [li.get_text() for li in description.find_all("li")] == ["Jeunes de 16 à 25 ans", "Demandeurs d'emploi"]
        link = description.find("a", string="Accéder au service")
        assert link["href"] == "https://dora.inclusion.beta.gouv.fr/services/accompagnement%20emploi"
        assert link["rel"] == ["nofollow", "noopener", "noreferrer"]
        content = " ".join(description.get_text(" ").split())
        assert "##" not in content and "**" not in content and "](" not in content
        assert not description.find_all(string=lambda string: isinstance(string, Comment))
    response = client.get(url(service.id))
    assert [li.get_text() for li in section(response, "pour-qui").find_all("li")] == ["Être inscrit", "Habiter Lille"]
    assert section(response, "pour-qui").find("em").get_text() == "NEET"
    assert section(response, "mobiliser").find("strong").get_text() == "matin"
    assert section(response, "frais").find("a", href="https://exemple.fr/tarifs")
    assert "Payant : Adhésion : voir le tarif" in text(response)
    # The meta description is plain text.
    assert (
        page(response)
        .find("meta", attrs={"name": "description"})["content"]
        .startswith("Un accompagnement individuel")
    )


def test_hostile_markdown_is_rendered_inert_on_every_page(client):
    CommuneFactory(code_insee="59350", nom="Lille")
    structure = StructureFactory(description=HOSTILE_DESCRIPTION)
    service = ServiceFactory(
        structure=structure,
        description=HOSTILE_DESCRIPTION,
        conditions_acces=HOSTILE_DESCRIPTION,
        publics_precisions=HOSTILE_DESCRIPTION,
        frais_precisions=HOSTILE_DESCRIPTION,
        mobilisation_precisions=HOSTILE_DESCRIPTION,
    )
    for address in (url(service.id), structure_url(structure), "/services/?code_commune=59350"):
        response = client.get(address)
        main = page(response).find("main")
        assert not main.find_all(["script", "iframe", "img", "object", "embed"])
        for tag in main.find_all(True):
            assert not [name for name in tag.attrs if name.startswith("on") or name == "style"], tag
        assert all(
            link["href"].startswith(("/", "https://", "http://", "tel:", "mailto:", "sms:", "#"))
            for link in main.select("a[href]")
        )
        assert "caché" not in response.content.decode()


def test_result_cards_show_a_plain_excerpt(client):
    CommuneFactory(code_insee="59350", nom="Lille")
    ServiceFactory(description=DORA_DESCRIPTION + "Suite du texte.\n" * 100)
    card = page(client.get("/services/", {"code_commune": "59350"})).select_one(".services-card")
    excerpt = card.select_one(".services-card__excerpt")
    assert not excerpt.find_all(True)
    assert excerpt.get_text().startswith(
        "Un accompagnement individuel vers l'emploi. Sur rendez-vous. Jeunes de 16 à 25 ans Demandeurs d'emploi "
        "Accéder au service Suite du texte. Suite du texte."
    )
    assert excerpt.get_text().endswith("…") and len(excerpt.get_text()) <= EXCERPT_LENGTH + 1


def test_phones_in_the_french_national_format_and_tel_links_in_e164(client):
    CommuneFactory(code_insee="59350", nom="Lille")
    structure = StructureFactory(telephone="+33320000000")
    service = ServiceFactory(structure=structure, telephone="+33632898444", modes_mobilisation=["telephoner"])
    abroad = ServiceFactory(structure=structure, telephone="+41221234567", modes_mobilisation=["telephoner"])
    odd = ServiceFactory(structure=structure, telephone="voir le site", modes_mobilisation=["telephoner"])
    response = client.get(url(service.id))
    assert "Téléphoner au 06 32 89 84 44" in text(response) and "+33632898444" not in text(response)
    assert page(response).find("a", string="Téléphoner au 06 32 89 84 44")["href"] == "tel:+33632898444"
    assert (
        page(client.get(url(abroad.id))).find("a", string="Téléphoner au +41 22 123 45 67")["href"]
        == "tel:+41221234567"
    )
    response = client.get(url(odd.id))
    assert "Téléphoner au voir le site" in text(response) and not page(response).select('a[href^="tel:"]')
    response = client.get(structure_url(structure))
    assert page(response).find("a", string="03 20 00 00 00")["href"] == "tel:+33320000000"
    cards = page(client.get("/services/", {"code_commune": "59350"}))
    # Cards show the number; screen readers hear the whole label.
    card_link = cards.select_one('#services-results a[href="tel:+33632898444"]')
    assert card_link.get_text() == "Téléphoner au 06 32 89 84 44"
    assert card_link.find(class_="fr-sr-only").get_text() == "Téléphoner au "


def test_links_from_data_are_encoded_or_shown_as_text(client):
    structure = StructureFactory(
        site_web="https://mairie.exemple.fr/accueil social/été",
        accessibilite_lieu="acceslibre : fiche à venir",
        lien_source="https://dora.exemple.fr/structures/centre social",
    )
    service = ServiceFactory(
        structure=structure,
        lien_source="https://dora.exemple.fr/services/atelier numérique",
        lien_mobilisation="www.exemple.fr/demande",
        modes_mobilisation=["utiliser-lien-mobilisation"],
    )
    response = client.get(structure_url(structure))
    site = page(response).find("a", string="https://mairie.exemple.fr/accueil social/été")
    assert site["href"] == "https://mairie.exemple.fr/accueil%20social/%C3%A9t%C3%A9"
    assert "Accessibilité du lieu : acceslibre : fiche à venir" in text(response)
    assert page(response).find("a", string="DORA")["href"] == "https://dora.exemple.fr/structures/centre%20social"
    response = client.get(url(service.id))
    assert (
        page(response).find("a", string="DORA")["href"] == "https://dora.exemple.fr/services/atelier%20num%C3%A9rique"
    )
    assert "Faire une demande en ligne : www.exemple.fr/demande" in text(response)
    assert not page(response).find("a", string=lambda string: string and "demande en ligne" in string)


def test_null_zone_is_not_precise_but_still_found_everywhere(client):
    CommuneFactory(code_insee="13055", nom="Marseille", codes_postaux=["13001"], latitude=43.3, longitude=5.37)
    service = ServiceFactory(zone_eligibilite=None, modes_accueil=["a-distance"])
    assert "Zone d'éligibilité non précisée" in text(client.get(url(service.id)))
    assert "Sans condition de lieu de résidence" not in text(client.get(url(service.id)))
    assert service.nom in text(client.get("/services/", {"code_commune": "13055"}))


@pytest.mark.parametrize(
    ("hours", "shown", "not_shown"),
    [
        ("Mo open", ["Lundi ouvert, horaires non précisés", "Mardi fermé"], ["24 h/24", "à 0 h"]),
        (
            '"Horaires non communiqués : appelez avant de vous déplacer"',
            ["Horaires non communiqués : appelez avant de vous déplacer"],
            ["Ouvert maintenant", "24 h/24", '"'],
        ),
        ("Mo-Su off", ["La source n'indique aucun jour d'ouverture : appelez avant de vous déplacer."], ["Lundi"]),
        ("unknown", ["Horaires non communiqués : appelez avant de vous déplacer."], ["Lundi fermé"]),
        ("lundi 9h-12h", ["lundi 9h-12h"], []),
    ],
)
def test_hours_read_sensibly(client, hours, shown, not_shown):
    service = ServiceFactory(horaires_accueil=hours)
    structure_page = text(client.get(structure_url(StructureFactory(horaires_accueil=hours))))
    for content in (text(client.get(url(service.id))), structure_page):
        assert all(phrase in content for phrase in shown), content
        assert not any(phrase in content for phrase in not_shown), content


def test_information_older_than_a_year_says_so(client):
    CommuneFactory(code_insee="59350", nom="Lille")
    today = datetime.date.today()
    old = today - datetime.timedelta(days=400)
    structure = StructureFactory(date_maj=old)
    service = ServiceFactory(structure=structure, date_maj=old)
    recent = ServiceFactory(structure=structure, date_maj=today - datetime.timedelta(days=30))
    stale = "il y a plus d'un an"
    assert f"— {stale}" in text(client.get(url(service.id)))
    assert stale not in text(client.get(url(recent.id)))
    assert text(client.get(structure_url(structure))).count(stale) == 2  # the structure and its old service's card
    cards = page(client.get("/services/", {"code_commune": "59350"})).select(".services-card")
    assert sorted(stale in card.get_text() for card in cards) == [False, True]

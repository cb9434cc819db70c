"""The service and structure pages."""

import datetime
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

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

"""Security headers on real responses, and pages that a strict Content-Security-Policy can show."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.test import Client, RequestFactory

from inclusion_site.errors import server_error
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def service():
    CommuneFactory(code_insee="59350", nom="Lille")
    return ServiceFactory(lien_mobilisation="https://exemple.fr/demande", modes_mobilisation=None)


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_headers_on_pages_fragments_admin_and_errors(client, service):
    detail = f"/services/{quote(service.id, safe='')}/"
    responses = {
        "page": client.get("/services/?code_commune=59350"),
        "fragment": client.get("/services/?code_commune=59350", **HTMX),
        "invalid fragment": client.get("/services/?rayon_km=7", **HTMX),
        "detail": client.get(detail),
        "export": client.get("/services/export.csv"),
        "autocomplete": client.get("/communes/autocomplete/?q=lil&format=json"),
        "admin login": client.get("/admin/login/"),
        "404": client.get("/structures/inconnue/"),
    }
    for _ in range(301):
        rate_limited = client.get("/services/export.csv?q=x")
    responses["429"] = rate_limited
    expected = {"invalid fragment": 400, "404": 404, "429": 429}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, 200), name
        assert_security_headers(response)


def test_error_pages_are_french_and_in_the_site_shell(client):
    not_found = client.get("/structures/inconnue/")
    assert "Page introuvable" in not_found.content.decode()
    assert 'class="fr-header"' in not_found.content.decode()
    crashed = server_error(RequestFactory().get("/"))
    assert crashed.status_code == 500
    assert "Erreur du serveur" in crashed.content.decode()
    assert "Trouver un service d&#x27;insertion" in crashed.content.decode()


def test_expired_form_is_a_french_403(service):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/services/signaler/{quote(service.id, safe='')}/", {"reason": "autre", "message": "x"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert_security_headers(response)


def inline_code(html: str) -> list[str]:
    """What a strict CSP would block: inline scripts, <style>, style="", on*="" handlers."""
    soup = BeautifulSoup(html, "html.parser")
    found = [str(tag)[:80] for tag in soup.find_all("script") if not tag.get("src")]
    found += [str(tag)[:80] for tag in soup.find_all("style")]
    for tag in soup.find_all(True):
        found += [f"{tag.name} {name}" for name in tag.attrs if name == "style" or name.startswith("on")]
    return found


def test_pages_have_no_inline_code(client, admin_client, service):
    urls = [
        "/",
        "/services/?code_commune=59350&q=atelier",
        f"/services/{quote(service.id, safe='')}/",
        f"/structures/{quote(service.structure_id, safe='')}/",
        "/structures/inconnue/",
        "/admin/login/",
    ]
    for url in urls:
        assert inline_code(client.get(url).content.decode()) == [], url
    assert inline_code(client.get("/services/?code_commune=59350", **HTMX).content.decode()) == []
    for url in (
        "/admin/",
        "/admin/services/service/",
        f"/admin/services/service/{quote(service.id, safe='')}/change/",
        "/admin/curation/tableau-de-bord/",
        "/admin/curation/doublons/",
    ):
        response = admin_client.get(url, follow=True)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


def test_htmx_is_configured_not_to_inject_styles_or_run_code(client):
    meta = BeautifulSoup(client.get("/").content, "html.parser").find("meta", attrs={"name": "htmx-config"})
    assert '"includeIndicatorStyles": false' in meta["content"]
    assert '"allowEval": false' in meta["content"]

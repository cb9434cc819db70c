"""NUL bytes on every admin page (a curator's mistyped link, a scanner with a stolen session): a 400 or an
empty list, never a 500. PostgreSQL refuses them in any string, so each one reaching a query was a crash.
Generated hostile parameters on the admin: tests/test_hostile_input.py."""

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.urls import reverse

from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

NUL = "\x00"
# Parameters the admin's lists read: their filters, the admin's own, field lookups it accepts as they come.
NAMED = [
    "groupe",
    "departement",
    "commune",
    "source__exact",
    "structure__id__exact",
    "thematiques",
    "status__exact",
    "run__id__exact",
    "started_at__gte",
    "id__in",
    SEARCH_VAR,
    ORDER_VAR,
    PAGE_VAR,
    "_changelist_filters",
    "_to_field",
    "_popup",
]
ALLOWED = {200, 302, 400, 404}
CURATION_PAGES = ["/admin/curation/tableau-de-bord/", "/admin/curation/doublons/"]


def changelists() -> list[tuple[str, list[str]]]:
    """Every list of the admin, with the parameters of its filters."""
    found = []
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = [
            getattr(f, "parameter_name", None) or (f if isinstance(f, str) else None) for f in model_admin.list_filter
        ]
        found.append((url, [name for name in names if name]))
    return found


@pytest.fixture
def records():
    return ServiceFactory(id="dora--service")


def test_every_admin_list_answers_nul_bytes_without_crashing(admin_client, records):
    for url, filter_names in changelists():
        for name in [*NAMED, *filter_names]:
            response = admin_client.get(f"{url}?{quote(name)}=%00")
            assert response.status_code in ALLOWED, (url, name, response.status_code)
            if response.status_code == 400:
                assert "Demande invalide" in response.content.decode()
        response = admin_client.get(f"{url}?%00=1")
        assert response.status_code in ALLOWED, (url, "name")


def test_every_admin_object_page_answers_a_nul_id_without_crashing(admin_client, records):
    for url, _ in changelists():
        for suffix in ("%00/change/", "%00/history/", "%00/delete/", "a%00b/change/", "%00/masquer/"):
            response = admin_client.get(url + suffix)
            assert response.status_code in ALLOWED, (url + suffix, response.status_code)


@pytest.mark.parametrize("path", CURATION_PAGES)
def test_curation_pages_answer_nul_bytes_without_crashing(admin_client, records, path):
    for name in ["groupe", "departement", "page", "x"]:
        response = admin_client.get(f"{path}?{name}=%00")
        assert response.status_code in ALLOWED, (path, name, response.status_code)


def test_admin_forms_answer_nul_bytes_without_crashing(admin_client, records):
    services = reverse("admin:services_service_changelist")
    for data in (
        {"action": "hide", "_selected_action": NUL},
        {"action": NUL, "_selected_action": "dora--service"},
        {"action": "hide", "select_across": NUL, "_selected_action": "dora--service"},
    ):
        assert admin_client.post(services, data).status_code in ALLOWED, data
    for path in ("/admin/curation/doublons/pas-un-doublon/", "/admin/curation/doublons/representant/"):
        assert admin_client.post(path, {"structure": NUL, "next": NUL}).status_code in ALLOWED, path
    login = admin_client.post("/admin/login/", {"username": NUL, "password": NUL})
    assert login.status_code in ALLOWED
    autocomplete = "/admin/autocomplete/?app_label=services&model_name=service&field_name=structure&term=%00"
    assert admin_client.get(autocomplete).status_code in ALLOWED


@pytest.mark.parametrize(
    ("lookup", "value"),
    [("thematiques", "<script>"), ("modes_accueil", "x"), ("date_maj__gte", "demain"), ("structure__nom", "a")],
)
def test_a_field_lookup_no_page_links_to_is_refused_not_sent_to_postgresql(admin_client, records, lookup, value):
    """Django lets a list's URL filter any field of its model; an array column compared with text then failed in
    PostgreSQL (a 500). Only the lookups the pages link to are accepted."""
    response = admin_client.get(reverse("admin:services_service_changelist"), {lookup: value})
    assert response.status_code == 400
    assert "Demande invalide" in response.content.decode()


def test_the_link_from_a_structure_to_its_services_still_filters(admin_client, records):
    ServiceFactory(id="dora--autre")
    response = admin_client.get(
        reverse("admin:services_service_changelist"), {"structure__id__exact": records.structure_id}
    )
    assert response.status_code == 200
    assert "dora--service" in response.content.decode()
    assert "dora--autre" not in response.content.decode()

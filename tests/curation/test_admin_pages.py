"""Every curation page renders on data of the national shape, in a bounded number of queries."""

import pytest
from bs4 import BeautifulSoup
from data_inclusion.schema import v1
from django.contrib.admin.utils import quote
from django.urls import reverse

from curation.lists import EXACT_COUNT_BELOW, EstimatedCountPaginator
from services.models import ErrorReport, Service
from structures.models import Structure

pytestmark = pytest.mark.django_db

SERVICES = reverse("admin:services_service_changelist")
STRUCTURES = reverse("admin:structures_structure_changelist")

FILTERS = [
    {},
    {"publication": "publie"},
    {"publication": "masque"},
    {"publication": "retire"},
    {"source": "dora"},
    {"departement": "59"},
    {"departement": "974"},
    {"departement": "aucun"},
    {"categorie": "numerique"},
    {"score": "faible"},
    {"score": "non-calcule"},
    {"qualite": "sans-contact"},
    {"qualite": "sans-coordonnees"},
    {"qualite": "horaires-invalides"},
    {"perime": "oui"},
    {"corrige": "oui"},
    {"ecart": "oui"},
    {"q": "Structure 0042"},
    {"q": "59000"},
    {"q": "00000000000010"},
    {"publication": "publie", "source": "soliguide", "departement": "69", "perime": "non", "o": "-7"},
]


def test_changelists_render_with_any_filter_in_few_queries(
    admin_client, national_shape, django_assert_max_num_queries
):
    # One dataset for every combination: building it is what takes time.
    for params in FILTERS:
        for url in (SERVICES, STRUCTURES):
            # session, user, source choices, hours strings, count, page (annotated columns, joins)
            with django_assert_max_num_queries(7, info=f"{url} {params}"):
                response = admin_client.get(url, params)
            assert response.status_code == 200, (url, params)


def test_service_changelist_columns_and_counts(admin_client, national_shape):
    response = admin_client.get(SERVICES, {"publication": "masque"})
    changelist = response.context["cl"]
    assert changelist.result_count == Service.objects.filter(unpublished_reason="masque-par-un-curateur").count()
    text = response.content.decode()
    for heading in ("Nom", "Structure", "Commune", "Source", "Thématiques", "Score", "Publication", "Corrigé"):
        assert heading in text
    assert "Masqué par un curateur" in text
    assert "Numérique" in text  # category labels, not slugs


def test_department_filter_uses_code_insee_then_postal_code(admin_client, national_shape):
    response = admin_client.get(STRUCTURES, {"departement": "974"})
    # Saint-Denis de La Réunion: code INSEE 97411, or postal code 97400 when the INSEE code is missing.
    assert response.context["cl"].result_count == 333


def test_unfiltered_count_is_estimated_above_a_threshold(national_shape, django_assert_num_queries):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE services_service")
    queryset = Service.objects.all()
    paginator = EstimatedCountPaginator(queryset, 50)
    with django_assert_num_queries(2):  # the estimate, then an exact count below the threshold
        assert paginator.count == 3000
    assert EXACT_COUNT_BELOW > 3000
    expected = Service.objects.filter(source="dora").count()
    filtered = EstimatedCountPaginator(queryset.filter(source="dora"), 50)
    with django_assert_num_queries(1):  # filtered: exact count only
        assert filtered.count == expected


def test_estimated_count_is_used_for_big_tables(national_shape, monkeypatch):
    monkeypatch.setattr("curation.lists.EXACT_COUNT_BELOW", 100)
    monkeypatch.setattr("curation.lists.table_estimate", lambda table: 140_000)
    assert EstimatedCountPaginator(Service.objects.all(), 50).count == 140_000


def test_change_forms_render_in_few_queries(admin_client, national_shape, django_assert_max_num_queries):
    service = Service.objects.get(pk=national_shape["services"][7].pk)
    structure = service.structure
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:services_service_change", args=[quote(service.pk)]))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:structures_structure_change", args=[quote(structure.pk)]))
    assert response.status_code == 200
    assert "services de la structure" in response.content.decode().lower()


def test_service_change_form_follows_schema_sections_with_labelled_checkboxes(admin_client, service):
    response = admin_client.get(reverse("admin:services_service_change", args=[quote(service.pk)]))
    text = response.content.decode()
    for section in ("Identification", "Présentation", "Publics et conditions", "Adresse et accueil", "Horaires"):
        assert section in text
    for section in ("Contact", "Mobilisation", "Publication"):
        assert section in text
    # Enum sets are checkbox lists with the schema's labels, thématiques grouped by category.
    assert 'type="checkbox" name="thematiques" value="mobilite--preparer-un-permis"' in text
    checkbox = BeautifulSoup(text, "html.parser").find("input", attrs={"value": "mobilite--preparer-un-permis"})
    assert checkbox.find_parent("label").get_text(strip=True) == v1.Thematique("mobilite--preparer-un-permis").label
    assert 'type="checkbox" name="publics" value="tous-publics"' in text
    assert "Tous publics" in text
    # The structure is picked with the autocomplete widget.
    assert "admin-autocomplete" in text
    # Publication is changed through the hide action only.
    assert 'name="is_published"' not in text
    assert "Masquer" in text


def test_autocomplete_of_structures(admin_client, national_shape, django_assert_max_num_queries):
    url = reverse("admin:autocomplete")
    params = {"app_label": "services", "model_name": "service", "field_name": "structure", "term": "Structure 004"}
    with django_assert_max_num_queries(6):
        response = admin_client.get(url, params)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 11  # 0004 and 0040 to 0049: every word matches


def test_history_page_renders(admin_client, service):
    response = admin_client.get(reverse("admin:services_service_history", args=[quote(service.pk)]))
    assert response.status_code == 200


def test_error_reports_list_and_form(admin_client, national_shape, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:services_errorreport_changelist"), {"status__exact": "nouveau"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 30
    report = ErrorReport.objects.first()
    response = admin_client.get(reverse("admin:services_errorreport_change", args=[report.pk]))
    assert response.status_code == 200


def test_dashboard_renders_in_bounded_queries(admin_client, national_shape, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = admin_client.get(reverse("curation:dashboard"))
    assert response.status_code == 200
    assert "Tableau de bord" in response.content.decode()


def test_duplicates_page_renders(admin_client, national_shape, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("curation:duplicates"))
    assert response.status_code == 200
    assert (
        response.context["page"].paginator.count
        == Structure.objects.values("duplicate_group").distinct().exclude(duplicate_group=None).count()
    )
    assert len(response.context["groups"]) == 20
    assert all(len(group["members"]) == 2 for group in response.context["groups"])
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("curation:duplicates"), {"departement": "69"})
    assert response.status_code == 200


def test_admin_index_links_to_curation_pages(admin_client):
    text = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("curation:dashboard") in text
    assert reverse("curation:duplicates") in text


def test_hide_form_renders(admin_client, service):
    response = admin_client.get(reverse("admin:services_service_hide", args=[quote(service.pk)]))
    assert response.status_code == 200
    assert "Motif" in response.content.decode()

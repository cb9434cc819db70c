"""Who changed what and when, field by field."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone

from curation.history import IMPORTED_STATE
from services.models import ErrorReport, Service
from tests.curation.test_corrections import edit
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported_service():
    """A service as imports write it: without any history."""
    service = ServiceFactory(id="dora--atelier/1", nom="Atelier numérique", telephone="03 20 00 00 00")
    service.history.all().delete()
    return service


def test_an_edit_is_recorded_field_by_field_with_its_author(admin_client, superuser, imported_service):
    edit(admin_client, imported_service, nom="Atelier numérique du centre", telephone="03 20 99 99 99")

    entries = list(Service.history.filter(id=imported_service.pk).order_by("history_date", "history_id"))
    # First the state the import wrote, then the curator's change.
    assert [entry.history_change_reason for entry in entries] == [IMPORTED_STATE, "Correction par un curateur"]
    assert entries[0].history_user is None
    assert entries[1].history_user == superuser
    delta = entries[1].diff_against(entries[0])
    assert {change.field: (change.old, change.new) for change in delta.changes} == {
        "nom": ("Atelier numérique", "Atelier numérique du centre"),
        "telephone": ("03 20 00 00 00", "03 20 99 99 99"),
        "curated_fields": ([], ["nom", "telephone"]),
    }

    response = admin_client.get(reverse("admin:services_service_history", args=[quote(imported_service.pk)]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Atelier numérique du centre" in text
    assert "Téléphone" in text
    assert superuser.username in text
    assert "Champs corrigés" in text


def test_an_import_between_two_edits_is_not_attributed_to_the_curator(admin_client, imported_service):
    edit(admin_client, imported_service, nom="Atelier numérique du centre")
    # An import changes the record (bulk SQL, no history), then a curator edits again.
    Service.objects.filter(pk=imported_service.pk).update(frais="payant", updated_at=timezone.now())
    edit(admin_client, Service.objects.get(pk=imported_service.pk), telephone="03 20 99 99 99")
    entries = list(Service.history.filter(id=imported_service.pk).order_by("history_date", "history_id"))
    reasons = [entry.history_change_reason for entry in entries]
    assert reasons == [IMPORTED_STATE, "Correction par un curateur", IMPORTED_STATE, "Correction par un curateur"]
    last = entries[-1].diff_against(entries[-2])
    assert {change.field for change in last.changes} == {"telephone", "curated_fields"}


def test_hiding_is_recorded_with_its_reason(admin_client, superuser, imported_service):
    admin_client.post(
        reverse("admin:services_service_hide", args=[quote(imported_service.pk)]),
        {"apply": "1", "reason": "Service fermé"},
    )
    latest = Service.history.filter(id=imported_service.pk).latest()
    assert latest.history_user == superuser
    assert latest.history_change_reason == "Masqué : Service fermé"
    assert not latest.is_published


def test_error_report_status_changes_are_recorded(admin_client, superuser, imported_service):
    report = ErrorReport.objects.create(service=imported_service, reason="horaires", message="Fermé le lundi")
    admin_client.post(
        reverse("admin:services_errorreport_changelist"),
        {"action": "mark_handled", "_selected_action": [report.pk], "index": 0},
    )
    report.refresh_from_db()
    assert report.status == ErrorReport.Status.HANDLED and report.handled_at is not None
    latest = report.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == ("traite", superuser, "Traité")
    response = admin_client.get(reverse("admin:services_errorreport_history", args=[report.pk]))
    assert "Traité" in response.content.decode()

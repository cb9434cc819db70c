"""Groups: "curateur" edits, hides and handles reports; "lecteur" reads; only superusers delete.
The login resists brute force (django-axes)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.urls import reverse

from services.models import ErrorReport, Service
from tests.curation.conftest import staff_user
from tests.curation.test_corrections import change_url, form_data

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")


def test_groups_are_created_with_their_permissions():
    curator = set(Group.objects.get(name="curateur").permissions.values_list("codename", flat=True))
    reader = set(Group.objects.get(name="lecteur").permissions.values_list("codename", flat=True))
    assert {"view_service", "change_service", "change_structure", "change_errorreport", "view_importrun"} <= curator
    assert not any(codename.startswith(("delete_", "add_")) for codename in curator | reader)
    assert {"view_service", "view_structure", "view_errorreport", "view_importrun", "view_rejectedrecord"} <= reader
    assert not any(codename.startswith("change_") for codename in reader)


def test_reader_sees_everything_but_cannot_change_anything(reader_client, service):
    assert reader_client.get(reverse("admin:services_service_changelist")).status_code == 200
    assert reader_client.get(reverse("admin:structures_structure_changelist")).status_code == 200
    assert reader_client.get(reverse("curation:dashboard")).status_code == 200
    assert reader_client.get(reverse("curation:duplicates")).status_code == 200

    response = reader_client.get(change_url(service))
    assert response.status_code == 200
    assert 'name="nom"' not in response.content.decode()  # a read-only page
    assert "Masquer" not in response.content.decode()

    data = {**form_data(response), "nom": "Nom changé"}
    assert reader_client.post(change_url(service), data).status_code == 403
    assert (
        reader_client.post(
            reverse("admin:services_service_hide", args=[quote(service.pk)]), {"apply": "1", "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        reader_client.post(
            reverse("admin:services_service_restore", args=[quote(service.pk)]), {"field": "nom"}
        ).status_code
        == 403
    )
    # No page to revert to an old version (it would save it for anyone allowed to view).
    version = service.history.latest()
    url = reverse("admin:services_service_simple_history", args=[quote(service.pk), version.pk])
    assert reader_client.post(url, data).status_code == 404
    changelist = reader_client.get(reverse("admin:services_service_changelist"))
    assert changelist.context["action_form"] is None  # no action at all
    response = reader_client.post(
        reverse("curation:not_duplicate"), {"structure": service.structure_id, "next": "/admin/"}
    )
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.nom != "Nom changé" and service.is_published


def test_curator_edits_hides_and_handles_reports_but_cannot_delete(curator_client, service):
    response = curator_client.get(change_url(service))
    assert 'name="nom"' in response.content.decode()
    assert "Supprimer" not in response.content.decode()
    data = {**form_data(response), "nom": "Atelier numérique du centre", "_save": "1"}
    data = {key: value for key, value in data.items() if value is not None}
    assert curator_client.post(change_url(service), data).status_code == 302
    response = curator_client.post(
        reverse("admin:services_service_hide", args=[quote(service.pk)]), {"apply": "1", "reason": "Fermé"}
    )
    assert response.status_code == 302
    assert not Service.objects.get(pk=service.pk).is_published

    report = ErrorReport.objects.create(service=service, reason="autre", message="Erreur")
    curator_client.post(
        reverse("admin:services_errorreport_changelist"),
        {"action": "mark_handled", ACTION_CHECKBOX_NAME: [report.pk], "index": 0},
    )
    assert ErrorReport.objects.get(pk=report.pk).status == ErrorReport.Status.HANDLED

    assert curator_client.get(reverse("admin:services_service_delete", args=[quote(service.pk)])).status_code == 403
    assert curator_client.get(reverse("admin:services_service_add")).status_code == 403
    changelist = curator_client.get(reverse("admin:services_service_changelist"))
    assert "delete_selected" not in dict(changelist.context["action_form"].fields["action"].choices)


def test_superuser_may_delete(admin_client, service):
    report = ErrorReport.objects.create(service=service, reason="autre", message="Erreur")
    response = admin_client.post(reverse("admin:services_errorreport_delete", args=[report.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ErrorReport.objects.exists()


def test_login_locks_out_after_five_failures_for_15_minutes(client):
    staff_user("camille")
    for _ in range(4):
        response = client.post(LOGIN, {"username": "camille", "password": "mauvais"})
        assert response.status_code == 200  # the login form again, with its error
    response = client.post(LOGIN, {"username": "camille", "password": "mauvais"})
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"  # the cool-off, in seconds
    # Even the right password is refused while locked out.
    response = client.post(LOGIN, {"username": "camille", "password": "un mot de passe solide"})
    assert response.status_code == 429
    # Another address is not locked out: the lock is per username and address.
    response = client.post(
        LOGIN, {"username": "camille", "password": "un mot de passe solide"}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, settings):
    import datetime

    from axes.models import AccessAttempt

    staff_user("camille")
    for _ in range(5):
        client.post(LOGIN, {"username": "camille", "password": "mauvais"})
    assert client.post(LOGIN, {"username": "camille", "password": "un mot de passe solide"}).status_code == 429
    AccessAttempt.objects.update(attempt_time=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    response = client.post(LOGIN, {"username": "camille", "password": "un mot de passe solide"})
    assert response.status_code == 302

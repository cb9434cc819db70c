"""Hide and publish, one record or many, with a mandatory reason; search follows at once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.urls import reverse

from services.models import Service
from structures.models import Structure
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.services.searching import find
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db
SERVICES = reverse("admin:services_service_changelist")


@pytest.fixture
def lille():
    return CommuneFactory(code_insee="59350", nom="Lille", departement="59", latitude=50.63, longitude=3.06)


@pytest.fixture
def services(lille):
    structure = StructureFactory(nom="Centre social Pagnol")
    return [
        ServiceFactory(id=f"dora--service {index}/x", structure=structure, nom=f"Atelier {index}")
        for index in range(3)
    ]


def searchable_ids() -> set[str]:
    return {service.id for service in find()}


def page_text(client) -> str:
    return client.get("/services/", {"code_commune": "59350"}).content.decode()


def test_hiding_a_service_removes_it_from_search_at_once(admin_client, client, services):
    target = services[0]
    assert target.id in searchable_ids()
    assert "Atelier 0" in page_text(client)

    url = reverse("admin:services_service_hide", args=[quote(target.pk)])
    # A reason is mandatory.
    response = admin_client.post(url, {"apply": "Masquer", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Ce champ est obligatoire."]
    target.refresh_from_db()
    assert target.is_published

    response = admin_client.post(url, {"apply": "Masquer", "reason": "Service fermé depuis juin"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_published
    assert target.unpublished_reason == "masque-par-un-curateur"
    assert target.unpublished_note == "Service fermé depuis juin"
    assert target.id not in searchable_ids()
    assert "Atelier 0" not in page_text(client)
    assert "Atelier 1" in page_text(client)


def test_publishing_again_clears_the_reason(admin_client, services):
    target = services[0]
    admin_client.post(
        reverse("admin:services_service_hide", args=[quote(target.pk)]), {"apply": "1", "reason": "Doublon"}
    )
    response = admin_client.post(
        reverse("admin:services_service_publish", args=[quote(target.pk)]), {"apply": "1", "reason": "Rouvert"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_published
    assert (target.unpublished_reason, target.unpublished_note) == ("", "")
    assert target.id in searchable_ids()


def test_bulk_hide_asks_for_a_reason_then_hides_the_selection(admin_client, services):
    selection = [services[0].pk, services[1].pk]
    response = admin_client.post(SERVICES, {"action": "hide", ACTION_CHECKBOX_NAME: selection, "index": 0})
    assert response.status_code == 200
    assert "admin/curation/publication.html" in [template.name for template in response.templates]
    assert response.context["count"] == 2

    # The intermediate form posts back the action, the selection and the reason.
    data = {"action": "hide", ACTION_CHECKBOX_NAME: selection, "select_across": "0", "apply": "Masquer"}
    response = admin_client.post(SERVICES, {**data, "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = admin_client.post(SERVICES, {**data, "reason": "Fermés pour travaux"})
    assert response.status_code == 302
    assert searchable_ids() == {services[2].pk}
    assert set(Service.objects.filter(unpublished_note="Fermés pour travaux").values_list("pk", flat=True)) == set(
        selection
    )


def test_bulk_publish_only_undoes_curators_hiding(admin_client, services):
    Service.objects.filter(pk=services[0].pk).update(is_published=False, unpublished_reason="masque-par-un-curateur")
    Service.objects.filter(pk=services[1].pk).update(is_published=False, unpublished_reason="retire-par-la-source")
    data = {
        "action": "publish",
        ACTION_CHECKBOX_NAME: [services[0].pk, services[1].pk],
        "apply": "1",
        "reason": "Vérifié par téléphone",
    }
    response = admin_client.post(SERVICES, data, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages[0].startswith("1 service publié(s) à nouveau. 1 non modifié(s)")
    assert Service.objects.get(pk=services[0].pk).is_published
    assert not Service.objects.get(pk=services[1].pk).is_published


def test_hiding_a_structure_hides_its_services_from_search(admin_client, services):
    structure = services[0].structure
    response = admin_client.post(
        reverse("admin:structures_structure_hide", args=[quote(structure.pk)]),
        {"apply": "1", "reason": "Structure fermée"},
    )
    assert response.status_code == 302
    assert not Structure.objects.get(pk=structure.pk).is_published
    assert searchable_ids() == set()
    # The services list tells why.
    response = admin_client.get(SERVICES, {"publication": "structure-depubliee"})
    assert response.context["cl"].result_count == 3


def test_hidden_record_stays_hidden_after_an_import(admin_client, tmp_path):
    from django.core.management import call_command

    from tests.imports.conftest import Dataset

    dataset = Dataset(tmp_path / "data")
    call_command("import_datainclusion", str(dataset.write()), verbosity=0)
    atelier = Service.objects.get(pk="dora--atelier numérique #1")
    admin_client.post(
        reverse("admin:services_service_hide", args=[quote(atelier.pk)]), {"apply": "1", "reason": "Fermé"}
    )
    dataset.service(atelier.pk)["nom"] = "Ateliers numériques renommés"
    call_command("import_datainclusion", str(dataset.write()), verbosity=0)
    atelier.refresh_from_db()
    assert not atelier.is_published
    assert atelier.unpublished_note == "Fermé"

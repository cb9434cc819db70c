"""The search index follows the services: saves of single records and bulk refreshes."""

import pytest

from services.models import SearchEntry, Service
from services.search_index import refresh_search_entries
from structures.models import Structure
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_saving_a_service_indexes_it_and_hiding_it_removes_it():
    service = ServiceFactory(frais="gratuit")
    assert SearchEntry.objects.get(pk=service.pk).frais == "gratuit"
    service.frais = "payant"
    service.save()
    assert SearchEntry.objects.get(pk=service.pk).frais == "payant"
    service.is_published = False
    service.save()
    assert not SearchEntry.objects.filter(pk=service.pk).exists()


def test_structure_changes_reach_its_services_entries():
    structure = StructureFactory()
    services = ServiceFactory.create_batch(3, structure=structure)
    structure.duplicate_group = structure.id
    structure.score_qualite = 0.7
    structure.save()
    entries = SearchEntry.objects.filter(service__in=services)
    assert {(e.duplicate_group, e.structure_score) for e in entries} == {(structure.id, 0.7)}
    structure.is_published = False
    structure.save()
    assert not SearchEntry.objects.filter(service__in=services).exists()


def test_bulk_refresh_writes_only_differences():
    ServiceFactory.create_batch(5)
    assert refresh_search_entries() == 0  # already in step, through the signals
    Service.objects.update(frais="payant")  # a bulk change, as imports make
    Structure.objects.update(score_qualite=0.5)
    assert refresh_search_entries() == 5
    assert set(SearchEntry.objects.values_list("frais", "structure_score")) == {("payant", 0.5)}
    assert refresh_search_entries() == 0

"""Duplicate clusters: "pas un doublon" and the structure that represents its cluster."""

import pytest
from django.urls import reverse

from imports.clusters import refresh_duplicate_groups
from structures.models import Structure
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db
DUPLICATES = reverse("curation:duplicates")


@pytest.fixture
def cluster():
    """A~B share a SIRET, B~C the same name and address: one cluster of three."""
    a = StructureFactory(id="a--1", siret="12345678900011", nom="Mission locale", adresse="1 rue A")
    b = StructureFactory(id="b--1", siret="12345678900011", nom="Centre social", adresse="2 rue B")
    c = StructureFactory(id="c--1", siret=None, nom="Centre social", adresse="2 rue B", source="soliguide")
    alone = StructureFactory(id="d--1", nom="Autre structure", adresse="9 rue D")
    refresh_duplicate_groups()
    return [Structure.objects.get(pk=s.pk) for s in (a, b, c, alone)]


def groups() -> dict[str, str | None]:
    return dict(Structure.objects.values_list("id", "duplicate_group"))


def test_imports_keep_a_structure_marked_not_duplicate_out_of_clusters(cluster):
    assert groups() == {"a--1": "a--1", "b--1": "a--1", "c--1": "a--1", "d--1": None}
    Structure.objects.filter(pk="b--1").update(not_duplicate=True)
    refresh_duplicate_groups()
    # Without B, nothing links A to C any more.
    assert groups() == {"a--1": None, "b--1": None, "c--1": None, "d--1": None}
    Structure.objects.filter(pk="b--1").update(not_duplicate=False)
    refresh_duplicate_groups()
    assert groups()["c--1"] == "a--1"


def test_page_lists_clusters_with_their_members(admin_client, cluster):
    response = admin_client.get(DUPLICATES)
    assert [group["id"] for group in response.context["groups"]] == ["a--1"]
    assert [member.pk for member in response.context["groups"][0]["members"]] == ["a--1", "b--1", "c--1"]
    assert admin_client.get(DUPLICATES, {"departement": "69"}).context["groups"] == []
    assert len(admin_client.get(DUPLICATES, {"departement": "59", "groupe": "a--1"}).context["groups"]) == 1


def test_not_a_duplicate_splits_the_cluster_at_once(admin_client, cluster):
    response = admin_client.post(reverse("curation:not_duplicate"), {"structure": "c--1", "next": DUPLICATES})
    assert response.status_code == 302 and response["Location"] == DUPLICATES
    assert groups() == {"a--1": "a--1", "b--1": "a--1", "c--1": None, "d--1": None}
    assert Structure.objects.get(pk="c--1").not_duplicate
    # The same result as a full recomputation, as imports do it.
    refresh_duplicate_groups()
    assert groups() == {"a--1": "a--1", "b--1": "a--1", "c--1": None, "d--1": None}
    # In the history, with its author.
    assert Structure.history.filter(id="c--1").latest().history_change_reason == "Pas un doublon"


def test_removing_the_link_of_a_chain_breaks_it(admin_client, cluster):
    admin_client.post(reverse("curation:not_duplicate"), {"structure": "b--1"})
    assert groups() == {"a--1": None, "b--1": None, "c--1": None, "d--1": None}


def test_a_curator_chooses_the_structure_representing_the_cluster(admin_client, cluster):
    admin_client.post(reverse("curation:representative"), {"structure": "b--1"})
    admin_client.post(reverse("curation:representative"), {"structure": "c--1"})
    preferred = dict(Structure.objects.values_list("id", "preferred_in_group"))
    assert preferred == {"a--1": False, "b--1": False, "c--1": True, "d--1": False}
    text = admin_client.get(DUPLICATES).content.decode()
    assert "(représente le groupe)" in text


def test_unticking_not_duplicate_in_the_form_puts_it_back(admin_client, cluster):
    from tests.curation.test_corrections import edit

    Structure.objects.filter(pk="c--1").update(not_duplicate=True)
    refresh_duplicate_groups()
    structure = Structure.objects.get(pk="c--1")
    response = admin_client.get(reverse("admin:structures_structure_change", args=["c--1"]))
    assert 'name="not_duplicate"' in response.content.decode()
    edit(admin_client, structure, not_duplicate="")
    assert groups()["c--1"] == "a--1"
    assert Structure.objects.get(pk="c--1").curated_fields == []  # not a schema field: no correction


def test_unsafe_next_urls_are_ignored(admin_client, cluster):
    response = admin_client.post(
        reverse("curation:representative"), {"structure": "a--1", "next": "https://exemple.org/"}
    )
    assert response["Location"] == DUPLICATES


def test_ticking_preferred_in_the_form_keeps_one_representative(admin_client, cluster):
    from tests.curation.test_corrections import edit

    Structure.objects.filter(pk="a--1").update(preferred_in_group=True)
    edit(admin_client, Structure.objects.get(pk="b--1"), preferred_in_group="on")
    preferred = dict(Structure.objects.values_list("id", "preferred_in_group"))
    assert preferred == {"a--1": False, "b--1": True, "c--1": False, "d--1": False}

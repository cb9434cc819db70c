"""Curators' decisions on duplicate clusters (computed by imports/clusters.py).

- "Pas un doublon": ``Structure.not_duplicate``; imports never put such a structure in a
  cluster again, and its former cluster is recomputed at once without it.
- "Représente le groupe": ``Structure.preferred_in_group``, one per cluster, for search.
"""

from django.db.models import Count, QuerySet

from curation import history
from imports.clusters import compute_groups, refresh_duplicate_groups
from services import search_index
from structures.models import Structure

MEMBER_FIELDS = ("id", "siret", "nom", "adresse", "code_insee")


def recompute_group(group: str) -> None:
    """Recompute one cluster after a member left it.

    Clusters are connected components: a structure outside the cluster shares no key with its
    members, so recomputing the members alone gives what a full recomputation would.
    """
    members = Structure.objects.filter(duplicate_group=group)
    ids = list(members.values_list("pk", flat=True))
    rows = members.filter(not_duplicate=False).order_by().values_list(*MEMBER_FIELDS)
    for structure_id, new_group in compute_groups(rows).items():
        if new_group != group:
            Structure.objects.filter(pk=structure_id).update(duplicate_group=new_group)
    members.filter(not_duplicate=True).update(duplicate_group=None)
    search_index.changed(structure_ids=ids)


def mark_not_duplicate(structure: Structure, *, user) -> None:
    group = structure.duplicate_group
    history.update_with_history(
        Structure.objects.filter(pk=structure.pk),
        values={"not_duplicate": True, "preferred_in_group": False},
        user=user,
        reason="Pas un doublon",
    )
    if group:
        recompute_group(group)
    else:
        search_index.changed(structure_ids=[structure.pk])


def recompute_all_groups() -> None:
    """A structure may join any cluster again: recompute them all, as an import does."""
    before = dict(Structure.objects.values_list("pk", "duplicate_group"))
    refresh_duplicate_groups()
    after = dict(Structure.objects.values_list("pk", "duplicate_group"))
    search_index.changed(structure_ids=[pk for pk, group in after.items() if before.get(pk) != group])


def choose_representative(structure: Structure, *, user) -> None:
    group = structure.duplicate_group
    if not group:
        return
    others = Structure.objects.filter(duplicate_group=group, preferred_in_group=True).exclude(pk=structure.pk)
    history.update_with_history(
        others, values={"preferred_in_group": False}, user=user, reason="Autre représentant choisi"
    )
    history.update_with_history(
        Structure.objects.filter(pk=structure.pk, preferred_in_group=False),
        values={"preferred_in_group": True},
        user=user,
        reason="Représente son groupe de doublons",
    )
    search_index.changed(structure_ids=Structure.objects.filter(duplicate_group=group).values_list("pk", flat=True))


def groups(structures: QuerySet) -> QuerySet:
    """Duplicate clusters among ``structures``: group id and size, largest first."""
    return (
        Structure.objects.filter(
            duplicate_group__in=structures.filter(duplicate_group__isnull=False).values("duplicate_group")
        )
        .order_by()
        .values("duplicate_group")
        .annotate(size=Count("pk"))
        .order_by("-size", "duplicate_group")
    )

"""Duplicate structures across producers, grouped into clusters.

Two structures are duplicates when they share a SIRET, or the same normalised name, address
and commune — the commune's INSEE code, a municipal arrondissement counting as its commune (two
Saint-Denis are two communes; Lyon 8e and Lyon are one). Clusters are transitive (A~B and B~C
put A, B, C together). Each structure of a cluster of two or more stores the cluster's smallest
id in ``duplicate_group``; search shows one structure per group.
"""

from django.db import connection

from communes.reference import arrondissement_parent
from core.bulk import copy_rows
from core.text import normalize


class UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smallest id (byte order) names the cluster, whatever the merge order.
            keep, drop = sorted((root_a, root_b), key=lambda value: value.encode())
            self.parent[drop] = keep


def compute_groups(rows) -> dict[str, str | None]:
    """rows: (id, siret, nom, adresse, code_insee) -> {id: group or None}."""
    clusters = UnionFind()
    first_with_key: dict[tuple, str] = {}
    ids = []
    for structure_id, siret, nom, adresse, code_insee in rows:
        ids.append(structure_id)
        clusters.find(structure_id)
        keys = []
        if siret:
            keys.append(("siret", siret))
        place = arrondissement_parent(code_insee or "") or code_insee
        name, address = normalize(nom), normalize(adresse)
        if name and address and place:
            keys.append(("lieu", name, address, place))
        for key in keys:
            other = first_with_key.setdefault(key, structure_id)
            if other != structure_id:
                clusters.union(other, structure_id)
    sizes: dict[str, int] = {}
    for structure_id in ids:
        root = clusters.find(structure_id)
        sizes[root] = sizes.get(root, 0) + 1
    return {
        structure_id: (root if sizes[root] > 1 else None)
        for structure_id in ids
        for root in [clusters.find(structure_id)]
    }


def refresh_duplicate_groups() -> int:
    """Recompute every structure's group; write only the ones that changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, siret, nom, adresse, code_insee, duplicate_group, not_duplicate FROM structures_structure"
        )
        rows = cursor.fetchall()
    current = {row[0]: row[5] for row in rows}
    groups = compute_groups(row[:5] for row in rows if not row[6])
    # A structure a curator marked "pas un doublon" is in no cluster.
    groups.update({row[0]: None for row in rows if row[6]})
    changed = [(structure_id, group) for structure_id, group in groups.items() if current[structure_id] != group]
    if not changed:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS stage_groups")
        cursor.execute("CREATE TEMP TABLE stage_groups (id varchar PRIMARY KEY, grp varchar) ON COMMIT DROP")
    copy_rows("stage_groups", ["id", "grp"], changed)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE structures_structure AS st SET duplicate_group = g.grp FROM stage_groups AS g WHERE g.id = st.id"
        )
        return cursor.rowcount

"""Duplicate clusters: same SIRET, or same normalised name and address in the same commune (its INSEE code, an
arrondissement counting as its commune), transitively."""

from imports.clusters import compute_groups


def test_same_name_and_address_in_two_homonym_communes_are_not_duplicates():
    rows = [
        ("dora--a", None, "Épicerie solidaire", "1 rue de la Paix", "93066"),  # Saint-Denis (93)
        ("soliguide--b", None, "EPICERIE SOLIDAIRE", "1, rue de la paix", "97411"),  # Saint-Denis (La Réunion)
    ]
    assert compute_groups(rows) == {"dora--a": None, "soliguide--b": None}


def test_an_arrondissement_counts_as_its_commune():
    rows = [
        ("dora--a", None, "Centre social", "2 place Bellecour", "69382"),  # Lyon 2e
        ("soliguide--b", None, "Centre Social", "2 place Bellecour", "69123"),  # Lyon
    ]
    assert compute_groups(rows) == {"dora--a": "dora--a", "soliguide--b": "dora--a"}


def test_clusters_are_transitive_and_named_by_their_smallest_id():
    rows = [
        ("soliguide--c", "12345678900011", "Centre A", "1 rue X", "59350"),
        ("dora--b", "12345678900011", "Centre B", "2 rue Y", "59350"),
        ("emplois--a", None, "Centre B", "2 rue Y", "59350"),
        ("dora--z", None, "Centre B", "2 rue Y", None),  # no commune: only its SIRET could tie it
    ]
    groups = compute_groups(rows)
    assert groups == {"soliguide--c": "dora--b", "dora--b": "dora--b", "emplois--a": "dora--b", "dora--z": None}

"""Facet counts: next to each filter value, how many results selecting it would give.

One SQL query for every dimension: the search without the facet filters, each row carrying
whether it passes each facet filter; a dimension's counts keep the rows that pass every
*other* facet filter. Duplicate collapsing is applied to that base set, so with duplicates
the figures are a close estimate rather than an exact prediction.
"""

from dataclasses import replace

from services.search import Query, filter_conditions, reader

# dimension -> (filter condition name, SQL producing the dimension's values for a row)
DIMENSIONS = {
    "categories": ("thematiques", "SELECT unnest(r.categories)"),
    "thematiques": ("thematiques", "SELECT unnest(r.thematiques)"),
    "publics": ("publics", "SELECT unnest(r.publics)"),
    "types": ("types", "SELECT r.type"),
    "frais": ("frais", "SELECT r.frais"),
    "modes_accueil": ("modes_accueil", "SELECT unnest(r.modes_accueil)"),
    "sources": ("sources", "SELECT r.source"),
}
FACETED = ("thematiques", "publics", "types", "frais", "modes_accueil", "sources")


def facet_counts(query: Query) -> dict[str, dict[str, int]]:
    conditions = filter_conditions(query.filters)
    active = [name for name in FACETED if name in conditions]
    base = replace(query, omit=FACETED, extra_columns={f"pass_{name}": conditions[name] for name in active})
    cte, params = base.results_cte()
    parts = []
    for dimension, (condition, values_sql) in DIMENSIONS.items():
        others = [f"r.pass_{name}" for name in active if name != condition]
        where = " AND ".join(others) or "true"
        parts.append(
            f"SELECT '{dimension}', value, count(*) FROM results AS r, LATERAL ({values_sql}) AS item(value)"
            f" WHERE {where} AND value IS NOT NULL GROUP BY value"
        )
    sql = f"WITH {cte} " + " UNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {dimension: {} for dimension in DIMENSIONS}
    with reader().cursor() as cursor:
        cursor.execute(sql, params)
        for dimension, value, count in cursor.fetchall():
            counts[dimension][value] = count
    return counts

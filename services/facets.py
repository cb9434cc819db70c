"""Facet counts: next to each filter value, how many results selecting it would give.

One SQL query for every dimension: the search without the facet filters, each row carrying
whether it passes each facet filter; a dimension's counts keep the rows that pass every
*other* facet filter. Duplicate collapsing is applied to the base set, so with duplicates
the figures are a close estimate rather than an exact prediction.
"""

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper

from services.search import Filters, filter_conditions

# dimension -> (filter condition name, SQL producing the dimension's values for a row)
DIMENSIONS = {
    "categories": ("thematiques", "SELECT DISTINCT split_part(v, '--', 1) FROM unnest(base.thematiques) AS v"),
    "thematiques": ("thematiques", "SELECT unnest(base.thematiques)"),
    "publics": ("publics", "SELECT unnest(base.publics)"),
    "types": ("types", "SELECT base.type"),
    "frais": ("frais", "SELECT base.frais"),
    "modes_accueil": ("modes_accueil", "SELECT unnest(base.modes_accueil)"),
    "sources": ("sources", "SELECT base.source"),
}
FACETED = ("thematiques", "publics", "types", "frais", "modes_accueil", "sources")


def facet_counts(queryset_search, filters: Filters) -> dict[str, dict[str, int]]:
    """``queryset_search(filters)`` runs the search; facets vary the faceted filters."""
    conditions = filter_conditions(filters)
    active = [name for name in FACETED if name in conditions]
    base_filters = Filters(q=filters.q, score_qualite_minimum=filters.score_qualite_minimum)
    queryset = queryset_search(base_filters).annotate(
        **{f"pass_{name}": ExpressionWrapper(conditions[name], output_field=BooleanField()) for name in active}
    )
    columns = ["id", "thematiques", "publics", "type", "frais", "modes_accueil", "source"]
    base_sql, params = queryset.order_by().values(*columns, *[f"pass_{n}" for n in active]).query.sql_with_params()
    parts = []
    for dimension, (condition, values_sql) in DIMENSIONS.items():
        others = [f"base.pass_{name}" for name in active if name != condition]
        where = " AND ".join(others) or "true"
        parts.append(
            f"SELECT '{dimension}', value, count(*) FROM base, LATERAL ({values_sql}) AS item(value)"
            f" WHERE {where} AND value IS NOT NULL GROUP BY value"
        )
    sql = f"WITH base AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(parts)
    counts: dict[str, dict[str, int]] = {dimension: {} for dimension in DIMENSIONS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for dimension, value, count in cursor.fetchall():
            counts[dimension][value] = count
    return counts

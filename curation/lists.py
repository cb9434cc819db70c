"""Admin lists that stay fast on 140,000 rows: no full count, and only the columns a list shows."""

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, IntegerField, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

# Below this many rows, counting is cheap and exact; above, an unfiltered list shows the
# planner's estimate (pg_class.reltuples, kept current by ANALYZE and autovacuum).
EXACT_COUNT_BELOW = 20_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            estimate = table_estimate(self.object_list.model._meta.db_table)
            if estimate >= EXACT_COUNT_BELOW:
                return estimate
        return super().count


def table_estimate(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(row[0], 0) if row else 0


class CurationChangeList(ChangeList):
    """Rows of a list carry only what its columns show: descriptions and search vectors are
    heavy, and sorting 140,000 wide rows costs several times more than narrow ones."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer(*self.model_admin.list_deferred)


class LinkedLookupsOnly:
    """Django lets a list's URL filter on any field of its model, and a value the column refuses (text for an
    array) then fails in PostgreSQL, past the list's own checks: a 500. Here a field lookup must be a list
    filter's or one the pages link to (``url_lookups``); anything else is refused with a 400."""

    url_lookups: frozenset[str] = frozenset()

    def lookup_allowed(self, lookup, value, request=None):
        fields = {name for field in self.opts.get_fields() for name in (field.name, getattr(field, "attname", None))}
        filters = {list_filter.parameter_name for list_filter in self.list_filter}
        if lookup.split(LOOKUP_SEP)[0] in fields and lookup not in self.url_lookups | filters:
            return False
        return super().lookup_allowed(lookup, value, request)


def count_of(related, field: str):
    """How many rows of ``related`` (filtered on OuterRef) each listed record has, as one subquery column: a
    list annotates it without a join that would multiply its rows."""
    counted = related.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

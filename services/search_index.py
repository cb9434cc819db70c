"""The search index: one narrow row per searchable service.

The search engine scans many rows per query (a commune's national remote tail is tens of
thousands of services). Scanning the full services table means reading ~1.7 kB rows
(descriptions…) and joining structures; this table holds only what the contract's rules
look at, for published services of published structures, with their structure's duplicate
group and score copied in. It fits in memory and needs no join.

It is kept up to date by imports (one set-based refresh per run) and by saves of single
records (signals, for curators and tests): ``refresh_search_entries``.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models, transaction
from django.db.models import F, Func

from imports.writer import indexes_rebuilt_after
from services import data_version
from structures.opening_index import index_opening_hours

# Columns copied from services (s) and structures (st), in table order.
ENTRY_COLUMNS = {
    "structure_id": "s.structure_id",
    "duplicate_group": "st.duplicate_group",
    "structure_score": "st.score_qualite",
    "structure_date": "st.date_maj",
    "structure_preferred": "st.preferred_in_group",
    "source": "s.source",
    "type": "s.type",
    "frais": "s.frais",
    "thematiques": "s.thematiques",
    # The thématiques' categories, for the "Besoin" facet counts (cheaper than deriving per query).
    "categories": (
        "ARRAY(SELECT DISTINCT split_part(t, '--', 1) FROM unnest(s.thematiques) AS t ORDER BY 1)::varchar[]"
    ),
    "publics": "s.publics",
    "modes_accueil": "s.modes_accueil",
    "zone_eligibilite": "s.zone_eligibilite",
    "latitude": "s.latitude",
    "longitude": "s.longitude",
    "score_qualite": "s.score_qualite",
    # The service's hours, else its structure's (what the "ouvert" filter looks at).
    "hours": "coalesce(nullif(btrim(s.horaires_accueil), ''), nullif(btrim(st.horaires_accueil), ''))",
    # The words of the service (services.documents), without positions: free text `q`.
    "search_vector": "strip(s.search_vector)",
}


class SearchEntry(models.Model):
    service = models.OneToOneField(
        "services.Service", primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    structure_id = models.CharField()
    duplicate_group = models.CharField(null=True)
    structure_score = models.FloatField(null=True)
    structure_date = models.DateField()
    # A curator chose this structure to represent its duplicate group in search.
    structure_preferred = models.BooleanField(default=False)
    source = models.CharField()
    type = models.CharField(null=True)
    frais = models.CharField(null=True)
    thematiques = ArrayField(models.CharField(), null=True)
    categories = ArrayField(models.CharField(), null=True)
    publics = ArrayField(models.CharField(), null=True)
    modes_accueil = ArrayField(models.CharField(), null=True)
    zone_eligibilite = ArrayField(models.CharField(max_length=9), null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    score_qualite = models.FloatField(null=True)
    hours = models.TextField(null=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        app_label = "services"
        verbose_name = "entrée de l'index de recherche"
        indexes = [
            GinIndex(fields=["zone_eligibilite"], name="searchentry_zone_gin"),
            GinIndex(fields=["thematiques"], name="searchentry_thematiques_gin"),
            GinIndex(fields=["modes_accueil"], name="searchentry_modes_gin"),
            GinIndex(fields=["search_vector"], name="searchentry_text_gin"),
            GistIndex(Func(F("longitude"), F("latitude"), function="point"), name="searchentry_point_gist"),
        ]


def refresh_search_entries(*, service_ids=None, structure_ids=None) -> int:
    """Make the index match the services (all of them, or those given and those of the
    structures given). Unchanged entries are not rewritten. Returns the rows written."""
    full = service_ids is None and structure_ids is None
    service_ids, structure_ids = list(service_ids or []), list(structure_ids or [])
    source_scope = "" if full else "AND (s.id = ANY(%(services)s) OR s.structure_id = ANY(%(structures)s))"
    entry_scope = "true" if full else "(e.service_id = ANY(%(services)s) OR e.structure_id = ANY(%(structures)s))"
    columns = ", ".join(ENTRY_COLUMNS)
    params = {"services": service_ids, "structures": structure_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS desired_entries")
        cursor.execute(
            f"""
            CREATE TEMP TABLE desired_entries ON COMMIT DROP AS
            SELECT s.id AS service_id, {", ".join(f"{sql} AS {name}" for name, sql in ENTRY_COLUMNS.items())}
            FROM services_service AS s JOIN structures_structure AS st ON st.id = s.structure_id
            WHERE s.is_published AND st.is_published {source_scope}
            """,
            params,
        )
        cursor.execute("ALTER TABLE desired_entries ADD PRIMARY KEY (service_id)")
        cursor.execute(
            f"""
            DELETE FROM services_searchentry AS e WHERE {entry_scope} AND NOT EXISTS (
                SELECT 1 FROM desired_entries AS d WHERE d.service_id = e.service_id
                AND (d.{columns.replace(", ", ", d.")}) IS NOT DISTINCT FROM (e.{columns.replace(", ", ", e.")})
            )
            """,
            params,
        )
        deleted = cursor.rowcount
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM services_searchentry)")
        first_fill = full and cursor.fetchone()[0]
        # A first fill of the whole index builds its GIN/GiST indexes once, after the rows.
        with indexes_rebuilt_after("services_searchentry", enabled=first_fill):
            cursor.execute(
                f"""
                INSERT INTO services_searchentry (service_id, {columns})
                SELECT d.service_id, {", ".join(f"d.{name}" for name in ENTRY_COLUMNS)} FROM desired_entries AS d
                WHERE NOT EXISTS (SELECT 1 FROM services_searchentry AS e WHERE e.service_id = d.service_id)
                """
            )
            written = cursor.rowcount
        index_opening_hours()
        if written or deleted:
            data_version.bump()
    return written

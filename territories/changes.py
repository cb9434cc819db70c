"""What each import added, changed and removed in a territory.

An import writes every row it changes in one transaction, stamping ``updated_at`` (and ``created_at`` for new rows)
with ``now()``, the transaction's timestamp; unchanged rows are never written. When the run is recorded as
succeeded, still in that transaction, the services stamped with that timestamp are exactly the ones it wrote: they
are kept in ImportChange. A service is in the territory when its commune is (communes.territories, as the search's
``territoire``).
"""

from dataclasses import dataclass, field

from django.db import connection, connections
from django.db.models.signals import post_save
from django.dispatch import receiver

from communes.territories import FRANCE, Territory
from core.bulk import BULK_MIN_ROWS, indexes_rebuilt_after
from imports.models import ImportRun
from territories.models import ImportChange

RUNS_SHOWN = 10
SERVICES_LISTED = 200

# In the order of the services' ids, the unique index of (run, service) is filled from one end (national first
# import: 1.1 → 0.85 s).
RECORD_SQL = f"""
    INSERT INTO {ImportChange._meta.db_table} (run_id, service_id, kind)
    SELECT %s, s.id, CASE WHEN s.created_at = now() THEN %s WHEN NOT s.is_published THEN %s ELSE %s END
    FROM services_service AS s WHERE s.updated_at = now()
    ORDER BY s.id
    ON CONFLICT DO NOTHING
"""


@receiver(post_save, sender=ImportRun)
def record_changes(sender, instance: ImportRun, created: bool, update_fields=None, **kwargs) -> None:
    """The run is saved as succeeded (imports.pipeline, in the import's transaction): keep what it wrote."""
    if created or instance.status != ImportRun.Status.SUCCEEDED or "counts" not in (update_fields or ()):
        return
    kinds = ImportChange.Kind
    # The first import adds every service (140,000 rows for the national data): the table's indexes are built
    # after, and its foreign keys checked by one join each rather than a deferred check per row (2.2 s of its
    # commit). Only then: the table is empty, and the import already holds the services table (a first load
    # rebuilds its indexes); the runs' table is held from here to the commit, well under a second.
    services_created = (instance.counts or {}).get("services", {}).get("creees", 0)
    first = services_created >= BULK_MIN_ROWS and not ImportChange.objects.exists()
    table = ImportChange._meta.db_table
    with indexes_rebuilt_after(table, enabled=first, foreign_keys=True), connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, [instance.pk, kinds.ADDED, kinds.REMOVED, kinds.CHANGED])


def in_territory(territory: Territory) -> tuple[str, list]:
    """SQL condition (on services ``s``) and parameters: the service is located in the territory."""
    if territory.kind == FRANCE:
        return "s.code_insee IN (SELECT code_insee FROM communes_commune)", []
    return "s.code_insee = ANY(%s)", [list(territory.commune_codes)]


@dataclass
class RunChanges:
    run: ImportRun
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def added(self) -> int:
        return self.count(ImportChange.Kind.ADDED)

    @property
    def changed(self) -> int:
        return self.count(ImportChange.Kind.CHANGED)

    @property
    def removed(self) -> int:
        return self.count(ImportChange.Kind.REMOVED)


def recent(territory: Territory, using: str, limit: int = RUNS_SHOWN) -> list[RunChanges]:
    """The latest succeeded runs, newest first, with what each changed in the territory."""
    runs = list(
        ImportRun.objects.using(using).filter(status=ImportRun.Status.SUCCEEDED).order_by("-started_at", "-id")[:limit]
    )
    found = {run.pk: RunChanges(run) for run in runs}
    condition, params = in_territory(territory)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT c.run_id, c.kind, count(*) FROM {ImportChange._meta.db_table} AS c"
            f" JOIN services_service AS s ON s.id = c.service_id"
            f" WHERE c.run_id = ANY(%s) AND {condition} GROUP BY c.run_id, c.kind",
            [list(found), *params],
        )
        for run_id, kind, count in cursor.fetchall():
            found[run_id].counts[kind] = count
    return list(found.values())


def services_of(territory: Territory, run: ImportRun, using: str) -> dict[str, tuple[int, list[tuple]]]:
    """Per kind, how many services the run changed in the territory, and the first of them by name:
    (id, nom, published)."""
    condition, params = in_territory(territory)
    listed: dict[str, tuple[int, list[tuple]]] = {}
    with connections[using].cursor() as cursor:
        for kind in ImportChange.Kind.values:
            cursor.execute(
                f"SELECT s.id, s.nom, s.is_published AND st.is_published, count(*) OVER ()"
                f" FROM {ImportChange._meta.db_table} AS c JOIN services_service AS s ON s.id = c.service_id"
                f" JOIN structures_structure AS st ON st.id = s.structure_id"
                f" WHERE c.run_id = %s AND c.kind = %s AND {condition}"
                f' ORDER BY s.nom, s.id COLLATE "C" LIMIT %s',
                [run.pk, kind, *params, SERVICES_LISTED],
            )
            rows = cursor.fetchall()
            listed[kind] = (rows[0][3] if rows else 0, [row[:3] for row in rows])
    return listed

"""Writing prepared records with a few set-based statements.

Rows are copied (COPY) into temporary staging tables, then merged into the real tables:
new ids inserted, changed ones updated, unchanged ones never touched. A field a curator
corrected keeps the curator's value; the upstream value is kept aside in upstream_values.
Everything runs inside the caller's transaction.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection

from structures.records import UnpublishedReason

REMOVED = UnpublishedReason.REMOVED_UPSTREAM.value


class Table:
    """How one kind of record is stored."""

    def __init__(self, model, schema_fields: Iterable[str], extra_fields: Iterable[str]):
        self.model = model
        self.name = model._meta.db_table
        self.schema_fields = tuple(schema_fields)
        # Columns the import writes besides the schema's: hash, score, search helpers.
        self.extra_fields = tuple(extra_fields)

    def default_values(self, written: Iterable[str]) -> tuple[list[str], list[str], list]:
        """Columns a new row gets from the model's defaults (publication state, curation
        bookkeeping, timestamps…): (columns, SQL placeholders, parameters). Taken from the
        model so that a field added later needs no change here."""
        written = set(written)
        columns, placeholders, params = [], [], []
        for field in self.model._meta.concrete_fields:
            if field.column in written or field.primary_key:
                continue
            columns.append(field.column)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                placeholders.append("now()")
            else:
                placeholders.append("%s")
                params.append(field.get_db_prep_save(field.get_default(), connection))
        return columns, placeholders, params

    @property
    def staged_columns(self) -> tuple[str, ...]:
        return self.schema_fields + self.extra_fields


def create_stage(table: Table) -> str:
    stage = f"stage_{table.name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {', '.join(table.staged_columns)} FROM {table.name} WITH NO DATA"
        )
    return stage


def copy_rows(stage: str, columns: Iterable[str], rows: Iterable[Iterable]) -> None:
    columns = tuple(columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {stage} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def stage_ids(name: str, ids: Iterable[str]) -> str:
    """A temporary one-column table of ids, indexed, for anti-joins."""
    table = f"ids_{name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} (id varchar PRIMARY KEY) ON COMMIT DROP")
    copy_rows(table, ["id"], ([record_id] for record_id in ids))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return table


def _merged(column: str) -> str:
    return f"CASE WHEN '{column}' = ANY(t.curated_fields) THEN t.{column} ELSE s.{column} END"


def update_changed(table: Table, stage: str, *, derived: dict[str, str]) -> list[tuple[str, bool]]:
    """Update existing rows whose upstream hash changed; returns (id, renamed) pairs.

    ``derived`` maps extra columns to the SQL that computes them (aliases: t the target,
    s the staged row, old the row before the update).
    """
    assignments = [f"{column} = {_merged(column)}" for column in table.schema_fields if column != "id"]
    assignments += [f"{column} = {expression}" for column, expression in derived.items()]
    assignments += [
        "source_hash = s.source_hash",
        "upstream_values = (SELECT coalesce(jsonb_object_agg(f, to_jsonb(s) -> f), '{}'::jsonb)"
        " FROM unnest(t.curated_fields) AS f)",
        "updated_at = now()",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table.name} AS t SET {", ".join(assignments)}
            FROM {stage} AS s JOIN {table.name} AS old ON old.id = s.id
            WHERE t.id = s.id AND t.source_hash IS DISTINCT FROM s.source_hash
            RETURNING t.id, t.nom IS DISTINCT FROM old.nom
            """
        )
        return cursor.fetchall()


def insert_new(table: Table, stage: str, *, derived: dict[str, str], joins: str = "") -> list[str]:
    copied = table.schema_fields + ("source_hash",)
    columns = list(copied) + list(derived)
    values = [f"s.{column}" for column in copied] + list(derived.values())
    default_columns, placeholders, params = table.default_values(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table.name} ({", ".join(columns + default_columns)})
            SELECT {", ".join(values + placeholders)}
            FROM {stage} AS s {joins}
            WHERE NOT EXISTS (SELECT 1 FROM {table.name} AS t WHERE t.id = s.id)
            RETURNING id
            """,
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def republish(table: Table, ids_table: str) -> int:
    """Records removed upstream earlier that are back: published again."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table.name} AS t SET is_published = true, unpublished_reason = '', updated_at = now()
            FROM {ids_table} AS i
            WHERE t.id = i.id AND NOT t.is_published AND t.unpublished_reason = %s
            """,
            [REMOVED],
        )
        return cursor.rowcount


def unpublish_absent(table: Table, present_ids_table: str, sources: list[str]) -> int:
    """Published records of the imported sources absent from this full import."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table.name} AS t SET is_published = false, unpublished_reason = %s, updated_at = now()
            WHERE t.source = ANY(%s) AND t.is_published
              AND NOT EXISTS (SELECT 1 FROM {present_ids_table} AS i WHERE i.id = t.id)
            """,
            [REMOVED, sources],
        )
        return cursor.rowcount


def absent_counts(table: Table, present_ids_table: str, sources: list[str]) -> dict[str, tuple[int, int]]:
    """Per source: (published records absent from the present ids, published records)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.source, count(*) FILTER (WHERE i.id IS NULL), count(*)
            FROM {table.name} AS t LEFT JOIN {present_ids_table} AS i ON i.id = t.id
            WHERE t.source = ANY(%s) AND t.is_published GROUP BY t.source
            """,
            [sources],
        )
        return {source: (absent, published) for source, absent, published in cursor.fetchall()}


def published_counts(table: Table, sources: list[str] | None = None) -> dict[str, int]:
    """Published records per source (of ``sources``, or of every source)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source, count(*) FROM {table.name}"
            " WHERE is_published AND (%s::varchar[] IS NULL OR source = ANY(%s)) GROUP BY source",
            [sources, sources],
        )
        return dict(cursor.fetchall())


def stored_hashes(table: Table) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, source_hash FROM {table.name}")
        return dict(cursor.fetchall())


def all_ids(table: Table) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table.name}")
        return {row[0] for row in cursor.fetchall()}


def refresh_structure_scores() -> int:
    """A structure's score: mean of its published services' scores, 2 decimals, 0 without."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH scores AS (
                SELECT st.id, coalesce(round(avg(sv.score_qualite)::numeric, 2), 0)::float AS score
                FROM structures_structure AS st
                LEFT JOIN services_service AS sv ON sv.structure_id = st.id AND sv.is_published
                GROUP BY st.id
            )
            UPDATE structures_structure AS st SET score_qualite = scores.score
            FROM scores WHERE scores.id = st.id AND st.score_qualite IS DISTINCT FROM scores.score
            """
        )
        return cursor.rowcount


@contextmanager
def indexes_rebuilt_after(table_name: str, *, enabled: bool):
    """Bulk load: drop the table's secondary indexes, write, then build them again.

    Building a GIN index once is several times faster than updating it row by row, which
    matters for a first national import. Dropping takes an exclusive lock on the table until
    the commit, so this is only used when the table is (nearly) empty: there is nothing for
    searches to read yet. Primary keys and unique constraints stay.
    """
    if not enabled:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes AS i
            WHERE i.tablename = %s AND NOT EXISTS (
                SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname
            )
            """,
            [table_name],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must run before an index can be built on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {table_name}")


def refresh_planner_statistics(tables: Iterable[str]) -> None:
    """Fresh statistics and merged GIN pending lists after a bulk write, so the next searches
    get good plans even where autovacuum is off or late (ANALYZE runs inside a transaction)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index AS i"
                " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
                [table],
            )

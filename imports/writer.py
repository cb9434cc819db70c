"""Writing prepared records with a few set-based statements.

Rows are copied (COPY) into temporary staging tables, then merged into the real tables:
new ids inserted, changed ones updated, unchanged ones never touched. A field a curator
corrected keeps the curator's value; the upstream value is kept aside in upstream_values.
Everything runs inside the caller's transaction.
"""

from collections.abc import Iterable

from django.db import connection

from structures.records import UnpublishedReason

REMOVED = UnpublishedReason.REMOVED_UPSTREAM.value


class Table:
    """How one kind of record is stored."""

    def __init__(self, model, schema_fields: Iterable[str], extra_fields: Iterable[str]):
        self.model = model
        self.name = model._meta.db_table
        self.schema_fields = tuple(schema_fields)
        # Columns the import writes besides the schema's: hash, score, search text.
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


def _merged(column: str) -> str:
    return f"CASE WHEN '{column}' = ANY(t.curated_fields) THEN t.{column} ELSE s.{column} END"


def update_changed(table: Table, stage: str, *, derived: dict[str, str]) -> list[str]:
    """Update existing rows whose upstream hash changed; returns their ids.

    ``derived`` maps extra columns to the SQL that computes them (aliases: t the target, s the staged row).
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
            FROM {stage} AS s
            WHERE t.id = s.id AND t.source_hash IS DISTINCT FROM s.source_hash
            RETURNING t.id
            """
        )
        return [row[0] for row in cursor.fetchall()]


def insert_new(table: Table, stage: str, *, derived: dict[str, str]) -> list[str]:
    copied = table.schema_fields + ("source_hash",)
    columns = list(copied) + list(derived)
    values = [f"s.{column}" for column in copied] + list(derived.values())
    default_columns, placeholders, params = table.default_values(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table.name} ({", ".join(columns + default_columns)})
            SELECT {", ".join(values + placeholders)}
            FROM {stage} AS s
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

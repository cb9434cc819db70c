"""Writing prepared records with a few set-based statements.

Rows are copied (COPY) into staging tables (create_stage) while they are validated, then merged into
the real tables: new ids inserted, changed ones updated, unchanged ones never touched. A field a
curator corrected keeps the curator's value; the upstream value is kept aside in upstream_values.
Publication changes (republished, unpublished) are decided in Python on the ids read at the start
(a set difference) and written by id. Everything runs inside the caller's transaction.
"""

import functools
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from imports.validation import Examined
from structures.records import UnpublishedReason

REMOVED = UnpublishedReason.REMOVED_UPSTREAM.value


class Table:
    """How one kind of record is stored."""

    def __init__(
        self, model, schema_fields: Iterable[str], extra_fields: Iterable[str], stage_only: Iterable[str] = ()
    ):
        self.model = model
        self.name = model._meta.db_table
        self.schema_fields = tuple(schema_fields)
        # Columns the import writes besides the schema's: hash, score, search text.
        self.extra_fields = tuple(extra_fields)
        # Text columns of the stage alone, read by what is derived after the write (services' lexemes).
        self.stage_only = tuple(stage_only)

    def default_values(self, written: Iterable[str]) -> tuple[list[str], list[str], list]:
        """Columns a new row gets from the model's defaults (publication state, curation
        bookkeeping, timestamps…): (columns, SQL placeholders, parameters). Taken from the
        model so that a field added later needs no change here."""
        written = set(written)
        columns, placeholders, params = [], [], []
        for model_field in self.model._meta.concrete_fields:
            if model_field.column in written or model_field.primary_key:
                continue
            columns.append(model_field.column)
            if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
                placeholders.append("now()")
            else:
                placeholders.append("%s")
                params.append(model_field.get_db_prep_save(model_field.get_default(), connection))
        return columns, placeholders, params

    @property
    def staged_columns(self) -> tuple[str, ...]:
        return self.schema_fields + self.extra_fields + self.stage_only


@dataclass
class StoredTable:
    """What a table holds before the run: each record's hashes, the ids not published (and among them those
    unpublished because their source had removed them), and how many records each source has published.
    ``as_read``: each record as an examination of the same bytes gives it, by raw hash (imports.parallel finds
    unchanged records of a JSON file there without parsing them)."""

    records: dict[str, Examined] = field(default_factory=dict)
    as_read: dict[str, Examined] = field(default_factory=dict)
    unpublished: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def published_ids(self) -> set[str]:
        return self.records.keys() - self.unpublished

    def published_by_source(self) -> Counter:
        return Counter(map(SOURCE, self.records.values())) - Counter(self.records[i].source for i in self.unpublished)


# Fields of an Examined, read at C speed (map, zip).
RECORD_ID, SOURCE, RAW_HASH = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(4)
# An Examined made from a row at C speed: NamedTuple's _make is a Python function, 240,000 calls on a national run.
_examined = functools.partial(tuple.__new__, Examined)


def stored(table: Table) -> StoredTable:
    """Read in two scans: every record (a national re-import: 240,000 rows), then the few that are not published.
    Published records are the others: a third scan of the published ones cost more than the set difference."""
    # A curator may correct a service's structure: prepare() only asks whether it is known, and both are.
    structure_id = "structure_id" if "structure_id" in table.schema_fields else "''"
    with connection.cursor() as cursor:
        # Rows in Examined's order (no line, no errors).
        cursor.execute(f"SELECT id, source, {structure_id}, source_hash, raw_hash, NULL, NULL FROM {table.name}")
        records = list(map(_examined, cursor.fetchall()))
        cursor.execute(f"SELECT id, unpublished_reason = %s FROM {table.name} WHERE NOT is_published", [REMOVED])
        hidden = cursor.fetchall()
    return StoredTable(
        records=dict(zip(map(RECORD_ID, records), records, strict=True)),
        as_read=dict(zip(map(RAW_HASH, records), records, strict=True)),
        unpublished={record_id for record_id, _removed in hidden},
        removed={record_id for record_id, removed in hidden if removed},
    )


def create_stage(table: Table) -> str:
    """An empty stage for the table's rows, dropped by drop_stage (or by the rollback of a failed run). Unlogged
    rather than temporary: PostgreSQL reads no temporary table in parallel, and the search index's statement reads
    the services' stage (their lexemes) on both cores; like a temporary table, nothing of it is written twice (no
    write-ahead log), and no other session sees it (it is created in the run's transaction)."""
    stage = f"stage_{table.name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        columns = [*table.schema_fields, *table.extra_fields, *(f"NULL::text AS {name}" for name in table.stage_only)]
        cursor.execute(f"CREATE UNLOGGED TABLE {stage} AS SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA")
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
        "raw_hash = s.raw_hash",
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


def insert_new(table: Table, stage: str, *, derived: dict[str, str], join: str = "") -> list[str]:
    """Insert the staged rows of new ids; returns their ids. ``join`` may bring other relations ``derived`` reads."""
    copied = table.schema_fields + ("source_hash", "raw_hash")
    columns = list(copied) + list(derived)
    values = [f"s.{column}" for column in copied] + list(derived.values())
    default_columns, placeholders, params = table.default_values(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table.name} ({", ".join(columns + default_columns)})
            SELECT {", ".join(values + placeholders)}
            FROM {stage} AS s {join}
            WHERE NOT EXISTS (SELECT 1 FROM {table.name} AS t WHERE t.id = s.id)
            RETURNING id
            """,
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def drop_stage(stage: str) -> None:
    """A stage's table, no longer read: an unlogged table is not dropped by the commit."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")


def drop_staged(stage: str, ids: Iterable[str]) -> None:
    """Staged rows of ids found again later in the file with other contents: none of their copies is written."""
    ids = sorted(ids)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {stage} WHERE id = ANY(%s)", [ids])


def update_raw_hashes(table: Table, pairs: list[tuple[str, str]]) -> None:
    """Unchanged records read in another form: their raw hash, so that the next run of this form skips them."""
    if pairs:
        ids, hashes = zip(*pairs, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table.name} AS t SET raw_hash = v.raw_hash"
                " FROM unnest(%s::varchar[], %s::varchar[]) AS v(id, raw_hash) WHERE t.id = v.id",
                [list(ids), list(hashes)],
            )


def republish(table: Table, ids: Iterable[str]) -> int:
    """Records removed upstream earlier that are back: published again."""
    ids = sorted(ids)
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table.name} AS t SET is_published = true, unpublished_reason = '', updated_at = now()
            WHERE t.id = ANY(%s) AND NOT t.is_published AND t.unpublished_reason = %s
            """,
            [ids, REMOVED],
        )
        return cursor.rowcount


def unpublish(table: Table, ids: Iterable[str]) -> int:
    """Published records absent from a full import (unpublishing.plan_unpublishing chose them)."""
    ids = sorted(ids)
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table.name} AS t SET is_published = false, unpublished_reason = %s, updated_at = now()
            WHERE t.id = ANY(%s) AND t.is_published
            """,
            [REMOVED, ids],
        )
        return cursor.rowcount

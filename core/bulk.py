"""Set-based writes with PostgreSQL: COPY into temporary tables, indexes rebuilt after bulk loads, fresh
planner statistics. Every app that writes many rows at once (imports, communes, the search index) uses these."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[Iterable]) -> None:
    """Rows into ``table`` with COPY (the fastest way in from Python)."""
    columns = tuple(columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def stage_ids(name: str, ids: Iterable[str]) -> str:
    """A temporary one-column table of ids, indexed and analysed, for joins and anti-joins; returns its name."""
    table = f"ids_{name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} (id varchar PRIMARY KEY) ON COMMIT DROP")
    copy_rows(table, ["id"], ([record_id] for record_id in ids))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return table


@contextmanager
def indexes_rebuilt_after(table_name: str, *, enabled: bool):
    """Bulk load: drop the table's secondary indexes, write, then build them again.

    Building an index once is several times faster than updating it row by row, which matters for a first
    national import. Dropping takes an exclusive lock on the table until the commit, so this is only used
    when the table is (nearly) empty: there is nothing for readers to read yet. Primary keys and unique
    constraints stay.
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
    """Fresh statistics and merged GIN pending lists after a bulk write, so the next queries get good plans
    even where autovacuum is off or late (ANALYZE runs inside a transaction)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index AS i"
                " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
                [table],
            )

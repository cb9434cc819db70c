"""Set-based writes with PostgreSQL: COPY into temporary tables, indexes rebuilt after bulk loads, fresh
planner statistics. Every app that writes many rows at once (imports, communes, the search index) uses these."""

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

COPY_NULL = "\\N"
# An array element holding one of these (or empty, or the word NULL) is quoted in an array literal.
_ARRAY_SPECIALS = frozenset('{}",\\ \t\n\r\v\f')
_SPECIALS_BUT_COMMA = _ARRAY_SPECIALS - {","}


def _escaped(text: str) -> str:
    """A value in COPY's text format: backslash, tab, line feed and carriage return escaped. Most values have
    none: four substring searches (memchr) cost less than any per-character translation."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def _array_element(item) -> str:
    if item is None:
        return "NULL"
    text = str(item)
    if text and _ARRAY_SPECIALS.isdisjoint(text) and text.upper() != "NULL":
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array(items: list | tuple) -> str:
    """An array literal. Most lists are of plain codes (thematiques, publics…): joined, one search of the whole
    text tells that no element needs quoting (as many commas as separators, no other special character, no empty
    element, no NULL), rather than a call per element: half the time, for 7 lists a service."""
    try:
        text = ",".join(items)
    except TypeError:  # not only text
        text = None
    if (
        text is not None
        and text.count(",") == len(items) - 1
        and _SPECIALS_BUT_COMMA.isdisjoint(text)
        and "" not in items
        and "null" not in text.lower()
    ):
        return "{" + text + "}"
    return "{" + ",".join(map(_array_element, items)) + "}"


def _formatted(value) -> str:
    """A value other than text or None, before COPY's escapes."""
    if isinstance(value, list | tuple):
        return _array(value)
    if value is True or value is False:
        return "t" if value else "f"
    return str(value)


def copy_line(values: tuple | list) -> str:
    """One row in COPY's text format (line feed included): text, numbers, booleans, lists as PostgreSQL arrays,
    None as NULL. Rows formatted as text where they are made (the import's worker processes) leave the process
    that writes nothing to do but send them, where psycopg's write_row formats every value in the writing
    process (figures in imports.parallel)."""
    parts = [
        COPY_NULL if value is None else value if value.__class__ is str else _formatted(value) for value in values
    ]
    line = "\t".join(parts)
    # Most rows hold no character to escape: one search of the whole line settles it (each NULL brings one
    # backslash, the separators the tabs), and only the others are escaped value by value.
    if (
        line.count("\\") == values.count(None)
        and line.count("\t") == len(parts) - 1
        and "\n" not in line
        and "\r" not in line
    ):
        return line + "\n"
    return (
        "\t".join(COPY_NULL if value is None else _escaped(part) for value, part in zip(values, parts, strict=True))
        + "\n"
    )


class CopyBuffer:
    """Lines made by copy_line, sent in blocks: each write to psycopg's COPY is a round through its wait loop,
    too much for one line. ``seconds`` is the time spent sending."""

    BLOCK_CHARACTERS = 1 << 20

    def __init__(self, copy):
        self.copy = copy
        self.lines: list[str] = []
        self.size = 0
        self.seconds = 0.0

    def write(self, line: str) -> None:
        self.lines.append(line)
        self.size += len(line)
        if self.size >= self.BLOCK_CHARACTERS:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            start = time.perf_counter()
            self.copy.write("".join(self.lines))
            self.seconds += time.perf_counter() - start
            self.lines, self.size = [], 0


@contextmanager
def copy_text(table: str, columns: Iterable[str]) -> Iterator[CopyBuffer]:
    """An open COPY into ``table``: the block writes lines made by copy_line to the CopyBuffer it gets."""
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = CopyBuffer(copy)
        yield buffer
        buffer.flush()


def copy_rows(table: str, columns: Iterable[str], rows: Iterable[Iterable]) -> None:
    """Rows into ``table`` with COPY (the fastest way in from Python)."""
    columns = tuple(columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# Rows a bulk load must write for indexes_rebuilt_after to pay: below this, rebuilding costs more than it saves.
BULK_MIN_ROWS = 1000


@contextmanager
def indexes_rebuilt_after(
    table_name: str, *, enabled: bool, foreign_keys: bool = False, analysed: Iterable[str] | None = None
):
    """Bulk load: drop the table's secondary indexes (and its foreign keys: ``foreign_keys``), write, then build
    (and add) them again, and analyse the table (only the columns ``analysed``, if given: see analyse()).

    Building an index once is several times faster than updating it row by row, which matters for a first
    national import; a foreign key added again is checked by one join, where each row written would queue a check
    of its own (140,000 services: 1.2 s of deferred checks, against 0.2 s). Dropping takes an exclusive lock on
    the table until the commit, so this is only used when the table is (nearly) empty: there is nothing for
    readers to read yet. Dropping a foreign key also locks the table it references: only for tables the caller
    already holds, or for a moment. Primary keys and unique constraints stay.
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
        keys = []
        if foreign_keys:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'f'",
                [table_name],
            )
            keys = cursor.fetchall()
        # Checks already queued for the table's rows must run before its constraints can change.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        # Deferred foreign-key checks must run before an index can be built on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
    analyse(table_name, analysed)


def analyse(table: str, columns: Iterable[str] | None = None) -> None:
    """ANALYZE a table, or only the ``columns`` queries filter, join or sort on. The statistics of a long text, an
    array or a JSON column are most of the cost (detoasted and compared value by value in the sample) and no plan
    reads them: on a national first import, 3.2 s for the whole three tables, 1.2 s for their queried columns.
    Columns left out keep the statistics they had (the planner's defaults when they never had any)."""
    listed = f" ({', '.join(columns)})" if columns else ""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}{listed}")


def refresh_planner_statistics(tables: Iterable[str], columns: dict[str, Iterable[str]] | None = None) -> None:
    """Fresh statistics (of the ``columns`` given per table, else of all) and merged GIN pending lists after a bulk
    write, so the next queries get good plans even where autovacuum is off or late (ANALYZE runs inside a
    transaction)."""
    columns = columns or {}
    for table in tables:
        analyse(table, columns.get(table))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index AS i"
                " JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
                [table],
            )

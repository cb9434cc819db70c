"""The data version: one number bumped by every change of what searches show.

Imports, curator corrections and single saves (signals) bump it in the transaction that
changes the data, as late as they can, so the row lock is held briefly. Anything derived from
the data (cached fragments, autocompletes, the search engine's in-memory columns) is keyed on
it: a reader that sees the new version also sees the new data, and a key built from an old
version is never asked for again once the change is committed.

Versions come from a sequence, so a rolled-back change never hands its number to other data.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections

# The version a request already read (core.page_cache keys its cache on it): the search
# engine then uses the same one rather than asking the database again.
_read: ContextVar[tuple[str, int] | None] = ContextVar("data_version_read", default=None)


@contextmanager
def reading(using: str, version: int):
    """In the block, current(using) is ``version``: what the request read at its start."""
    token = _read.set((using, version))
    try:
        yield
    finally:
        _read.reset(token)


def current(using: str = DEFAULT_DB_ALIAS) -> int:
    read = _read.get()
    if read is not None and read[0] == using:
        return read[1]
    database = connections[using]
    # Public pages read the version first: on a connection kept from an earlier request, the read is its health
    # check (CONN_HEALTH_CHECKS) rather than a "SELECT 1" sent before it, a round trip less per page. A connection
    # the server dropped is replaced, and the version read again, as Django's own check would have done.
    checking = (
        database.health_check_enabled
        and not database.health_check_done
        and database.connection is not None
        and not database.in_atomic_block
    )
    if not checking:
        return _read_version(database)
    database.health_check_done = True
    try:
        return _read_version(database)
    except (OperationalError, InterfaceError):
        database.close()
        return _read_version(database)


def _read_version(database) -> int:
    with database.cursor() as cursor:
        cursor.execute("SELECT version FROM core_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def bump() -> int:
    """Increase the version (in the caller's transaction, if any); returns the new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_dataversion (id, version, changed_at)"
            " VALUES (1, nextval('core_data_version_seq'), now())"
            " ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, changed_at = now()"
            " RETURNING version"
        )
        return cursor.fetchone()[0]

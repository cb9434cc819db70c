import contextlib
import importlib

import pytest
from django.core.cache import cache, caches


def uses_database(item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or bool({"db", "live_server"} & set(fixtures))


@pytest.fixture(autouse=True)
def clear_cache(request):
    """One test must not feed the next: the page cache lives in memory, the rate-limit counters in a table
    that transactional tests (and their flush, which knows only models) leave behind."""
    cache.clear()
    if uses_database(request.node):
        request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
        caches["rate_limits"].clear()
    yield
    cache.clear()


def ensure_curation_groups() -> bool:
    """Create the "curateur" and "lecteur" groups of the data migration again if a flush removed them.

    Transactional tests (live server, several databases) end with a flush that empties every table, data
    migrations' rows included, and `--reuse-db` hands that database to the next run. Runs the migration's own
    code on its historical models (it creates the permissions it needs). Returns whether anything was missing.
    """
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    if (
        Group.objects.filter(name="lecteur").exists()
        and Group.objects.filter(name="curateur", permissions__codename="change_service").exists()
    ):
        return False
    state = MigrationLoader(connection).project_state(("curation", "0001_groups"), at_end=True)
    importlib.import_module("curation.migrations.0001_groups").create_groups(state.apps, None)
    return True


@pytest.fixture(scope="session", autouse=True)
def curation_groups_kept(request, django_db_blocker):
    """The groups are there when the run starts (and in what serialized rollbacks restore) and when it ends."""
    uses_database = any(
        item.get_closest_marker("django_db") or "live_server" in getattr(item, "fixturenames", ())
        for item in request.session.items
    )
    if not uses_database:
        yield
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    with django_db_blocker.unblock():
        if ensure_curation_groups() and hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        ensure_curation_groups()


@pytest.fixture(autouse=True)
def advisory_locks_given_back(django_db_blocker):
    """A streamed response the test client never closed keeps its export slot (an advisory lock of the test's
    connection, outside any transaction); the server closes every response: so does the end of each test."""
    yield
    from django.db import DatabaseError, connection

    if connection.connection is None:
        return
    # Fails only on a connection the test left broken or closed: then no lock is left either.
    with django_db_blocker.unblock(), contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock_all()")

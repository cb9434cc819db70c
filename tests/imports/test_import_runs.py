"""One import at a time, said out loud; runs whose process is gone shown as interrupted.

"Another import" is a PostgreSQL session of its own holding the import lock, as another process would
(tests/imports/test_killed_import.py does it with real processes).
"""

import io
import threading
import time

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from imports.models import ImportRun
from imports.runs import LOCK_KEY
from services.models import Service
from tests.imports.conftest import Dataset

pytestmark = pytest.mark.django_db


def other_session() -> psycopg.Connection:
    """A connection of its own to the test database (a host or a socket directory)."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    )


@pytest.fixture
def other_import():
    """Another import, running since 00:01 today on web-1: its session holds the lock."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")  # the test fails rather than hangs (reset by its rollback)
    run = ImportRun.objects.create(origin="/data/autre", host="web-1", pid=4242)
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.localtime().replace(hour=0, minute=1))
    with other_session() as session:
        session.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        yield session


def waiting_for_the_lock(session) -> bool:
    return bool(
        session.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND NOT granted", [LOCK_KEY]
        ).fetchone()
    )


def test_a_second_import_says_since_when_the_first_runs_and_stops(other_import, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("import_datainclusion", str(Dataset(tmp_path / "data").write()), verbosity=0)
    message = str(refused.value)
    assert "Un import est déjà en cours depuis 00:01 (machine web-1, processus 4242)." in message
    assert "--wait" in message
    assert not Service.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.RUNNING  # the other one, untouched


def test_with_wait_the_second_import_waits_for_the_first(other_import, tmp_path):
    def first_import_ends():
        deadline = time.monotonic() + 10
        while not waiting_for_the_lock(other_import) and time.monotonic() < deadline:
            time.sleep(0.02)
        other_import.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    ending = threading.Thread(target=first_import_ends)
    ending.start()
    errors = io.StringIO()
    call_command("import_datainclusion", str(Dataset(tmp_path / "data").write()), "--wait", stderr=errors)
    ending.join()
    assert "Un import est déjà en cours depuis 00:01 (machine web-1, processus 4242). Attente de sa fin…" in (
        errors.getvalue()
    )
    assert Service.objects.count() == 3
    ours = ImportRun.objects.latest("id")
    assert ours.status == ImportRun.Status.SUCCEEDED
    assert ours.pid and ours.host


def test_the_admin_shows_runs_whose_process_is_gone_as_interrupted(admin_client):
    dead = ImportRun.objects.create(origin="/data", host="web-1", pid=4242)  # nobody holds the lock
    response = admin_client.get("/admin/imports/importrun/")
    assert "Interrompu" in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == ImportRun.Status.INTERRUPTED
    assert "les données sont celles d'avant" in dead.message
    detail = admin_client.get(f"/admin/imports/importrun/{dead.pk}/change/").content.decode()
    assert "web-1" in detail and "4242" in detail


def test_the_admin_leaves_a_live_run_running(admin_client, other_import):
    response = admin_client.get("/admin/imports/importrun/")
    assert "En cours" in response.content.decode()
    assert ImportRun.objects.get().status == ImportRun.Status.RUNNING

"""An import killed halfway (SIGKILL while it writes) leaves the previous data as it was.

`manage.py import_datainclusion` runs as a real process on a PostgreSQL cluster of the test's own
(committed data, no test transaction around it); PostgreSQL rolls the import's transaction back
when its client disappears, and releases the advisory lock.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings

from imports.runs import LOCK_KEY
from tests.imports.conftest import load_fixture
from tests.throwaway_postgres import ThrowawayPostgres

# Starts servers of its own (gunicorn, PostgreSQL clusters, processes to kill): `-m 'not server'` skips them.
pytestmark = pytest.mark.server

COPIES = 20_000  # enough for the write phase to last a few seconds
REAL_TABLE_WRITE = re.compile(r"\b(INSERT INTO|UPDATE)\s+(services|structures)_", re.IGNORECASE)


@pytest.fixture(scope="module")
def database():
    cluster = ThrowawayPostgres()
    cluster.start()
    manage(cluster, "migrate", "--noinput")
    yield cluster
    cluster.remove()


def environment(cluster) -> dict:
    return {**os.environ, "DATABASE_URL": cluster.url, "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.test"}


def manage(cluster, *args, **popen):
    command = [sys.executable, "manage.py", *map(str, args), "-v0"]
    if popen:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment(cluster), **popen)
    return subprocess.run(command, cwd=settings.BASE_DIR, env=environment(cluster), check=True, capture_output=True)


def query(cluster, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def snapshot(cluster):
    return [
        query(cluster, f"SELECT id, nom, is_published, updated_at FROM {table} ORDER BY id")
        for table in ("structures_structure", "services_service")
    ]


def write_dataset(folder, *, copies: int, copy_id: str = "dora--copie"):
    """The fixture records; with copies, renamed and with many new services, so every table is written."""
    structures, services = load_fixture("structures.json"), load_fixture("services.json")
    if copies:
        for record in structures + services:
            record["nom"] += " (renommé)"
        template = services[0]
        services += [{**template, "id": f"{copy_id}-{index}", "nom": f"Copie {index}"} for index in range(copies)]
    folder.mkdir()
    (folder / "structures.json").write_text(json.dumps(structures))
    (folder / "services.json").write_text(json.dumps(services))
    return folder


def lock_holder(cluster) -> tuple[int, str] | None:
    """The import's backend and what it runs, while it holds the import lock."""
    rows = query(
        cluster,
        "SELECT activity.pid, activity.query FROM pg_locks JOIN pg_stat_activity activity USING (pid) "
        "WHERE locktype = 'advisory' AND objid = %s AND granted",
        [LOCK_KEY],
    )
    return rows[0] if rows else None


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_killed_import_changes_nothing_and_the_next_one_succeeds(database, tmp_path):
    manage(database, "import_datainclusion", write_dataset(tmp_path / "first", copies=0))
    before = snapshot(database)
    assert len(before[1]) == 3
    big = write_dataset(tmp_path / "big", copies=COPIES)

    log = (tmp_path / "stderr").open("wb")
    process = manage(database, "import_datainclusion", big, stdout=subprocess.DEVNULL, stderr=log)
    try:

        def writing():
            # Into the real tables, not the staging ones: the run has begun changing the data.
            holder = lock_holder(database)
            return holder and REAL_TABLE_WRITE.search(holder[1])

        wait_for(writing, 120, "the import to write")
        assert process.poll() is None, (tmp_path / "stderr").read_text()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        log.close()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL

    # The server notices the dead client, rolls back and releases the lock.
    wait_for(lambda: lock_holder(database) is None, 120, "the rollback")
    assert snapshot(database) == before
    # Its run says where it ran; nothing could mark it ended…
    [(killed, status, pid, host)] = query(
        database, "SELECT id, status, pid, host FROM imports_importrun ORDER BY id DESC LIMIT 1"
    )
    assert (status, pid, host) == ("en-cours", process.pid, socket.gethostname())

    manage(database, "import_datainclusion", big)
    # …until the next import: the lock was free, its process gone.
    [(status, message)] = query(database, "SELECT status, message FROM imports_importrun WHERE id = %s", [killed])
    assert status == "interrompu"
    assert message.startswith("Interrompu")
    [(copies,)] = query(database, "SELECT count(*) FROM services_service WHERE id LIKE 'dora--copie-%%'")
    assert copies == COPIES
    [(renamed,)] = query(database, "SELECT count(*) FROM structures_structure WHERE nom LIKE '%%(renommé)'")
    assert renamed == 3


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(child) for child in handle.read().split()]
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][:1] != "Z"
    except FileNotFoundError:
        return False


def test_an_import_killed_while_its_workers_validate_changes_nothing(database, tmp_path):
    """The parent killed while its forked workers examine records: PostgreSQL sees its client gone at once
    (the workers closed their copy of its socket), rolls back, and the workers end by themselves."""
    before = snapshot(database)
    # New records (never imported): every one goes to the workers; partial: nothing else is unpublished.
    big = write_dataset(tmp_path / "big", copies=COPIES, copy_id="dora--autre-copie")
    process = manage(database, "import_datainclusion", "--partial", big, stdout=subprocess.DEVNULL)
    try:
        workers = wait_for(lambda: process.poll() is None and children(process.pid), 120, "the workers")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    wait_for(lambda: lock_holder(database) is None, 30, "the rollback")
    assert snapshot(database) == before
    wait_for(lambda: not any(alive(worker) for worker in workers), 30, "the workers to end")

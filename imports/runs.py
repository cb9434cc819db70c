"""One import at a time, and a true state for each run, killed ones included.

An import holds a PostgreSQL advisory lock (session level) from its start to its end. PostgreSQL releases it
when the process ends, whatever the way (SIGKILL, a machine restarted): so a run still marked "en cours"
while nobody holds the lock belongs to a process that is gone. Such runs are marked "Interrompu" by the next
import (once it holds the lock) and whenever the admin lists the runs. Their writes were rolled back with
their transaction: the data is as before.

A second import finds the lock taken: it says since when the first one runs, and waits for it or stops.
"""

import os
import socket
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.utils import timezone

from imports.models import ImportRun

LOCK_KEY = 742_001  # advisory lock (one bigint key) held by the running import
INTERRUPTED = (
    "Interrompu : le processus s'est arrêté avant la fin (arrêt forcé, machine redémarrée…). "
    "PostgreSQL a annulé ses écritures : les données sont celles d'avant."
)
# Runs marked "en cours" while no other session holds the lock (pg_locks: our database, granted, not us).
MARK_INTERRUPTED = f"""
    UPDATE {ImportRun._meta.db_table} SET status = %s, message = %s
    WHERE status = %s AND NOT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND classid = 0 AND objid = %s AND objsubid = 1 AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND pid <> pg_backend_pid()
    )
"""


class ImportBusy(Exception):
    """Another import is running; the message says since when (French)."""


def acquire(*, wait: bool = False, notify: Callable[[str], None] | None = None) -> None:
    """Take the import lock, then mark the runs left by dead processes. When another import holds it: wait
    for it (after saying so through `notify`), or raise ImportBusy."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            busy = busy_message()
            if not wait:
                raise ImportBusy(f"{busy} Relancez plus tard, ou avec --wait pour attendre sa fin.")
            if notify:
                notify(f"{busy} Attente de sa fin…")
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        mark_interrupted()
    except BaseException:
        release()
        raise


def release() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    except DatabaseError:
        pass  # the connection is gone, and the lock with it


def start(**fields) -> ImportRun:
    """The record of a run, with where it runs: who to look for if it seems stuck."""
    return ImportRun.objects.create(host=socket.gethostname(), pid=os.getpid(), **fields)


def mark_interrupted() -> int:
    """Mark the runs whose process is gone (no other session holds the lock); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_INTERRUPTED, [ImportRun.Status.INTERRUPTED, INTERRUPTED, ImportRun.Status.RUNNING, LOCK_KEY]
        )
        return cursor.rowcount


def busy_message() -> str:
    run = ImportRun.objects.filter(status=ImportRun.Status.RUNNING).order_by("-started_at", "-id").first()
    if run is None:
        return "Un import est déjà en cours (une simulation, sans trace dans l'historique)."
    started = timezone.localtime(run.started_at)
    since = f"{started:%H:%M}" if started.date() == timezone.localdate() else f"le {started:%d/%m/%Y à %H:%M}"
    where = f" (machine {run.host}, processus {run.pid})" if run.pid else ""
    return f"Un import est déjà en cours depuis {since}{where}."

"""A real streaming replica of the test PostgreSQL server, for the routing tests.

`pg_basebackup -R` copies the running server (the one of DATABASE_URL) into a temporary directory and a second
server starts there on a free port as a hot standby, replaying the primary's WAL as it comes. The primary must
accept replication connections from 127.0.0.1: a trust line is added to its pg_hba.conf (and the configuration
reloaded) when missing, as the machine's trust lines already allow every other connection from there.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

REPLICATION_LINE = "host replication all 127.0.0.1/32 trust"
# Settings a hot standby must not set lower than its primary's.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: commands run as the postgres account then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def primary_facts(dsn: str) -> dict:
    with psycopg.connect(dsn, autocommit=True) as conn:
        facts = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in (*STANDBY_MINIMUMS, "hba_file")}
        facts["major"] = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    return facts


def allow_replication(dsn: str, hba_file: str) -> None:
    """Lets 127.0.0.1 open replication connections (pg_basebackup, the standby's WAL receiver)."""
    path = Path(hba_file)
    lines = path.read_text().splitlines()
    if REPLICATION_LINE in (line.strip() for line in lines):
        return
    if not os.access(path, os.W_OK):
        pytest.fail(f"The primary refuses replication connections: add `{REPLICATION_LINE}` to {path} and reload.")
    path.write_text("\n".join([*lines, REPLICATION_LINE]) + "\n")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)


def start_replica(primary: dict) -> tuple[Path, dict, Path]:
    """(server binaries, Django settings of the replica, its directory) once the standby accepts connections."""
    primary = {**primary, "HOST": primary["HOST"] or "127.0.0.1"}
    dsn = f"host={primary['HOST']} port={primary['PORT'] or 5432} user={primary['USER']} dbname=postgres"
    facts = primary_facts(dsn)
    binaries = Path(f"/usr/lib/postgresql/{facts['major']}/bin")
    if not all((binaries / name).exists() for name in ("pg_basebackup", "pg_ctl", "postgres")):
        pytest.skip(f"PostgreSQL {facts['major']} server binaries not found in {binaries}: no replica to test on.")
    allow_replication(dsn, facts["hba_file"])
    directory = Path(tempfile.mkdtemp(prefix="replica-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data = directory / "data"
    port = free_port()
    subprocess.run(
        as_postgres([str(binaries / "pg_basebackup"), "-h", primary["HOST"], "-p", str(primary["PORT"] or 5432)])
        + ["-U", primary["USER"], "-D", str(data), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
        check=True,
        capture_output=True,
    )
    settings = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{directory}'",
        "hot_standby = on",
        "fsync = off",
        "shared_buffers = 32MB",
        *(f"{name} = {facts[name]}" for name in STANDBY_MINIMUMS),
    ]
    # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: the copy has neither.
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\n" + "\n".join(settings) + "\n")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").touch()
    if os.geteuid() == 0:
        for path in (data / "postgresql.conf", data / "pg_hba.conf", data / "pg_ident.conf"):
            shutil.chown(path, "postgres", "postgres")
    subprocess.run(
        as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    return binaries, {**primary, "HOST": "127.0.0.1", "PORT": str(port)}, directory


def stop_replica(binaries: Path, directory: Path) -> None:
    subprocess.run(
        as_postgres([str(binaries / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "stop"]),
        check=False,
        capture_output=True,
    )
    shutil.rmtree(directory, ignore_errors=True)


def wait_for_replay(primary_connection, replica_connection, timeout: float = 10) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with primary_connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with replica_connection.cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {lsn} within {timeout} s")


def wait_for_database(settings_dict: dict, timeout: float = 10) -> None:
    """Until a database created on the primary (CREATE DATABASE is replicated too) accepts connections here."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(
                host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"],
                dbname=settings_dict["NAME"],
            ).close()  # fmt: skip
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

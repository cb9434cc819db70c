"""Run a command with DATABASE_URL set, starting the embedded PostgreSQL when needed.

Usage: python scripts/with_db.py COMMAND [ARGS...]

When DATABASE_URL is already set, the command runs unchanged against that server.
Otherwise an embedded PostgreSQL (the ``pgserver`` package) is started, or reused if it is
already running, with its data under ``.data/pg``; the ``inclusion`` database is created
once, and the command runs with DATABASE_URL pointing at it over a Unix socket.
The server keeps running afterwards so the next command starts instantly;
``python scripts/with_db.py --stop`` stops it.

Django settings never start anything: this script is the only place that does.
"""

import contextlib
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PGDATA = ROOT / ".data" / "pg"
DATABASE_NAME = "inclusion"

# platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); its fallback is fine.
warnings.filterwarnings("ignore", module="platformdirs")


def embedded_database_url() -> str:
    import pgserver

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: leave the server running when this process exits.
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def stop_embedded() -> None:
    pid_file = PGDATA / "postmaster.pid"
    if pid_file.exists():
        # SIGINT is PostgreSQL's "fast shutdown": clients are disconnected, data is safe.
        pid = int(pid_file.read_text().splitlines()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--stop"]:
        stop_embedded()
        return
    if not argv:
        sys.exit("usage: with_db.py COMMAND [ARGS...] | --stop")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url()
    # A child process rather than exec, so pgserver's exit hooks run and its handle list
    # stays clean. Ctrl-C reaches the child too (same process group).
    try:
        sys.exit(subprocess.call(argv))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main(sys.argv[1:])

"""The site served by gunicorn for the benchmarks, from this checkout or another one (bench.against)."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT

WORKERS = 2
# Production settings, with the collected static files in a temporary directory.
SETTINGS_MODULE = "bench_search_settings"
# Without the rate limits: one client sends hundreds of autocompletes a minute (production limits each visitor).
SETTINGS = (
    "from inclusion_site.settings.prod import *  # noqa: F403\n\n"
    "STATIC_ROOT = {static_root!r}\n"
    "RATELIMIT_ENABLE = False\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = WORKERS, env_extra: dict[str, str] | None = None, root: Path = ROOT):
    """The site of the checkout ``root`` served by gunicorn on a free port of 127.0.0.1, with this checkout's
    virtualenv; yields (port, server description).

    gunicorn also reads the checkout's gunicorn.conf.py (timeouts, max-requests); the access log is off unless
    env_extra sets GUNICORN_ACCESS_LOG."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        static_root = Path(tmp) / "static"
        (Path(tmp) / f"{SETTINGS_MODULE}.py").write_text(SETTINGS.format(static_root=str(static_root)))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([tmp, str(root)]),
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "",
            # The columns of the in-memory engine, written by the first worker, mapped by the others.
            "SEARCH_COLUMNS_DIR": str(Path(tmp) / "columns"),
            "WEB_CONCURRENCY": str(workers),
            **(env_extra or {}),
        }
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=root, env=env, check=True
        )
        collectstatic_seconds = round(time.perf_counter() - start, 1)
        port = free_port()
        log = Path(tmp) / "gunicorn.log"
        executable = ROOT / ".venv" / "bin" / "gunicorn"
        command = [
            str(executable if executable.exists() else Path(sys.executable).parent / "gunicorn"),
            "inclusion_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--error-logfile",
            str(log),
            "--log-level",
            "warning",
        ]
        # Its own process group: the master and its workers are stopped together, and only them.
        server = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
        try:
            wait_until_up(port, server)
            columns_seconds = wait_for_columns(Path(tmp) / "columns", server)
            yield (
                port,
                {
                    "command": " ".join(command[1:]),
                    "checkout": str(root),
                    "settings": "inclusion_site.settings.prod (+ temporary STATIC_ROOT)",
                    "worker_class": "sync",
                    "workers": workers,
                    "collectstatic_seconds": collectstatic_seconds,
                    "columns_copy_seconds": columns_seconds,
                    "columns_dir": str(Path(tmp) / "columns"),
                    "page_cache": env.get("PAGE_CACHE", "on"),
                },
            )
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()
            errors = log.read_text() if log.exists() else ""
            if errors.strip():
                print(f"gunicorn log:\n{errors[-4000:]}", file=sys.stderr)


def wait_for_columns(directory: Path, server: subprocess.Popen, timeout: float = 120) -> float | None:
    """Seconds until the index is copied into memory and written for the workers (gunicorn.conf.py makes it
    before they start); None if it never is."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        if directory.exists() and any(path.is_dir() and not path.name.startswith(".") for path in directory.iterdir()):
            time.sleep(0.5)  # the other workers map the files
            return round(time.perf_counter() - start, 1)
        time.sleep(0.1)
    return None


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")

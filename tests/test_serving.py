"""Production serving: gunicorn with gunicorn.conf.py and the prod settings, static files by whitenoise."""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections

# Starts servers of its own (gunicorn, PostgreSQL clusters, processes to kill): `-m 'not server'` skips them.
pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "from inclusion_site.settings.prod import *  # noqa: F403\n\nSTATIC_ROOT = {static_root!r}\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()


@pytest.fixture
def prod_env(tmp_path, db):
    """Environment of a production server on the test database, with its own STATIC_ROOT."""
    (tmp_path / "serving_settings.py").write_text(SETTINGS.format(static_root=str(tmp_path / "static")))
    database = connections["default"].settings_dict
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "serving_settings",
        "DATABASE_URL": (
            # A socket directory (the embedded PostgreSQL of `make test`) goes percent-encoded in the host.
            f"postgres://{database['USER']}@{quote(database['HOST'] or '127.0.0.1', safe='')}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def server(prod_env, tmp_path):
    """`make serve-prod`'s steps: collectstatic, then gunicorn with the repository's config; yields (port, log)."""
    python = sys.executable
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=prod_env, check=True)
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **prod_env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    gunicorn = Path(python).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py"], cwd=ROOT, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port, access_log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_production_server_serves_pages_and_immutable_compressed_static_files(server):
    port, access_log = server
    status, headers, body = get(port, "/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/css/[^"]+\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "no hashed stylesheet URL in the page"

    status, headers, _ = get(port, stylesheet.group(1).decode(), {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["cache-control"] == "max-age=315360000, public, immutable"
    assert headers["content-encoding"] == "gzip"

    time.sleep(0.5)  # the access log is written after the answer
    log = access_log.read_text()
    assert '"GET /" 200' in log
    assert "127.0.0.1" not in log  # no visitor address


def test_web_servers_cancel_slow_queries_and_commands_do_not(prod_env):
    show = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    env = {key: value for key, value in prod_env.items() if key != "DATABASE_STATEMENT_TIMEOUT_MS"}
    web = subprocess.run(
        [sys.executable, "-c", f"import inclusion_site.wsgi; {show}"], cwd=ROOT, env=env, check=True, text=True,
        capture_output=True,
    )  # fmt: skip
    assert "-c statement_timeout=5000" in web.stdout
    command = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"], cwd=ROOT, env=env, check=True, text=True,
        capture_output=True,
    )  # fmt: skip
    assert "statement_timeout" not in command.stdout

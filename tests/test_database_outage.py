"""The database going away: a French 503 page, then the site recovers by itself.

Against a real server (gunicorn) and a real PostgreSQL cluster of the test's own, stopped and
started while the server keeps running.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg
import pytest
from django.conf import settings

from tests.throwaway_postgres import ThrowawayPostgres, free_port

# Starts servers of its own (gunicorn, PostgreSQL clusters, processes to kill): `-m 'not server'` skips them.
pytestmark = pytest.mark.server

SEARCH = "/services/?q=atelier"


@pytest.fixture(scope="module")
def database():
    cluster = ThrowawayPostgres()
    cluster.start()
    env = {**os.environ, "DATABASE_URL": cluster.url, "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.test"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    yield cluster
    cluster.remove()


@pytest.fixture(scope="module")
def server(database):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.test",
        "CONN_MAX_AGE": "60",  # as in production: a connection kept across requests must be noticed dead
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "inclusion_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/structures/x/", timeout=5)
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def fetch(url: str):
    """(status, headers, body) without raising on error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_outage_gives_a_french_503_then_the_site_recovers(database, server):
    assert fetch(server + SEARCH)[0] == 200
    assert fetch(server + "/structures/inconnue/")[0] == 404  # the database answers

    database.stop()
    try:
        for url in (SEARCH, "/structures/inconnue/", "/services/dora--x/", "/services/export.csv?q=x"):
            status, headers, body = fetch(server + url)
            assert status == 503, url
            assert headers["Retry-After"] == "30"
            assert "no-store" in headers["Cache-Control"]
            assert "Service momentanément indisponible" in body
            assert 'class="fr-header"' in body  # the DSFR shell
            assert "Traceback" not in body and "OperationalError" not in body
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    finally:
        database.start()

    # No restart of the web server: the next requests reconnect.
    assert fetch(server + SEARCH)[0] == 200
    assert fetch(server + "/structures/inconnue/")[0] == 404


def test_a_killed_connection_is_replaced_on_the_next_request(database, server):
    assert fetch(server + SEARCH)[0] == 200
    with psycopg.connect(database.url.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = 'postgres' AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()[0]
    assert killed >= 1  # the server's kept connection (CONN_MAX_AGE)
    assert fetch(server + SEARCH)[0] == 200

"""Rate limits per visitor address, answered by the French 429 page, with counters every worker shares."""

import json
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from core.checks import rate_limit_counters

pytestmark = pytest.mark.django_db

EXPORT_LIMIT = 300  # an hour: a social-work office of about 100 people behind one address


def statuses(client, url, count, **extra):
    return [client.get(url, **extra).status_code for _ in range(count)]


def test_autocomplete_allows_120_requests_a_minute(client):
    assert statuses(client, "/communes/autocomplete/?q=lil", 120) == [200] * 120
    blocked = client.get("/communes/autocomplete/?q=lill")
    assert blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    assert "public" not in blocked.get("Cache-Control", "")  # a proxy must not serve the 429 to others
    assert 0 < int(blocked["Retry-After"]) <= 60
    # Another address is not affected.
    assert client.get("/communes/autocomplete/?q=lil", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_export_allows_an_office_behind_one_address(client):
    assert statuses(client, "/services/export.csv", EXPORT_LIMIT) == [200] * EXPORT_LIMIT
    blocked = client.get("/services/export.csv?q=atelier")
    assert blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    # When the hour's window ends, in whole seconds: clients and proxies know when to come back.
    assert 0 < int(blocked["Retry-After"]) <= 3600
    assert client.get("/services/export.csv", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_search_page_is_not_rate_limited(client):
    assert set(statuses(client, "/services/?q=atelier", 40)) == {200}


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_the_proxy_each_visitor_has_its_own_counter(client):
    """As in production: REMOTE_ADDR is the proxy's; the visitor is the address the proxy appended."""
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.1"}
    assert statuses(client, "/services/export.csv", EXPORT_LIMIT, **first) == [200] * EXPORT_LIMIT
    assert client.get("/services/export.csv", **first).status_code == 429
    # A forged left-hand entry does not give a new counter…
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.1"}
    assert client.get("/services/export.csv", **forged).status_code == 429
    # …but another visitor behind the same proxy has one.
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert client.get("/services/export.csv", **second).status_code == 200


def test_cached_pages_do_not_evict_counters(client):
    """Cheap distinct URLs fill the page cache (and give other visitors counters): a limit still holds."""
    assert statuses(client, "/services/export.csv", EXPORT_LIMIT) == [200] * EXPORT_LIMIT
    for index in range(1010):
        visitor = f"198.51.{index // 250}.{index % 250 + 1}"
        assert client.get(f"/communes/autocomplete/?q=x{index}", REMOTE_ADDR=visitor).status_code == 200
    assert client.get("/services/export.csv").status_code == 429


# Each process exports as fast as it can and prints the statuses it got.
EXPORTS = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
print(json.dumps([client.get("/services/export.csv").status_code for _ in range(int(sys.argv[1]))]))
"""


def exports_from_two_processes(count: int) -> list[list[int]]:
    database = connection.settings_dict
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.test",
        # A socket directory (the embedded PostgreSQL of `make test`) goes percent-encoded in the host.
        "DATABASE_URL": f"postgres://{database['USER']}{password}@{quote(database['HOST'] or '127.0.0.1', safe='')}:"
        f"{database['PORT'] or 5432}/{database['NAME']}",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", EXPORTS, str(count)], cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    return [json.loads(output) for output in outputs]


def window_ended(sequence: list[int]) -> bool:
    """A 200 after a 429: the hour's window ended during the run (counters start again)."""
    return 429 in sequence and 200 in sequence[sequence.index(429) :]


@pytest.mark.django_db(transaction=True)
def test_counters_are_shared_between_processes_and_increment_atomically():
    """Two workers (processes) at once: one limit between them, no increment lost to a race."""
    count = EXPORT_LIMIT // 2 + 10
    runs = exports_from_two_processes(count)
    if any(window_ended(run) for run in runs):
        runs = exports_from_two_processes(count)  # the next window is an hour away
    answered = [status for run in runs for status in run]
    assert answered.count(200) == EXPORT_LIMIT
    assert answered.count(429) == 2 * count - EXPORT_LIMIT


def test_database_counters_start_count_and_expire():
    counters = caches["rate_limits"]
    assert counters.add("export", 0, 60) is True
    assert counters.add("export", 0, 60) is False  # a live counter is kept
    assert counters.incr("export") == 1
    assert counters.incr("export", 5) == 6
    assert counters.get("export") == 6
    with pytest.raises(ValueError):
        counters.incr("absent")
    counters.set("old", 41, 0)  # its window is over
    assert counters.get("old") is None
    with pytest.raises(ValueError):
        counters.incr("old")
    assert counters.add("old", 1, 60) is True  # an expired counter starts again
    assert counters.get("old") == 1
    assert counters.touch("old", None) is True
    assert counters.delete("export") is True
    assert counters.get("export", "gone") == "gone"


@pytest.mark.parametrize(
    ("caches_setting", "error"),
    [
        ({"rate_limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}, "core.E001"),
        ({"rate_limits": {"BACKEND": "django.core.cache.backends.db.DatabaseCache"}}, "core.E001"),
        ({"rate_limits": {"BACKEND": "core.rate_limits.DatabaseCounters"}}, None),
        ({"rate_limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}, None),
    ],
)
def test_the_counter_store_is_checked(caches_setting, error):
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, **caches_setting}
    ):
        assert [message.id for message in rate_limit_counters(None)] == ([error] if error else [])


def test_counters_apart_from_the_page_cache_are_checked():
    shared = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    with override_settings(CACHES=shared, RATELIMIT_USE_CACHE="default"):
        assert [message.id for message in rate_limit_counters(None)] == ["core.E002"]


def test_expired_counters_are_deleted_as_visitors_are_counted():
    counters = caches["rate_limits"]
    for index in range(5):
        counters.set(f"old-{index}", 1, 0)  # windows over
    counters.add("new", 0, 60)
    counters.add("new", 0, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM rate_limit_counters")
        assert cursor.fetchone()[0] == 2  # the live counter and one expired left

"""Per-visitor rate limits on the costly public URLs, and the counters every worker shares.

The limits are django-ratelimit's (windows, keys: `get_usage`), keyed by the visitor's address
(core.client_ip). A blocked request gets the French 429 page with `Retry-After`, the seconds until
the window ends.

The counters live in the cache alias `settings.RATELIMIT_USE_CACHE`, apart from the page cache: whole pages
must never evict a counter. Without Redis they are rows of a PostgreSQL table (`DatabaseCounters`): shared by
the workers of every machine, kept across restarts, and incremented in one atomic statement — Django's
DatabaseCache reads then writes, so two workers could both count 5 → 6.
"""

import math
from functools import wraps

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import DEFAULT_DB_ALIAS, connections
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

TABLE = "rate_limit_counters"  # created by core/migrations/0002_rate_limit_counters.py
# Expired counters deleted by each counting (core.rate_limits.DatabaseCounters.add).
CULL_PER_COUNTING = 2
# A timeout in seconds from now on the database's clock; None: never.
EXPIRES = "coalesce(statement_timestamp() + make_interval(secs => %s::float8), 'infinity')"


def rate_limited(request, *, retry_after: int):
    """Too many requests from one address: say so in French, with a 429 and when to come back (seconds)."""
    response = render(request, "errors/429.html", {"minutes": math.ceil(retry_after / 60)}, status=429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)  # this visitor's answer: no proxy may give it to others
    return response


def limit(rate: str, *, method=ALL):
    """At most `rate` ("30/h", "120/m") requests per visitor address to the view, else the 429 page."""

    def decorator(view):
        group = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            usage = get_usage(request, group=group, key="ip", rate=rate, method=method, increment=True)
            if usage is not None and usage["should_limit"]:
                return rate_limited(request, retry_after=max(usage["time_left"], 1))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class DatabaseCounters(BaseCache):
    """A cache backend for integer counters only, in a PostgreSQL table (LOCATION), one statement each.

    It always uses the primary database, without the router: counting a public request must neither read
    a replica's stale counter nor pin the rest of the request to the primary (inclusion_site.db_router).
    """

    def __init__(self, table, params):
        super().__init__(params)
        self.table = connections[DEFAULT_DB_ALIAS].ops.quote_name(table)

    def execute(self, sql: str, params) -> tuple | None:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql.format(table=self.table, expires=EXPIRES), params)
            return cursor.fetchone() if cursor.description else None

    def seconds(self, timeout) -> float | None:
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Start a counter unless a live one exists; an expired one is started again. Returns whether it did.

        The same statement deletes a few other expired counters (every counter expires with its window):
        the table holds about the live counters, without a cleaning job nor an extra query."""
        key = self.make_and_validate_key(key, version=version)
        added = self.execute(
            """
            WITH culled AS (
                DELETE FROM {table} WHERE cache_key IN (
                    SELECT cache_key FROM {table} WHERE expires <= statement_timestamp() AND cache_key <> %s
                    LIMIT %s FOR UPDATE SKIP LOCKED
                )
            )
            INSERT INTO {table} AS t (cache_key, count, expires) VALUES (%s, %s, {expires})
            ON CONFLICT (cache_key) DO UPDATE SET count = excluded.count, expires = excluded.expires
            WHERE t.expires <= statement_timestamp()
            RETURNING 1
            """,
            [key, CULL_PER_COUNTING, key, int(value), self.seconds(timeout)],
        )
        return added is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self.execute(
            "UPDATE {table} SET count = count + %s WHERE cache_key = %s AND expires > statement_timestamp() "
            "RETURNING count",
            [int(delta), key],
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return row[0]

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self.execute("SELECT count FROM {table} WHERE cache_key = %s AND expires > statement_timestamp()", [key])
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self.execute(
            "INSERT INTO {table} (cache_key, count, expires) VALUES (%s, %s, {expires}) "
            "ON CONFLICT (cache_key) DO UPDATE SET count = excluded.count, expires = excluded.expires",
            [key, int(value), self.seconds(timeout)],
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self.execute(
            "UPDATE {table} SET expires = {expires} WHERE cache_key = %s AND expires > statement_timestamp() "
            "RETURNING 1",
            [self.seconds(timeout), key],
        )
        return row is not None

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self.execute("DELETE FROM {table} WHERE cache_key = %s RETURNING 1", [key]) is not None

    def clear(self):
        self.execute("DELETE FROM {table}", [])

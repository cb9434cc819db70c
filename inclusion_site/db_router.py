"""Primary/replica routing: searches and pages read from a replica, everything else uses the primary.

Replicas are the databases named "replica_1", "replica_2"… (settings, from DATABASE_REPLICA_URLS). Only a
request that `ReplicaRoutingMiddleware` let through (GET or HEAD, outside the admin, without a session) reads
from a replica, and always the same one for the whole request: the data version that keys the cache and the
data it keys must come from one server, or a lagging replica could cache old results under a new version.
Everything else reads from the primary: management commands (imports), the admin, forms that post, and any
read after a write of the same request (`db_for_write` pins the request to the primary), so nobody misses
what they just wrote. Reads inside a transaction opened on the primary stay there too.
"""

import random
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_PREFIX = "replica_"
SAFE_METHODS = ("GET", "HEAD")
# The replica chosen for the current request, or None: read from the primary.
_replica: ContextVar[str | None] = ContextVar("replica", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def public_read_aliases() -> list[str]:
    """The databases public pages read from."""
    return replica_aliases() or [DEFAULT_DB_ALIAS]


def pin_to_primary() -> None:
    """From now on, this request (or this thread outside requests) reads from the primary."""
    _replica.set(None)


@contextmanager
def reading_from_replica():
    """Reads in the block go to one replica, chosen at random, until a write pins them to the primary."""
    aliases = replica_aliases()
    token = _replica.set(random.choice(aliases) if aliases else None)
    try:
        yield
    finally:
        _replica.reset(token)


def may_read_from_replica(request) -> bool:
    """Anonymous reads of the public site. A visitor with a session (a curator) reads from the primary: what they
    just saved, and their session itself, may not have reached a replica yet."""
    return (
        request.method in SAFE_METHODS
        and not request.path.startswith("/admin/")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Lets the read-only requests of the public site read from a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_read_from_replica(request):
            pin_to_primary()
            return self.get_response(request)
        with reading_from_replica():
            return self.get_response(request)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replica = _replica.get()
        if replica is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return replica

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every database holds the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas receive the primary's schema by replication.
        return db == DEFAULT_DB_ALIAS

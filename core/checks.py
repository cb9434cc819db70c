"""System checks of the project's own configuration (`manage.py check`, `check --deploy`).

The rate-limit counters: django-ratelimit is used as a library and not installed as an app, because its
check judges a store by its class name — it accepts memcached and django-redis only, and calls every other
store broken, Django's own RedisCache and our atomic PostgreSQL counters included. This check asks what that
one stands for: counters shared by every worker, incremented atomically, and apart from the page cache.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Stores whose counters every worker and machine sees, with an atomic increment.
SHARED_ATOMIC_COUNTERS = {
    "core.rate_limits.DatabaseCounters",  # one UPDATE … RETURNING
    "django.core.cache.backends.redis.RedisCache",  # INCRBY
}


@register(Tags.caches)
def rate_limit_counters(app_configs, **kwargs):
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND")
    if backend not in SHARED_ATOMIC_COUNTERS:
        return [
            Error(
                f"The rate-limit counters (cache {alias!r}: {backend}) are not shared by every worker with an "
                "atomic increment: each worker would allow the whole limit.",
                hint="RATELIMIT_USE_CACHE names a cache using " + " or ".join(sorted(SHARED_ATOMIC_COUNTERS)) + ".",
                id="core.E001",
            )
        ]
    if alias == "default":
        return [
            Error(
                "The rate-limit counters share the page cache: cached pages can evict them.",
                hint="Give RATELIMIT_USE_CACHE a cache alias of its own.",
                id="core.E002",
            )
        ]
    return []

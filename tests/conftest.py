import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clear_cache():
    """Caches (rate-limit counters, cached choices) live in memory: one test must not feed the next."""
    cache.clear()
    yield
    cache.clear()

"""Which engine answers a search: the in-memory columns (fast, the default) or SQL (the
reference; settings.SEARCH_ENGINE = "sql" or ``Service.objects.search(engine="sql")``).
Both give the same results, order and facet counts (tests/services/test_engines_agree.py).

While a worker copies the index into memory (at start, after a data change), SQL answers,
unless settings.SEARCH_MEMORY_WAIT asks to wait for the copy (tests)."""

import logging

from django.conf import settings
from django.db import DatabaseError

from services import columns
from services.facets import facet_counts as sql_facet_counts
from services.memory_search import MemoryQuery
from services.search import Query, reader

ENGINES = ("memory", "sql")
logger = logging.getLogger(__name__)


def engine_for(query: Query, name: str | None = None) -> Query | MemoryQuery:
    name = name or settings.SEARCH_ENGINE
    if name not in ENGINES:
        raise ValueError(f"Unknown search engine {name!r}: one of {ENGINES}")
    if name == "sql":
        return query
    connection = reader()
    loaded = columns.current(connection.alias, wait=settings.SEARCH_MEMORY_WAIT)
    return query if loaded is None else MemoryQuery(query, loaded, connection)


def facet_counts(engine: Query | MemoryQuery) -> dict[str, dict[str, int]]:
    return engine.facet_counts() if isinstance(engine, MemoryQuery) else sql_facet_counts(engine)


def warm_up() -> None:
    """Start copying the index into memory (a worker that just started: gunicorn.conf.py).
    Never fatal: with the database away, the worker starts anyway and answers the outage page."""
    try:
        columns.current(reader().alias, wait=False)
    except DatabaseError:
        logger.warning("Search index not loaded at start: the database is unreachable.", exc_info=True)

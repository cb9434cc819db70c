"""Searches and autocompletes run in one process through Django's test client, on the checkout of the working
directory: each request's time, its SQL time by kind of statement, and the rest (Python and templates).

Run as a script so that it measures any checkout the same way (bench.against): only the standard library and the
checkout's Django are imported, never the bench package.

    cd <checkout> && PYTHONPATH=. python -P <this file> <requests.json> <out.json>

requests.json: {"database_url": …, "searches": [paths], "autocompletes": [paths]}. Each request runs once to
warm up, then once measured; searches as the htmx fragment, computed (no page cache).
"""

import json
import os
import re
import sys
import time
from contextlib import contextmanager

KINDS = ("results", "count", "facets", "text", "page", "other")


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "inclusion_site.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["PAGE_CACHE"] = "off"
    import django

    django.setup()
    from django.conf import settings

    settings.SEARCH_COLUMNS_WAIT = True  # the engine on the data as it is
    settings.RATELIMIT_ENABLE = False


def query_kind(sql: str) -> str:
    """What a statement of the search view is for, from its text: the lexemes of the typed words ("text"), the
    page's services, the open hours…"""
    text = " ".join(sql.split())
    if text.startswith("SELECT plainto_tsquery"):
        return "text"
    if "unnest(" in text and "WITH ORDINALITY" in text:
        return "page"
    if "'categories'" in text or text.startswith("WITH base AS MATERIALIZED"):
        return "facets"
    if re.match(r"^SELECT COUNT\(\*\)", text, re.IGNORECASE) or re.search(
        r"SELECT count\(\*\) FROM \w+$", text, re.IGNORECASE
    ):
        return "count"
    if " LIMIT " in text and ("services_service" in text or "services_search" in text):
        return "results"
    return "other"


@contextmanager
def recorded_statements():
    """Every statement sent while in the block: (sql, params, ms)."""
    from django.db import connection

    statements = []

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, params, (time.perf_counter() - start) * 1000))

    with connection.execute_wrapper(wrapper):
        yield statements


def client(headers: dict):
    from django.test import Client

    # A failing view answers 500 here too, as over HTTP, rather than stopping the measure.
    return Client(SERVER_NAME="127.0.0.1", headers=headers, raise_request_exception=False)


def run_view(test_client, path: str) -> tuple[int, float, list]:
    test_client.get(path)  # warm, like the HTTP run
    with recorded_statements() as statements:
        start = time.perf_counter()
        response = test_client.get(path)
        view_ms = (time.perf_counter() - start) * 1000
    return response.status_code, view_ms, statements


def searches(paths: list[str]) -> list[dict]:
    test_client = client({"HX-Request": "true"})
    rows = []
    for path in paths:
        status, view_ms, statements = run_view(test_client, path)
        kinds: dict[str, float] = {}
        for sql, _, ms in statements:
            kinds[query_kind(sql)] = kinds.get(query_kind(sql), 0.0) + ms
        sql_ms = sum(kinds.values())
        rows.append(
            {
                "path": path,
                "status": status,
                "view_ms": round(view_ms, 3),
                "python_ms": round(view_ms - sql_ms, 3),
                "queries": len(statements),
                "sql_ms": {kind: round(ms, 3) for kind, ms in kinds.items()},
            }
        )
    return rows


def autocompletes(paths: list[str]) -> list[dict]:
    test_client = client({"X-Requested-With": "fetch"})
    rows = []
    for path in paths:
        status, view_ms, statements = run_view(test_client, path)
        rows.append({"path": path, "status": status, "view_ms": round(view_ms, 3), "queries": len(statements)})
    return rows


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def plans(path: str) -> dict:
    """The plans of the statements the fragment's time depends on (the longest statement of each kind)."""
    _, _, statements = run_view(client({"HX-Request": "true"}), path)
    longest: dict[str, tuple] = {}
    for sql, sql_params, ms in statements:
        kind = query_kind(sql)
        if kind != "other" and (kind not in longest or ms > longest[kind][2]):
            longest[kind] = (sql, sql_params, ms)
    return {
        kind: explain(sql, sql_params)
        for kind, (sql, sql_params, _) in longest.items()
        if kind in ("results", "count", "facets", "page") and sql.lstrip().upper().startswith(("SELECT", "WITH"))
    }


def main() -> None:
    with open(sys.argv[1]) as source:
        requests = json.load(source)
    setup_django(requests["database_url"])
    found = {"searches": searches(requests["searches"]), "autocompletes": autocompletes(requests["autocompletes"])}
    with open(sys.argv[2], "w") as out:
        json.dump(found, out)


if __name__ == "__main__":
    main()

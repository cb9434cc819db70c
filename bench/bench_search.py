"""Search benchmark: realistic searches and commune autocompletes over HTTP against gunicorn.

On the national-size demo set (bench.common), gunicorn serves the site with the production settings
(inclusion_site.settings.prod, static files collected into a temporary STATIC_ROOT for the manifest storage)
and 2 sync workers. One client sends, one after the other, 300 searches of bench.queries as htmx fragment
requests, then 300 autocompletes, and measures each answer's latency (request sent to body read).

Then, in this process, against the same database: where each request's database time goes (results, count,
facets, other queries), and the EXPLAIN (ANALYZE, BUFFERS) plans of the slowest searches.

Prints the figures and writes bench/results/search.json. Targets (issue "Search performance"): results
fragment p50 ≤ 25 ms and p95 ≤ 60 ms, commune autocomplete p95 ≤ 10 ms, every answer 200.

BENCH_SEARCH_DATABASE names another database than inclusion_bench (same server), to measure a frozen copy
while the import benchmark rewrites inclusion_bench: an import running meanwhile empties the tables and
shares the CPUs, which makes the figures meaningless.
"""

import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from bench.common import RESULTS, ROOT, bench_database_url, manage, prepare_national_dataset
from bench.queries import autocomplete_path, autocomplete_queries, load_places, search_path, search_queries

COUNT = 300
WARMUP = 40
WORKERS = 2
SEED = 2026
SLOWEST = 5
TARGETS_MS = {"search_p50": 25, "search_p95": 60, "autocomplete_p95": 10}
# The search form's htmx request (hx-get on #services-search-form, target #services-results).
FRAGMENT_HEADERS = {
    "HX-Request": "true",
    "HX-Target": "services-results",
    "HX-Trigger": "services-search-form",
    "Accept": "*/*",
}
# search.js fetches the suggestions with this header and reads the HTML listbox.
AUTOCOMPLETE_HEADERS = {"X-Requested-With": "fetch", "Accept": "*/*"}
SEARCHED_TABLES = ("communes_commune", "structures_structure", "services_service", "services_searchentry")
# Production settings, with the collected static files in a temporary directory.
SETTINGS_MODULE = "bench_search_settings"
# Without the rate limits: one client sends hundreds of autocompletes a minute (production limits each visitor).
SETTINGS = (
    "from inclusion_site.settings.prod import *  # noqa: F403\n\n"
    "STATIC_ROOT = {static_root!r}\n"
    "RATELIMIT_ENABLE = False\n"
)


def table_counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for name, table in (
                ("communes", "communes_commune"),
                ("structures", "structures_structure"),
                ("services", "services_service"),
            )
        }


def ensure_dataset(database_url: str) -> dict[str, int]:
    """The national-size demo set in the bench database: imported unless services are already there."""
    manage("migrate", "--noinput", "-v", "0", database_url=database_url)
    counts = table_counts(database_url)
    if not counts["services"]:
        folder = prepare_national_dataset(database_url)
        manage("import_datainclusion", str(folder), database_url=database_url)
        counts = table_counts(database_url)
    return counts


def vacuum(database_url: str) -> dict:
    """VACUUM (ANALYZE) the bench database: production runs autovacuum, this server may not (and right after an
    import it has not run yet). Unvacuumed, every GIN index keeps the import's rows in its pending list, scanned
    linearly by each search (autocomplete 8-17 ms instead of 0.1-0.7 ms); a table never analysed gets default
    estimates and bad plans. Which tables had no statistics before is reported: the import should see to them."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]
        never_analysed = [
            name
            for (name,) in conn.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL "
                "AND n_live_tup + n_dead_tup + n_tup_ins > 0 ORDER BY relname"
            )
        ]
        never_vacuumed = [
            name
            for (name,) in conn.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NULL AND last_autovacuum IS NULL "
                "AND relname = ANY(%s) ORDER BY relname",
                [list(SEARCHED_TABLES)],
            )
        ]
        start = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
    return {
        "server_autovacuum": autovacuum,
        "never_analysed_before": never_analysed,
        "never_vacuumed_before": never_vacuumed,
        "vacuum_seconds": round(time.perf_counter() - start, 1),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, *, workers: int = WORKERS, env_extra: dict[str, str] | None = None):
    """The site served by gunicorn on a free port of 127.0.0.1; yields (port, server description).

    gunicorn also reads the repository's gunicorn.conf.py (timeouts, max-requests); the access log is off unless
    env_extra sets GUNICORN_ACCESS_LOG."""
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        static_root = Path(tmp) / "static"
        (Path(tmp) / f"{SETTINGS_MODULE}.py").write_text(SETTINGS.format(static_root=str(static_root)))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": "",
            # The columns of the in-memory engine, written by the first worker, mapped by the others.
            "SEARCH_COLUMNS_DIR": str(Path(tmp) / "columns"),
            **(env_extra or {}),
        }
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
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
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        try:
            wait_until_up(port, server)
            columns_seconds = wait_for_columns(Path(tmp) / "columns", server)
            yield (
                port,
                {
                    "command": " ".join(command[1:]),
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


class Client:
    """One HTTP client, as a browser tab: one connection, reused while the server keeps it open.

    gunicorn's sync workers close the connection after each answer (no keep-alive), so http.client
    reconnects for the next request: the figures include a TCP connect on the loopback (~0.1 ms).
    """

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                # A connection the server closed while idle: retried once on a new one.
                self.connection.close()
                if attempt == 2:
                    raise
                continue
            elapsed_ms = (time.perf_counter() - start) * 1000
            return response.status, body, elapsed_ms
        raise AssertionError("unreachable")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(timings: list[float]) -> dict[str, float]:
    return {
        "count": len(timings),
        "p50_ms": round(percentile(timings, 0.50), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "p99_ms": round(percentile(timings, 0.99), 1),
        "max_ms": round(max(timings), 1),
        "mean_ms": round(sum(timings) / len(timings), 1),
    }


def run_requests(client: Client, paths: list[str], headers: dict[str, str], marker: bytes) -> list[dict]:
    results = []
    for path in paths:
        status, body, elapsed_ms = client.get(path, headers)
        results.append(
            {
                "path": path,
                "status": status,
                "ms": round(elapsed_ms, 2),
                "bytes": len(body),
                # A 200 must be the expected fragment, not an error page.
                "ok": status == 200 and marker in body,
            }
        )
    return results


def measure(port: int, searches: list[list[tuple[str, str]]], typed: list[str], warmup: tuple) -> dict:
    client = Client(port)
    warm_searches, warm_typed = warmup
    # Warm-up: both workers import the code, open their database connection, fill their template and
    # source caches; PostgreSQL reads the tables into its buffers. The full page is checked once too.
    page_status, _, _ = client.get(search_path(warm_searches[0]), {"Accept": "text/html"})
    run_requests(client, [search_path(params) for params in warm_searches], FRAGMENT_HEADERS, b"")
    run_requests(client, [autocomplete_path(text) for text in warm_typed], AUTOCOMPLETE_HEADERS, b"")
    search = run_requests(client, [search_path(params) for params in searches], FRAGMENT_HEADERS, b"services-results")
    autocomplete = run_requests(
        client, [autocomplete_path(text) for text in typed], AUTOCOMPLETE_HEADERS, b"communes-suggestions"
    )
    return {"full_page_status": page_status, "search": search, "autocomplete": autocomplete}


# In-process analysis, with Django on the bench database. The view runs as over HTTP (Django's test client)
# and every SQL statement it sends is recorded with its parameters and duration: the plans are those of the
# very statements the view runs, whatever the engine builds them with (ORM queryset or raw SQL).


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "inclusion_site.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["PAGE_CACHE"] = "off"
    import django

    django.setup()
    from django.conf import settings

    settings.SEARCH_COLUMNS_WAIT = True  # analyse the engine on the data as it is


KINDS = ("results", "count", "facets", "text", "page", "other")


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


def run_view(client, path: str) -> tuple[int, float, list]:
    client.get(path)  # warm, like the HTTP run
    with recorded_statements() as statements:
        start = time.perf_counter()
        response = client.get(path)
        view_ms = (time.perf_counter() - start) * 1000
    return response.status_code, view_ms, statements


def django_client():
    from django.test import Client as DjangoClient

    # A failing view answers 500 here too, as over HTTP, rather than stopping the analysis.
    return DjangoClient(SERVER_NAME="127.0.0.1", headers={"HX-Request": "true"}, raise_request_exception=False)


def database_breakdown(searches: list[list[tuple[str, str]]]) -> dict:
    """Each search's view run in this process: its SQL statements by kind, their time, the view's time."""
    client = django_client()
    rows = []
    for params in searches:
        path = search_path(params)
        status, view_ms, statements = run_view(client, path)
        kinds: dict[str, float] = {}
        for sql, _, ms in statements:
            kind = query_kind(sql)
            kinds[kind] = kinds.get(kind, 0.0) + ms
        rows.append(
            {
                "path": path,
                "status": status,
                "view_ms": round(view_ms, 2),
                "queries": len(statements),
                "sql_ms": {kind: round(ms, 2) for kind, ms in kinds.items()},
            }
        )
    per_kind = {kind: [row["sql_ms"].get(kind, 0.0) for row in rows] for kind in KINDS}
    database = [sum(row["sql_ms"].values()) for row in rows]
    python = [row["view_ms"] - total for row, total in zip(rows, database, strict=True)]
    return {
        "summary": {
            "view": summary([row["view_ms"] for row in rows]),
            "sql_total": summary(database),
            "python_and_templates": summary(python),
            **{f"sql_{kind}": summary(values) for kind, values in per_kind.items()},
            "queries_per_request": sorted({row["queries"] for row in rows}),
        },
        "requests": rows,
    }


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def execution_ms(plan: str) -> float | None:
    for line in plan.splitlines():
        if line.startswith("Execution Time:"):
            return float(line.split()[2])
    return None


def plans(params: list[tuple[str, str]]) -> dict:
    """The plans of the statements the fragment's time depends on: the main result query, the count, the facets
    (the longest statement of each kind the view sent for these parameters)."""
    _, _, statements = run_view(django_client(), search_path(params))
    longest: dict[str, tuple] = {}
    for sql, sql_params, ms in statements:
        kind = query_kind(sql)
        if kind != "other" and (kind not in longest or ms > longest[kind][2]):
            longest[kind] = (sql, sql_params, ms)
    found = {}
    for kind in ("results", "count", "facets", "page"):
        if kind in longest:
            sql, sql_params, _ = longest[kind]
            # Only reads are run again.
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                found[kind] = explain(sql, sql_params)
    return found


def sanity_check(places) -> dict:
    """The biggest city's default search must find services: an empty search index would look very fast."""
    from django.http import QueryDict

    from services.filters import ServiceSearchFilterSet
    from services.models import Service

    place = max(places, key=lambda place: place.population)
    params = [("code_commune", place.code_insee)]
    filterset = ServiceSearchFilterSet(QueryDict(urlencode(params)), queryset=Service.objects.all())
    count = filterset.qs.count() if filterset.is_valid() else 0
    return {"path": search_path(params), "results": count}


def main() -> None:
    database_url = bench_database_url(os.environ.get("BENCH_SEARCH_DATABASE", "inclusion_bench"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    counts = ensure_dataset(database_url)
    places = load_places(database_url)
    setup_django(database_url)
    sanity = sanity_check(places)
    if not sanity["results"]:
        # Services imported before the search index existed: an import (unchanged data) fills it.
        manage("import_datainclusion", str(prepare_national_dataset(database_url)), database_url=database_url)
        sanity = sanity_check(places)
    from django.db import connection

    connection.close()
    maintenance = vacuum(database_url)
    searches = search_queries(places, COUNT, seed=SEED)
    typed = autocomplete_queries(places, COUNT, seed=SEED)
    warmup = (search_queries(places, WARMUP, seed=SEED + 100), autocomplete_queries(places, WARMUP, seed=SEED + 100))
    # Computed answers: the page cache (core.page_cache) would serve the searches this mix repeats.
    engine = {"PAGE_CACHE": "off"}
    with gunicorn(database_url, env_extra=engine) as (port, server):
        measured = measure(port, searches, typed, warmup)

    search, autocomplete = measured["search"], measured["autocomplete"]
    figures = {
        "search_fragment": summary([row["ms"] for row in search]),
        "autocomplete": summary([row["ms"] for row in autocomplete]),
    }
    failures = [row for row in search + autocomplete if not row["ok"]]
    if measured["full_page_status"] != 200:
        failures.append({"path": "full page", "status": measured["full_page_status"]})

    if not sanity["results"]:
        failures.append({"path": sanity["path"], "status": "no results (is the search index filled?)"})
    breakdown = database_breakdown(searches)
    # The same requests in this process: a failure here and not over HTTP means the code changed meanwhile.
    failures += [
        {"path": row["path"], "status": f"{row['status']} (in process)"}
        for row in breakdown["requests"]
        if row["status"] != 200
    ]
    slowest = sorted(
        ((row, params) for row, params in zip(search, searches, strict=True)), key=lambda item: -item[0]["ms"]
    )[:SLOWEST]
    slowest_details = []
    for row, params in slowest:
        try:
            found = plans(params)
        except Exception as error:  # the bench reports what fails and goes on
            found = {"error": repr(error)}
        slowest_details.append(
            {
                "path": row["path"],
                "ms": row["ms"],
                "execution_ms": {name: execution_ms(plan) for name, plan in found.items() if name != "error"},
                "plans": found,
            }
        )

    ok = (
        not failures
        and figures["search_fragment"]["p50_ms"] <= TARGETS_MS["search_p50"]
        and figures["search_fragment"]["p95_ms"] <= TARGETS_MS["search_p95"]
        and figures["autocomplete"]["p95_ms"] <= TARGETS_MS["autocomplete_p95"]
    )
    result = {
        "dataset": counts,
        "maintenance": maintenance,
        "server": server,
        "client": "one sequential http.client connection, latency from request sent to body read",
        "seed": SEED,
        "targets_ms": TARGETS_MS,
        "within_targets": ok,
        "figures": figures,
        "failures": failures,
        "sanity_check": sanity,
        "in_process": breakdown["summary"],
        "slowest": slowest_details,
        "search": [
            {**row, **{key: value for key, value in detail.items() if key != "path"}}
            for row, detail in zip(search, breakdown["requests"], strict=True)
        ],
        "autocomplete": autocomplete,
    }
    (RESULTS / "search.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    report(result)


def report(result: dict) -> None:
    counts = result["dataset"]
    server = result["server"]
    print(
        f"dataset: {counts['services']} services, {counts['structures']} structures, {counts['communes']} communes; "
        f"gunicorn {server['workers']} {server['worker_class']} workers, {server['settings']}, "
        f"page cache {server['page_cache']}; index copied into memory before the workers started, in "
        f"{server['columns_copy_seconds']} s"
    )
    maintenance = result["maintenance"]
    never_analysed = ", ".join(maintenance["never_analysed_before"]) or "none"
    never_vacuumed = ", ".join(maintenance["never_vacuumed_before"]) or "none"
    print(
        f"database vacuumed and analysed first ({maintenance['vacuum_seconds']} s; server autovacuum: "
        f"{maintenance['server_autovacuum']}; tables never analysed before: {never_analysed}; "
        f"search tables never vacuumed before: {never_vacuumed})"
    )
    for name, label in (("search_fragment", "search fragment"), ("autocomplete", "autocomplete")):
        figures = result["figures"][name]
        print(
            f"{label}: {figures['count']} requests, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
        )
    print(f"errors (non-200 or unexpected body): {len(result['failures'])}")
    for failure in result["failures"][:10]:
        print(f"  {failure['status']} {failure['path']}")
    in_process = result["in_process"]
    print("in process, per search (ms):")
    names = ("view", "sql_total", *(f"sql_{kind}" for kind in KINDS), "python_and_templates")
    for name in names:
        figures = in_process[name]
        print(f"  {name:22} p50 {figures['p50_ms']:7.1f}  p95 {figures['p95_ms']:7.1f}  max {figures['max_ms']:7.1f}")
    print(f"slowest {len(result['slowest'])} searches:")
    for detail in result["slowest"]:
        times = ", ".join(f"{name} {ms} ms" for name, ms in detail["execution_ms"].items())
        error = f"\n    ERROR: {detail['plans']['error']}" if "error" in detail["plans"] else ""
        print(f"  {detail['ms']} ms  {detail['path']}\n    SQL execution: {times}{error}")
    for index, detail in enumerate(result["slowest"]):
        names = ("results", "count", "facets", "page") if index == 0 else ("results", "page")
        for name in names:
            if name in detail["plans"]:
                print(f"\n--- {name} query of {detail['path']}\n{detail['plans'][name]}")
    print(f"\nwritten to {RESULTS / 'search.json'}")
    print("within targets" if result["within_targets"] else "OUTSIDE TARGETS", file=sys.stderr)


if __name__ == "__main__":
    main()

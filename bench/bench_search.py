"""Search benchmark: realistic searches and commune autocompletes over HTTP against gunicorn, and in process.

On the national-size demo set (bench.common), gunicorn serves the site with the production settings and 2 sync
workers (bench.server), computed answers (no page cache). One client sends, one after the other, 300 searches of
bench.queries as htmx fragment requests, 100 full result pages, then 300 autocompletes, as a browser does
(Accept-Encoding: gzip), and measures each answer's latency (request sent to body read) and weight (as sent, and
uncompressed). Then each search and autocomplete runs in process (bench.in_process): Python and templates apart
from SQL, three times in rounds that alternate with the other checkout's (the median of each request). A machine
reference (bench.machine) is measured before and after, and printed beside the figures.

BENCH_AGAINST=<git ref> measures another checkout in the same run (bench.against: same virtualenv, same
database, its own gunicorn on another port): each request goes to both servers in turn, and the figures are
printed side by side. BENCH_SEARCH_DATABASE names another database than inclusion_bench (same server), for
example to keep away from an import benchmark rewriting inclusion_bench.

Prints the figures and writes bench/results/search.json. Targets: fragment p50 ≤ 15 ms and p95 ≤ 30 ms,
autocomplete p95 ≤ 5 ms in process; against another checkout, Python and templates per search p50 ≤ 1/4 of its,
fragment p50 and p95 ≤ 2/5 of its.
"""

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg

from bench import in_process, machine
from bench.against import checkout
from bench.common import RESULTS, ROOT, bench_database_url, manage, prepare_national_dataset
from bench.measures import Client, summary
from bench.queries import autocomplete_path, autocomplete_queries, load_places, search_path, search_queries
from bench.server import gunicorn

COUNT = 300
PAGES = 100
WARMUP = 40
SEED = 2026
SLOWEST = 3
# In process, each checkout measures every request this many times, in rounds that alternate with the other's.
IN_PROCESS_ROUNDS = 3
TARGETS_MS = {"fragment_p50": 15, "fragment_p95": 30, "autocomplete_in_process_p95": 5}
RATIOS = {"python_p50": 1 / 4, "fragment_p50": 2 / 5, "fragment_p95": 2 / 5}
GZIP = {"Accept-Encoding": "gzip"}
# The search form's htmx request (hx-get on #services-search-form, target #services-results).
FRAGMENT_HEADERS = {
    "HX-Request": "true",
    "HX-Target": "services-results",
    "HX-Trigger": "services-search-form",
    "Accept": "*/*",
    **GZIP,
}
PAGE_HEADERS = {"Accept": "text/html", **GZIP}
# search.js fetches the suggestions with this header and reads the HTML listbox.
AUTOCOMPLETE_HEADERS = {"X-Requested-With": "fetch", "Accept": "*/*", **GZIP}


def table_counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for name, table in (
                ("communes", "communes_commune"),
                ("structures", "structures_structure"),
                ("services", "services_service"),
                ("search_index", "services_searchentry"),
            )
        }


def ensure_dataset(database_url: str) -> dict[str, int]:
    """The national-size demo set in the bench database, imported unless services are there; its search index
    filled (an import of unchanged data fills it when services were imported before it existed)."""
    manage("migrate", "--noinput", "-v", "0", database_url=database_url)
    counts = table_counts(database_url)
    if not counts["services"] or not counts["search_index"]:
        folder = prepare_national_dataset(database_url)
        manage("import_datainclusion", str(folder), database_url=database_url)
        counts = table_counts(database_url)
    return counts


def vacuum(database_url: str) -> float:
    """VACUUM (ANALYZE) the bench database: production runs autovacuum, this server may not (and right after an
    import it has not run yet): unvacuumed GIN indexes and tables without statistics make slow plans."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        start = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
    return round(time.perf_counter() - start, 1)


def answer(client: Client, path: str, headers: dict, marker: bytes) -> dict:
    status, body, ms, encoding = client.get(path, headers)
    raw = gzip.decompress(body) if encoding == "gzip" else body
    return {"path": path, "status": status, "ms": round(ms, 2), "sent_bytes": len(body), "bytes": len(raw),
            "ok": status == 200 and marker in raw}  # fmt: skip


def measure(servers: dict[str, int], searches, pages, typed, warmup) -> dict:
    """Every request to each server in turn (the order alternates), so that both see the same machine."""
    clients = {name: Client(port) for name, port in servers.items()}
    kinds = (
        ("fragment", [search_path(params) for params in searches], FRAGMENT_HEADERS, b"services-results"),
        ("page", [search_path(params) for params in pages], PAGE_HEADERS, b"services-search-form"),
        ("autocomplete", [autocomplete_path(text) for text in typed], AUTOCOMPLETE_HEADERS, b"communes-suggestions"),
    )
    warm_searches, warm_typed = warmup
    for client in clients.values():
        for path in [search_path(params) for params in warm_searches]:
            client.get(path, FRAGMENT_HEADERS)
        for path in [autocomplete_path(text) for text in warm_typed]:
            client.get(path, AUTOCOMPLETE_HEADERS)
    found = {name: {kind: [] for kind, *_ in kinds} for name in servers}
    for kind, paths, headers, marker in kinds:
        for index, path in enumerate(paths):
            order = list(clients) if index % 2 == 0 else list(reversed(clients))
            for name in order:
                found[name][kind].append(answer(clients[name], path, headers, marker))
    return found


def run_in_process(root: Path, database_url: str, searches, typed) -> dict:
    """bench.in_process on the checkout ``root``, in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="bench-in-process-") as tmp:
        requests, out = Path(tmp) / "requests.json", Path(tmp) / "out.json"
        paths = {"searches": [search_path(params) for params in searches]}
        paths["autocompletes"] = [autocomplete_path(text) for text in typed]
        requests.write_text(json.dumps({"database_url": database_url, **paths}))
        script = ROOT / "bench" / "in_process.py"
        env = {**os.environ, "PYTHONPATH": str(root)}
        subprocess.run([sys.executable, "-P", str(script), str(requests), str(out)], cwd=root, env=env, check=True)
        return json.loads(out.read_text())


def in_process_side_by_side(roots: dict[str, Path], database_url: str, searches, typed) -> dict:
    """bench.in_process on each checkout, IN_PROCESS_ROUNDS times, in an order that alternates (old, new, then new,
    old…), so that a machine slowing down or speeding up during the run weighs on both alike; per request, the
    round of median time."""
    runs = {name: [] for name in roots}
    for index in range(IN_PROCESS_ROUNDS):
        for name in list(roots)[:: 1 if index % 2 == 0 else -1]:
            runs[name].append(run_in_process(roots[name], database_url, searches, typed))
    return {
        name: {
            kind: [
                sorted(rows, key=lambda row: row["view_ms"])[len(rows) // 2]
                for rows in zip(*(run[kind] for run in found), strict=True)
            ]
            for kind in ("searches", "autocompletes")
        }
        for name, found in runs.items()
    }


def figures_of(http: dict, local: dict) -> dict:
    def median_of(rows, key):
        return sorted(row[key] for row in rows)[len(rows) // 2]

    searches = local["searches"]
    return {
        "fragment": summary([row["ms"] for row in http["fragment"]]),
        "page": summary([row["ms"] for row in http["page"]]),
        "autocomplete": summary([row["ms"] for row in http["autocomplete"]]),
        "python_and_templates": summary([row["python_ms"] for row in searches]),
        "sql": summary([sum(row["sql_ms"].values()) for row in searches]),
        "view": summary([row["view_ms"] for row in searches]),
        "autocomplete_in_process": summary([row["view_ms"] for row in local["autocompletes"]]),
        "weights": {
            kind: {"bytes_p50": median_of(http[kind], "bytes"), "sent_bytes_p50": median_of(http[kind], "sent_bytes")}
            for kind in ("fragment", "page", "autocomplete")
        },
        "queries_per_search": sorted({row["queries"] for row in searches}),
        "failures": [
            {"path": row["path"], "status": row["status"]}
            for kind in ("fragment", "page", "autocomplete")
            for row in http[kind]
            if not row["ok"]
        ]
        + [
            {"path": row["path"], "status": f"{row['status']} (in process)"}
            for row in searches
            if row["status"] != 200
        ],
    }


def verdict(figures: dict) -> dict:
    new = figures["new"]
    checks = {
        "no_failures": not any(side["failures"] for side in figures.values()),
        "fragment_p50": new["fragment"]["p50_ms"] <= TARGETS_MS["fragment_p50"],
        "fragment_p95": new["fragment"]["p95_ms"] <= TARGETS_MS["fragment_p95"],
        "autocomplete_p95": new["autocomplete_in_process"]["p95_ms"] <= TARGETS_MS["autocomplete_in_process_p95"],
    }
    if "old" in figures:
        old = figures["old"]
        checks["python_p50_ratio"] = (
            new["python_and_templates"]["p50_ms"] <= RATIOS["python_p50"] * old["python_and_templates"]["p50_ms"]
        )
        for key in ("p50", "p95"):
            ratio = RATIOS[f"fragment_{key}"]
            checks[f"fragment_{key}_ratio"] = new["fragment"][f"{key}_ms"] <= ratio * old["fragment"][f"{key}_ms"]
    return checks


def slowest_plans(database_url: str, http: dict) -> list[dict]:
    """The plans of the slowest fragments' statements, on this checkout."""
    in_process.setup_django(database_url)
    rows = sorted(http["fragment"], key=lambda row: -row["ms"])[:SLOWEST]
    found = []
    for row in rows:
        try:
            found.append({"path": row["path"], "ms": row["ms"], "plans": in_process.plans(row["path"])})
        except Exception as error:  # the bench reports what fails and goes on
            found.append({"path": row["path"], "ms": row["ms"], "plans": {"error": repr(error)}})
    return found


def main() -> None:
    database_url = bench_database_url(os.environ.get("BENCH_SEARCH_DATABASE", "inclusion_bench"))
    against = os.environ.get("BENCH_AGAINST")
    RESULTS.mkdir(parents=True, exist_ok=True)
    counts = ensure_dataset(database_url)
    places = load_places(database_url)
    vacuum_seconds = vacuum(database_url)
    searches = search_queries(places, COUNT, seed=SEED)
    typed = autocomplete_queries(places, COUNT, seed=SEED)
    warmup = (search_queries(places, WARMUP, seed=SEED + 100), autocomplete_queries(places, WARMUP, seed=SEED + 100))
    engine = {"PAGE_CACHE": "off"}  # computed answers: the page cache would serve the searches this mix repeats
    with ExitStack() as stack:
        roots = {"new": ROOT}
        if against:
            roots["old"], commit = stack.enter_context(checkout(against))
        servers, described = {}, {}
        for name, root in roots.items():
            servers[name], described[name] = stack.enter_context(gunicorn(database_url, env_extra=engine, root=root))
        machine_before = machine.reference(database_url)
        http = measure(servers, searches, searches[:PAGES], typed, warmup)
        local = in_process_side_by_side(roots, database_url, searches, typed)
        machine_after = machine.reference(database_url)
    figures = {name: figures_of(http[name], local[name]) for name in roots}
    result = {
        "dataset": counts,
        "vacuum_seconds": vacuum_seconds,
        "servers": described,
        "against": {"ref": against, "commit": commit} if against else None,
        "machine": {"before": machine_before, "after": machine_after},
        "client": "one sequential http.client connection, Accept-Encoding: gzip; from request sent to body read",
        "seed": SEED,
        "targets_ms": TARGETS_MS,
        "ratios": RATIOS,
        "figures": figures,
        "verdict": verdict(figures),
        "slowest": slowest_plans(database_url, http["new"]),
        "requests": {name: {"http": http[name], "in_process": local[name]} for name in roots},
    }
    (RESULTS / "search.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    report(result)


def report(result: dict) -> None:
    counts, figures = result["dataset"], result["figures"]
    server = result["servers"]["new"]
    print(
        f"dataset: {counts['services']} services, {counts['structures']} structures, {counts['communes']} communes; "
        f"gunicorn {server['workers']} {server['worker_class']} workers, {server['settings']}, page cache "
        f"{server['page_cache']}; database vacuumed and analysed first ({result['vacuum_seconds']} s)"
    )
    before, after = result["machine"]["before"], result["machine"]["after"]
    print(f"machine reference before {machine.text(before)}, after {machine.text(after)}")
    if result["against"]:
        print(f"old = {result['against']['ref']} ({result['against']['commit'][:10]}), new = this checkout")
    names = [name for name in ("old", "new") if name in figures]
    print(
        f"{'ms (weights in KB)':40}"
        + "".join(f"{name:>10}" for name in names)
        + ("  new/old" if len(names) > 1 else "")
    )
    lines = [
        ("Python and templates per search p50", "python_and_templates", "p50_ms"),
        ("Python and templates per search p95", "python_and_templates", "p95_ms"),
        ("SQL per search p50", "sql", "p50_ms"),
        ("fragment over HTTP p50", "fragment", "p50_ms"),
        ("fragment over HTTP p95", "fragment", "p95_ms"),
        ("full page over HTTP p50", "page", "p50_ms"),
        ("full page over HTTP p95", "page", "p95_ms"),
        ("autocomplete over HTTP p95", "autocomplete", "p95_ms"),
        ("autocomplete in process p50", "autocomplete_in_process", "p50_ms"),
        ("autocomplete in process p95", "autocomplete_in_process", "p95_ms"),
    ]
    for kind in ("fragment", "page"):
        lines.append((f"{kind} weight, uncompressed (KB)", ("weights", kind), "bytes_p50"))
        lines.append((f"{kind} weight, gzip as sent (KB)", ("weights", kind), "sent_bytes_p50"))
    for label, key, field in lines:
        values = []
        for name in names:
            data = figures[name][key[0]][key[1]] if isinstance(key, tuple) else figures[name][key]
            value = data[field] / 1024 if "bytes" in field else data[field]
            values.append(value)
        ratio = f"  {values[1] / values[0]:7.2f}" if len(names) > 1 and values[0] else ""
        print(f"{label:40}" + "".join(f"{value:10.1f}" for value in values) + ratio + f"  {machine.text(after)}")
    for name in names:
        failures = figures[name]["failures"]
        print(f"{name}: errors (non-200 or unexpected body): {len(failures)}")
        for failure in failures[:10]:
            print(f"  {failure['status']} {failure['path']}")
    print(f"slowest {len(result['slowest'])} fragments of the new checkout:")
    for detail in result["slowest"]:
        print(f"  {detail['ms']} ms  {detail['path']}")
        for kind, plan in detail["plans"].items():
            print(f"    {kind}: {plan.splitlines()[-1] if kind != 'error' else plan}")
    verdict_ = result["verdict"]
    print("checks: " + ", ".join(f"{name} {'ok' if ok else 'NO'}" for name, ok in verdict_.items()))
    print(f"\nwritten to {RESULTS / 'search.json'}")
    print("within targets" if all(verdict_.values()) else "OUTSIDE TARGETS", file=sys.stderr)


if __name__ == "__main__":
    main()

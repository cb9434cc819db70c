"""Where a search's time goes, in process: per template and per Python step, for the full page and the fragment.

On the bench database (bench.common, BENCH_SEARCH_DATABASE), the benchmark's searches (bench.queries) run through
Django's test client, computed (no page cache), each once to warm up and once measured:

- without a profiler: the view's time, its SQL time (every statement recorded), the rest (Python and templates);
- under cProfile: the cumulative time of the search's steps (validation, engine, facets, cards…) and, timed
  around django.template.base.Template._render, the time spent in each template (inclusive of the templates it
  includes). The profiler slows Python down about twice: read those columns as shares, not as latencies.

    python -m bench.profile_search [--count 100] [--out bench/results/profile.json]
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager

from bench.common import RESULTS, bench_database_url
from bench.in_process import setup_django
from bench.queries import load_places, search_path, search_queries

SEED = 2026
# The steps of a search, by the functions that make them (module path fragment, function name).
STEPS = (
    ("form validation", "services/filters.py", "params"),
    ("form validation", "django_filters/filterset.py", "is_valid"),
    ("engine: results", "services/engine.py", "matches"),
    ("engine: order of the page", "services/engine.py", "first"),
    ("engine: facet counts", "services/engine.py", "facet_counts"),
    ("page rows (SQL + rows)", "services/results.py", "page"),
    ("cards", "services/presenters.py", "__init__"),
    ("criteria and chips", "services/criteria.py", "__init__"),
    ("options of the form", "services/options.py", "option_groups"),
    ("counts as data", "services/options.py", "facet_counts_data"),
    ("page context", "services/pages.py", "context"),
    ("templates (all)", "django/template/backends/django.py", "render"),
    ("templates (all)", "django/template/backends/jinja2.py", "render"),
)


@contextmanager
def template_timer(totals: dict[str, float]):
    """Adds to totals[name] the time spent rendering each template (including what it includes), Django's and
    Jinja2's (the results and their cards: a Jinja2 template's name is prefixed "jinja2:")."""
    from django.template.backends import jinja2
    from django.template.base import Template

    original, original_jinja2 = Template._render, jinja2.Template.render

    def timed(self, context):
        start = time.perf_counter()
        try:
            return original(self, context)
        finally:
            totals[self.name or "(string)"] += (time.perf_counter() - start) * 1000

    def timed_jinja2(self, context=None, request=None):
        start = time.perf_counter()
        try:
            return original_jinja2(self, context, request)
        finally:
            totals[f"jinja2:{self.template.name}"] += (time.perf_counter() - start) * 1000

    Template._render, jinja2.Template.render = timed, timed_jinja2
    try:
        yield
    finally:
        Template._render, jinja2.Template.render = original, original_jinja2


@contextmanager
def sql_timer(spent: list[float]):
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    with connection.execute_wrapper(wrapper):
        yield


def step_times(profile: cProfile.Profile, runs: int) -> dict[str, float]:
    """Cumulative ms per search of each step (a step's functions added up)."""
    stats = pstats.Stats(profile).stats
    found: dict[str, float] = defaultdict(float)
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        for label, fragment, function in STEPS:
            if name == function and path.endswith(fragment):
                found[label] += cumulative * 1000 / runs
    return dict(found)


def profile_kind(client, paths: list[str], headers: dict) -> dict:
    views, sqls = [], []
    for path in paths:
        client.get(path, headers=headers)  # warm
    for path in paths:
        spent: list[float] = []
        with sql_timer(spent):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            views.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        sqls.append(sum(spent))
    templates: dict[str, float] = defaultdict(float)
    profile = cProfile.Profile()
    with template_timer(templates):
        for path in paths:
            profile.enable()
            client.get(path, headers=headers)
            profile.disable()
    python = [view - sql for view, sql in zip(views, sqls, strict=True)]
    return {
        "view_p50_ms": round(statistics.median(views), 2),
        "sql_p50_ms": round(statistics.median(sqls), 2),
        "python_and_templates_p50_ms": round(statistics.median(python), 2),
        "profiled_steps_ms": {name: round(ms, 2) for name, ms in step_times(profile, len(paths)).items()},
        "profiled_templates_ms": {
            name: round(ms / len(paths), 2) for name, ms in sorted(templates.items(), key=lambda item: -item[1])
        },
        "top_functions": top_functions(profile, len(paths)),
    }


def top_functions(profile: cProfile.Profile, runs: int, count: int = 25) -> list[tuple[str, float]]:
    """The functions with the most time of their own, ms per search."""
    stats = pstats.Stats(profile).stats
    ordered = sorted(stats.items(), key=lambda item: -item[1][2])[:count]
    return [
        (f"{path.split('site-packages/')[-1]}:{line} {name}", round(own * 1000 / runs, 3))
        for (path, line, name), (_, _, own, _, _) in ordered
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--out", default=str(RESULTS / "profile.json"))
    args = parser.parse_args()
    database_url = bench_database_url(os.environ.get("BENCH_SEARCH_DATABASE", "inclusion_bench"))
    places = load_places(database_url)
    setup_django(database_url)
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    paths = [search_path(params) for params in search_queries(places, args.count, seed=SEED)]
    result = {
        "page": profile_kind(client, paths, {}),
        "fragment": profile_kind(client, paths, {"HX-Request": "true"}),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2, ensure_ascii=False)
    report(result)


def report(result: dict) -> None:
    for kind, figures in result.items():
        print(
            f"{kind}: view p50 {figures['view_p50_ms']} ms, SQL p50 {figures['sql_p50_ms']} ms, "
            f"Python and templates p50 {figures['python_and_templates_p50_ms']} ms"
        )
        print("  steps under the profiler (ms per search, cumulative):")
        for name, ms in figures["profiled_steps_ms"].items():
            print(f"    {name:28} {ms:7.2f}")
        print("  templates under the profiler (ms per search, inclusive):")
        for name, ms in list(figures["profiled_templates_ms"].items())[:15]:
            print(f"    {name:50} {ms:7.2f}")
        print("  most time of their own (ms per search):")
        for name, ms in figures["top_functions"][:15]:
            print(f"    {ms:7.3f}  {name}")


if __name__ == "__main__":
    main()

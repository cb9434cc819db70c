"""Territories on the national-size demo set: the per-version computation (nearest on-site service for every place
and need), its sharing between workers, and the pages uncached (PAGE_CACHE=off).

    python -m bench.bench_territories [--database inclusion_bench]

The database gets the communes and the national demo set when it has no services yet. Results are printed and
written to bench/results/territories.json.
"""

import argparse
import json
import os
import resource
import statistics
import tempfile
import time

from bench.common import RESULTS, bench_database_url, manage, prepare_national_dataset


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_get(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url, HTTP_HOST="localhost")
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run(database_url: str) -> dict:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="inclusion_site.settings.dev",
        PAGE_CACHE="off",
        SEARCH_COLUMNS_DIR=tempfile.mkdtemp(prefix="bench-territories-"),
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from communes.departements import DEPARTEMENTS
    from services import columns_store
    from territories import atlas

    results = {}
    start = time.perf_counter()
    columns = columns_store.current("default")
    results["columns_copy_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    places = atlas.read_places(connection)
    arrays, _ = atlas.compute(columns, places)
    results["distances_s"] = round(time.perf_counter() - start, 2)
    results["places"], results["on_site_services"] = len(places), int(columns.offered_on_site.sum())
    start = time.perf_counter()
    atlas.current("default")  # the first worker: distances and reference offers, written to files
    results["per_version_computation_s"] = round(time.perf_counter() - start, 2)
    atlas._loaded.clear()
    start = time.perf_counter()
    atlas.current("default")  # another worker of the machine: maps the files
    results["other_workers_ms"] = round((time.perf_counter() - start) * 1000, 1)
    results["atlas_mb"] = round(sum(array.nbytes for array in arrays.values()) / 1e6, 1)

    client = Client()
    departements = [timed_get(client, f"/territoires/departement-{code}/") for code in DEPARTEMENTS]
    results["departement_page_ms"] = {
        "pages": len(departements),
        "p50": round(statistics.median(departements), 1),
        "p95": round(percentile(departements, 0.95), 1),
        "max": round(max(departements), 1),
    }
    france = [timed_get(client, "/territoires/france/") for _ in range(5)]
    results["france_page_ms"] = {"p50": round(statistics.median(france), 1), "max": round(max(france), 1)}
    regions = [timed_get(client, f"/territoires/region-{code}/") for code in ("11", "32", "76", "94")]
    results["region_page_ms"] = {"max": round(max(regions), 1)}
    results["epci_page_ms"] = round(timed_get(client, "/territoires/epci-200093201/"), 1)
    results["xlsx_export_departement_ms"] = round(timed_get(client, "/territoires/departement-59/export.xlsx"), 1)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="inclusion_bench")
    arguments = parser.parse_args()
    database_url = bench_database_url(arguments.database)
    manage("migrate", "--noinput", "-v", "0", database_url=database_url)
    counted = manage("shell", "-c", "from services.models import Service; print(Service.objects.count())",
                     database_url=database_url, capture=True)  # fmt: skip
    if int(counted.stdout.strip().splitlines()[-1]) == 0:
        folder = prepare_national_dataset(database_url)
        manage("import_datainclusion", str(folder), "-v", "0", database_url=database_url)
    results = run(database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "territories.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

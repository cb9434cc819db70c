"""Import benchmark: the national-size demo set into an empty database, then again unchanged.

Prints the figures and writes bench/results/import.json. Target (issue "Data import"):
first import ≤ 60 s (aim 30 s), unchanged re-import ≤ half of it, peak memory < 1.5 GB.
"""

import json
import os
import subprocess
import sys
import time

import psycopg

from bench.common import NATIONAL, RESULTS, ROOT, bench_database_url, prepare_national_dataset


def empty_tables(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE imports_rejectedrecord, imports_importrun, services_service, structures_structure CASCADE"
        )


def timed_import(folder, database_url: str) -> dict:
    peak_file = RESULTS / "peak_rss.txt"
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.dev"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bench.peak_rss", str(peak_file), sys.executable, "manage.py"]
        + ["import_datainclusion", str(folder)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb = int(peak_file.read_text())
    with psycopg.connect(database_url) as conn:
        timings, counts = conn.execute(
            "SELECT timings, counts FROM imports_importrun ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return {
        "seconds": round(elapsed, 2),
        "peak_memory_mb": round(peak_kb / 1024),
        "phases_seconds": timings,
        "records_per_second": {
            phase: round((NATIONAL["structures"] + NATIONAL["services"]) / seconds)
            for phase, seconds in timings.items()
            if seconds
        },
        "counts": counts,
    }


def main() -> None:
    database_url = bench_database_url()
    RESULTS.mkdir(parents=True, exist_ok=True)
    folder = prepare_national_dataset(database_url)
    empty_tables(database_url)
    first = timed_import(folder, database_url)
    second = timed_import(folder, database_url)
    result = {"dataset": NATIONAL, "first_import": first, "unchanged_reimport": second}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    for label, run in (("first import", first), ("unchanged re-import", second)):
        print(
            f"{label}: {run['seconds']} s, peak {run['peak_memory_mb']} MB, "
            f"phases {run['phases_seconds']}, records/s {run['records_per_second']}"
        )
    ok = first["seconds"] <= 60 and second["seconds"] <= first["seconds"] / 2 and first["peak_memory_mb"] < 1536
    print("within targets" if ok else "OUTSIDE TARGETS", file=sys.stderr)


if __name__ == "__main__":
    main()

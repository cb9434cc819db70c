"""Import benchmark: this checkout against another one (a git ref), on the national-size demo set, in one run.

Each side imports into a database of its own, migrated by its own code: first into an empty database, then the same
files again (the unchanged re-import of a daily refresh). Wall time, the phases the run recorded and the peak memory
of the import's processes (bench.peak_rss) go side by side in one table, beside the machine reference
(bench.machine), measured before and after, so that figures taken on other machines or under another load compare.

BENCH_AGAINST=<git ref> chooses the other side (default: the merge-base of HEAD and main, else main); the other
checkout is a `git worktree` in a temporary folder, run with this virtualenv. Results in bench/results/import.json.
Targets (issue #18): first import ≤ ½ of the other side's, unchanged re-import ≤ ⅓, peak memory ≤ 1 GB.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench import machine
from bench.against import checkout, git, other_ref
from bench.common import NATIONAL, RESULTS, ROOT, SHARED_DATA, bench_database_url, prepare_national_dataset

PHASES = ("read", "validate", "write", "index", "columns")
PEAK_LIMIT_MB = 1024


def environment(database_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.dev"}


def prepare_side(code: Path, database_url: str) -> None:
    """The database of one side, migrated by that side's code, with the communes, and empty of records."""
    env = environment(database_url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=code, env=env, check=True)
    communes = [str(SHARED_DATA)] if (SHARED_DATA / "communes.csv.gz").exists() else []
    subprocess.run([*manage, "import_communes", *communes, "-v", "0"], cwd=code, env=env, check=True)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "TRUNCATE imports_rejectedrecord, imports_importrun, services_searchentry, services_service,"
            " structures_structure CASCADE"
        )


def timed_import(code: Path, folder: Path, database_url: str) -> dict:
    peak_file = RESULTS / "peak_memory.json"
    command = [sys.executable, str(ROOT / "bench" / "peak_rss.py"), str(peak_file), sys.executable, "manage.py"]
    start = time.perf_counter()
    subprocess.run(
        [*command, "import_datainclusion", str(folder), "-v", "0"], cwd=code, env=environment(database_url), check=True
    )
    elapsed = time.perf_counter() - start
    peak = json.loads(peak_file.read_text())
    with psycopg.connect(database_url) as conn:
        timings, counts = conn.execute(
            "SELECT timings, counts FROM imports_importrun ORDER BY id DESC LIMIT 1"
        ).fetchone()
    records = NATIONAL["structures"] + NATIONAL["services"]
    return {
        "seconds": round(elapsed, 2),
        "peak_memory_mb": round(peak["tree_pss_kb"] / 1024),
        "largest_process_rss_mb": round(peak["max_process_rss_kb"] / 1024),
        "cpu_seconds": peak["cpu_seconds"],
        "phases_seconds": timings,
        "records_per_second": round(records / elapsed),
        "counts": counts,
    }


def ratio(new: float | None, old: float | None) -> str:
    return f"{new / old:.2f}" if new is not None and old else "—"


def table(old: dict, new: dict, old_ref: str) -> str:
    rows = [("wall (s)", "seconds"), *[(f"  {phase} (s)", phase) for phase in PHASES]]
    rows += [("CPU of the import's processes (s)", "cpu_seconds")]
    rows += [
        ("peak memory, all processes (MB)", "peak_memory_mb"),
        ("largest process RSS (MB)", "largest_process_rss_mb"),
    ]
    header = f"{'':34}{'old first':>11}{'new first':>11}{'new/old':>9}{'old re':>10}{'new re':>10}{'new/old':>9}"
    lines = [f"old = {old_ref[:12]}, new = this checkout", header]
    for label, key in rows:
        cells = []
        for run in ("first_import", "unchanged_reimport"):
            values = [side[run].get(key, side[run]["phases_seconds"].get(key)) for side in (old, new)]
            shown = [f"{value:.1f}" if isinstance(value, int | float) else "—" for value in values]
            cells.append((shown, ratio(values[1], values[0])))
        (o1, n1), r1 = cells[0]
        (o2, n2), r2 = cells[1]
        lines.append(f"{label:34}{o1:>11}{n1:>11}{r1:>9}{o2:>10}{n2:>10}{r2:>9}")
    return "\n".join(lines)


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    # Empty databases, each migrated by its side's code alone.
    new_url = bench_database_url("inclusion_bench", fresh=True)
    old_url = bench_database_url("inclusion_bench_old", fresh=True)
    folder = prepare_national_dataset(new_url)
    old_ref = git("rev-parse", other_ref())
    reference_before = machine.reference(new_url)
    print(machine.text(reference_before))
    sides = {"old": {}, "new": {}}
    with checkout(old_ref) as (old_code, _):
        prepare_side(old_code, old_url)
        prepare_side(ROOT, new_url)
        # Old and new alternate, so that a change of the machine's load touches both alike.
        for run in ("first_import", "unchanged_reimport"):
            for side, code, url in (("old", old_code, old_url), ("new", ROOT, new_url)):
                sides[side][run] = timed_import(code, folder, url)
                print(f"{side} {run}: {sides[side][run]['seconds']} s", flush=True)
    reference_after = machine.reference(new_url)
    result = {
        "dataset": NATIONAL,
        "old_ref": old_ref,
        "new_ref": git("rev-parse", "HEAD"),
        "new_uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine_reference": {"before": reference_before, "after": reference_after},
        **sides,
    }
    (RESULTS / "import.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(table(sides["old"], sides["new"], old_ref))
    print(f"before: {machine.text(reference_before)}\nafter:  {machine.text(reference_after)}")
    first = sides["new"]["first_import"]["seconds"] / sides["old"]["first_import"]["seconds"]
    again = sides["new"]["unchanged_reimport"]["seconds"] / sides["old"]["unchanged_reimport"]["seconds"]
    peak = max(sides["new"][run]["peak_memory_mb"] for run in sides["new"])
    ok = first <= 0.5 and again <= 1 / 3 and peak <= PEAK_LIMIT_MB
    print("within targets" if ok else "OUTSIDE TARGETS", file=sys.stderr)


if __name__ == "__main__":
    main()

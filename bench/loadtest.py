"""Load test: the search benchmark's query mix replayed by many concurrent clients against gunicorn.

gunicorn serves the national-size database (inclusion_bench) with the production settings, the repository's
gunicorn.conf.py and 4 sync workers (bench.bench_search.gunicorn). The load generator runs in this process:
asyncio connections on the loopback, each a closed loop (next request as soon as the answer is read), one
connection per request like a browser behind gunicorn's sync workers. Steps of increasing concurrency, each
`--duration` seconds, print and record throughput, p50/p95/p99/max and errors (non-200, unexpected body,
timeout, refused connection):

- uncached: every search a distinct one, never asked before (the server computes each answer);
- cached: a set of searches asked again and again (answers from the cache, after a warm-up);
- import (`--import-during-load`): uncached searches at one concurrency while `import_datainclusion` runs on
  the same database; records errors and the slowest answer.
- curator saves (`--saves-during-load N`): uncached searches while N services are renamed one after the other
  as the admin saves them (bench.curator_saves); records errors, the slowest answer, and how long each change
  took to show in searches (polled by a search for the new word).

Writes bench/results/loadtest.json. Acceptance: uncached ≥ 100 searches/s (target 150) at p95 ≤ 150 ms with
zero errors; during an import and during curators' saves, no error and no answer slower than 250 ms; a saved
change shows in searches within 2 s.
"""

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import orjson

from bench import machine
from bench.against import checkout
from bench.bench_search import ensure_dataset
from bench.common import RESULTS, ROOT, bench_database_url
from bench.load_client import cycle, distinct_searches, fetch, print_step, request_bytes, run_step, step_figures
from bench.queries import load_places, search_path, search_queries
from bench.server import gunicorn

STEPS = (1, 2, 4, 8, 16, 32)
WORKERS = (2, 4)
CACHED_SET = 100
TARGETS = {
    "searches_per_second": 100,
    "searches_per_second_aim": 150,
    "p95_ms": 150,
    "import_max_ms": 250,
    "saves_max_ms": 250,
    "save_visible_s": 2,
}


def changed_national_files(share: int = 20) -> Path:
    """The national files the bench database was loaded from, with one service in ``share`` renamed (a name
    new at every run): the import writes real changes, bumps the data version, and every worker reloads its
    copy of the search index while answering."""
    source = ROOT / ".data" / "national"
    folder = ROOT / ".data" / "national-changed"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(source / "structures.json", folder / "structures.json")
    services = orjson.loads((source / "services.json").read_bytes())
    stamp = time.strftime("%H:%M:%S")
    for service in services[::share]:
        service["nom"] = f"{service['nom'][:130]} (mis à jour {stamp})"
    (folder / "services.json").write_bytes(orjson.dumps(services))
    return folder


async def import_during_load(port: int, paths, users: int, database_url: str, columns_dir: str) -> dict:
    """Uncached searches from 3 s before an import of the national files (changed: changed_national_files) until
    10 s after it ends, when every worker has its copy of the new data."""
    # Written before the searches start: parsing 220 MB of JSON inside the event loop would stall the clients
    # (and count as 3 s answers).
    folder = changed_national_files()
    results: list[tuple[bool, float, str, bool, bool]] = []
    importing = asyncio.Event()
    done = asyncio.Event()

    async def user():
        while not done.is_set():
            outcome = await fetch(port, next(paths))
            results.append((*outcome, importing.is_set()))

    async def importer():
        await asyncio.sleep(3)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.dev",
            # Where the web workers look for the search index's columns, which the import writes before it commits.
            "SEARCH_COLUMNS_DIR": columns_dir,
        }
        with tempfile.TemporaryFile() as log:
            importing.set()
            start = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "manage.py", "import_datainclusion", str(folder), cwd=ROOT, env=env, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            code = await process.wait()
            seconds = time.perf_counter() - start
            log.seek(0)
            output = log.read().decode(errors="replace").strip().splitlines()
        # Counted until 10 s after the import: the workers map the new copy meanwhile.
        await asyncio.sleep(10)
        done.set()
        return {"exit_code": code, "seconds": round(seconds, 1), "summary": output[-1] if output else ""}

    outcome = await asyncio.gather(importer(), *(user() for _ in range(users)))
    during = [outcome[:4] for outcome in results if outcome[4]]
    figures = step_figures(during, users, outcome[0]["seconds"] + 10, 0.0)
    figures["requests_around_import"] = len(results)
    figures["errors_around_import"] = sum(1 for ok, *_ in results if not ok)
    return {"import": outcome[0], "during_import": figures}


async def saves_during_load(port: int, paths, users: int, count: int, database_url: str, columns_dir: str) -> dict:
    """Uncached searches while `count` curators' saves are made (bench.curator_saves), and for each save the
    seconds from its commit until a search finds the new word (polled every 50 ms, answers of any worker)."""
    results: list[tuple[bool, float, str, bool]] = []
    visible: list[float] = []
    done = asyncio.Event()
    env = {**os.environ, "DATABASE_URL": database_url, "SEARCH_COLUMNS_DIR": columns_dir}
    env["DJANGO_SETTINGS_MODULE"] = "inclusion_site.settings.dev"

    async def user():
        while not done.is_set():
            results.append(await fetch(port, next(paths)))

    async def found(word: str) -> bool:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request_bytes(search_path([("q", word), ("doublons", "1")]), port))
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
        return re.search(rb"\b1 service\b", answer) is not None

    async def saver():
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.curator_saves", "--count", str(count), cwd=ROOT, env=env,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        async for line in process.stdout:
            save = orjson.loads(line)
            while not await found(save["word"]) and time.time() - save["committed"] < 30:
                await asyncio.sleep(0.05)
            visible.append(time.time() - save["committed"])
        code = await process.wait()
        done.set()
        return code

    outcome = await asyncio.gather(saver(), *(user() for _ in range(users)))
    figures = step_figures(results, users, 1.0, 0.0)
    figures.pop("per_second")
    figures["saves"] = len(visible)
    figures["saver_exit_code"] = outcome[0]
    figures["visible_after_s"] = {
        "p50": round(sorted(visible)[len(visible) // 2], 2) if visible else None,
        "max": round(max(visible), 2) if visible else None,
    }
    return figures


async def measure(port: int, places, args, columns_dir: str, workers: int) -> dict:
    found: dict = {"uncached": [], "cached": []}
    uncached = distinct_searches(places, seed=args.seed)
    # Warm-up, not recorded: every worker opens its connection, loads its code and the search engine's data;
    # rounds of 5 s until the p95 stops falling.
    previous = None
    for _ in range(8):
        p95 = (await run_step(port, uncached, workers, 5))["p95_ms"]
        if previous is not None and p95 >= previous * 0.8:
            break
        previous = p95
    for users in args.steps:
        found["uncached"].append(await run_step(port, uncached, users, args.duration))
        print_step("uncached", found["uncached"][-1])
    repeated = cycle([search_path(params) for params in search_queries(places, CACHED_SET, seed=args.seed + 7)])
    # Each worker has its own cache unless REDIS_URL is set: warmed until (nearly) every answer is a hit.
    for _ in range(0 if args.skip_cached else 30):
        if (await run_step(port, repeated, workers, 5))["cache_hit_share"] >= 0.98:
            break
    for users in [] if args.skip_cached else args.steps:
        found["cached"].append(await run_step(port, repeated, users, args.duration))
        print_step("cached", found["cached"][-1])
    if args.import_during_load:
        found["import"] = await import_during_load(port, uncached, args.import_users, args.database_url, columns_dir)
        print_step("import", found["import"]["during_import"])
        print(f"import: {found['import']['import']}")
    if args.saves_during_load:
        found["saves"] = await saves_during_load(
            port, uncached, args.import_users, args.saves_during_load, args.database_url, columns_dir
        )
        saves = found["saves"]
        print(
            f"saves     {saves['saves']} saves: p95 {saves['p95_ms']} ms, max {saves['max_ms']} ms, errors "
            f"{saves['errors']}; shown in searches after p50 {saves['visible_after_s']['p50']} s, max "
            f"{saves['visible_after_s']['max']} s"
        )
    return found


def verdict(found: dict) -> dict:
    passing = [step for step in found["uncached"] if step["p95_ms"] <= TARGETS["p95_ms"] and not step["errors"]]
    best = max(passing, key=lambda step: step["per_second"], default=None)
    result = {
        "best_uncached_within_p95": best,
        "uncached_ok": bool(best) and best["per_second"] >= TARGETS["searches_per_second"],
        "uncached_errors": sum(step["errors"] for step in found["uncached"]),
    }
    if "import" in found:
        during = found["import"]["during_import"]
        result["import_ok"] = (
            found["import"]["import"]["exit_code"] == 0
            and found["import"]["during_import"]["errors_around_import"] == 0
            and during["max_ms"] <= TARGETS["import_max_ms"]
        )
    if "saves" in found:
        saves = found["saves"]
        result["saves_ok"] = (
            saves["saver_exit_code"] == 0
            and not saves["errors"]
            and saves["max_ms"] <= TARGETS["saves_max_ms"]
            and (saves["visible_after_s"]["max"] or 99) <= TARGETS["save_visible_s"]
        )
    return result


def stop_on_sigterm(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # unwinds: gunicorn is stopped with the context managers


def per_core(found: dict, cores: int) -> None:
    """Searches per second per core of the machine, beside each uncached step."""
    for step in found["uncached"]:
        step["per_second_per_core"] = round(step["per_second"] / cores, 1)


def run_server(args, places, root: Path, workers: int, *, extras: bool) -> dict:
    """The steps against gunicorn with ``workers`` workers serving the checkout ``root``; the import and saves
    under load only when ``extras``."""
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        # The access log is written as in production (gunicorn.conf.py's format), to a file.
        env_extra = {"GUNICORN_ACCESS_LOG": str(Path(tmp) / "access.log")}
        if args.redis_url:
            env_extra["REDIS_URL"] = args.redis_url
        with gunicorn(args.database_url, workers=workers, env_extra=env_extra, root=root) as (port, server):
            server["cache"] = "redis" if args.redis_url else "local memory, per worker"
            print(f"-- {root.name}: gunicorn, {workers} workers", flush=True)
            options = argparse.Namespace(**vars(args))
            if not extras:
                options.import_during_load, options.saves_during_load, options.skip_cached = False, 0, True
            found = asyncio.run(measure(port, places, options, server["columns_dir"], workers))
    per_core(found, os.cpu_count() or 1)
    return {"server": server, **found, "verdict": verdict(found)}


def main() -> None:
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds per step (default 60)")
    parser.add_argument("--steps", type=lambda text: [int(x) for x in text.split(",")], default=list(STEPS))
    parser.add_argument("--workers", type=lambda text: [int(x) for x in text.split(",")], default=list(WORKERS))
    parser.add_argument("--import-during-load", action="store_true", help="also run an import under load")
    parser.add_argument("--import-users", type=int, default=8, help="concurrency during the import (default 8)")
    parser.add_argument("--skip-cached", action="store_true", help="no cached steps (shorter runs)")
    parser.add_argument("--saves-during-load", type=int, default=0, help="curators' saves under load (e.g. 100)")
    parser.add_argument("--redis-url", help="REDIS_URL for gunicorn (shared cache); default per-worker memory")
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    args.database_url = bench_database_url(os.environ.get("BENCH_SEARCH_DATABASE", "inclusion_bench"))
    against = os.environ.get("BENCH_AGAINST")
    RESULTS.mkdir(parents=True, exist_ok=True)
    counts = ensure_dataset(args.database_url)
    places = load_places(args.database_url)
    runs: dict[str, dict] = {}
    with ExitStack() as stack:
        roots = {"new": ROOT}
        if against:
            roots["old"], _ = stack.enter_context(checkout(against))
        machine_before = machine.reference(args.database_url)
        for workers in args.workers:
            for name, root in roots.items():
                # The import and the saves under load: once, this checkout, the most workers.
                extras = name == "new" and workers == max(args.workers)
                runs[f"{name}, {workers} workers"] = run_server(args, places, root, workers, extras=extras)
        machine_after = machine.reference(args.database_url)
    result = {
        "dataset": counts,
        "against": against,
        "machine": {"before": machine_before, "after": machine_after},
        "client": "asyncio, same machine, closed loop, one connection per request, htmx fragment requests",
        "cpu_count": os.cpu_count(),
        "targets": TARGETS,
        "runs": runs,
    }
    (RESULTS / "loadtest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nmachine reference before {machine.text(machine_before)}, after {machine.text(machine_after)}")
    print(f"uncached searches/s ({os.cpu_count()} cores): per second, per core, p95 ms, at each concurrency")
    for label, run in runs.items():
        steps = "  ".join(
            f"{step['users']}: {step['per_second']}/s {step['per_second_per_core']}/core p95 {step['p95_ms']}"
            for step in run["uncached"]
        )
        print(f"  {label:16} {steps}")
    print(f"written to {RESULTS / 'loadtest.json'}")
    ok = all(
        run["verdict"]["uncached_ok"]
        and run["verdict"].get("import_ok", True)
        and run["verdict"].get("saves_ok", True)
        for label, run in runs.items()
        if label.startswith("new")
    )
    print("within targets" if ok else "OUTSIDE TARGETS", file=sys.stderr)


if __name__ == "__main__":
    main()

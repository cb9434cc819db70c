"""The load test's client: closed-loop connections on the loopback sending the search mix, and their figures."""

import asyncio
import time

from bench.bench_search import FRAGMENT_HEADERS
from bench.measures import summary
from bench.queries import search_path, search_queries

TIMEOUT_S = 30
MARKER = b"services-results"
CACHE_HIT = b"X-Cache: HIT"


def distinct_searches(places, seed: int = 1):
    """Searches as the benchmark draws them, each path given once only."""
    seen: set[str] = set()
    while True:
        for params in search_queries(places, 2000, seed=seed):
            path = search_path(params)
            if path not in seen:
                seen.add(path)
                yield path
        seed += 1


def request_bytes(path: str, port: int) -> bytes:
    # Uncompressed: the answer is read as sent, its marker searched in it.
    headers = {"Host": f"127.0.0.1:{port}", **FRAGMENT_HEADERS, "Connection": "close"}
    headers.pop("Accept-Encoding")
    lines = [f"GET {path} HTTP/1.1", *(f"{name}: {value}" for name, value in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


async def fetch(port: int, path: str) -> tuple[bool, float, str, bool]:
    """(ok, milliseconds, error, served from the cache) for one search; the whole answer is read."""
    start = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT_S):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request_bytes(path, port))
                await writer.drain()
                answer = await reader.read()
            finally:
                writer.close()
    except (OSError, TimeoutError) as error:
        return False, (time.perf_counter() - start) * 1000, type(error).__name__, False
    elapsed = (time.perf_counter() - start) * 1000
    status = answer[9:12].decode(errors="replace")
    hit = CACHE_HIT in answer.partition(b"\r\n\r\n")[0]
    if status != "200":
        return False, elapsed, f"HTTP {status}", hit
    if MARKER not in answer:
        return False, elapsed, "unexpected body", hit
    return True, elapsed, "", hit


async def run_step(port: int, paths, users: int, duration: float) -> dict:
    """`users` closed-loop clients for `duration` seconds; answers completed within the window count."""
    results: list[tuple[bool, float, str, bool]] = []
    started = time.perf_counter()
    deadline = started + duration
    cpu_before = time.process_time()

    async def user():
        while time.perf_counter() < deadline:
            outcome = await fetch(port, next(paths))
            if time.perf_counter() <= deadline:
                results.append(outcome)

    await asyncio.gather(*(user() for _ in range(users)))
    return step_figures(results, users, duration, time.process_time() - cpu_before)


def step_figures(results, users: int, duration: float, client_cpu: float) -> dict:
    errors = [error for ok, _, error, _ in results if not ok]
    timings = [ms for _, ms, _, _ in results] or [0.0]
    return {
        "users": users,
        "seconds": duration,
        "requests": len(results),
        "per_second": round(len(results) / duration, 1),
        **{key: value for key, value in summary(timings).items() if key != "count"},
        "cache_hit_share": round(sum(1 for *_, hit in results if hit) / max(len(results), 1), 3),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "client_cpu_share": round(client_cpu / duration, 2),
    }


def print_step(mode: str, figures: dict) -> None:
    kinds = f" ({', '.join(figures['error_kinds'])})" if figures["errors"] else ""
    print(
        f"{mode:9} {figures['users']:3} users: {figures['per_second']:7.1f} req/s  p50 {figures['p50_ms']:7.1f}  "
        f"p95 {figures['p95_ms']:7.1f}  p99 {figures['p99_ms']:7.1f}  max {figures['max_ms']:7.1f} ms  "
        f"hits {figures['cache_hit_share']:4.0%}  errors {figures['errors']}{kinds}",
        flush=True,
    )


def cycle(paths: list[str]):
    while True:
        yield from paths

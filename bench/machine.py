"""A reference of the machine's speed, measured in the same run as the figures it stands beside.

Machines of the same kind differ by 2x or more, and a shared one changes from minute to minute: a latency means
little without the speed of the machine when it was measured. Two fixed workloads, each the median of a few
rounds:

- python_ms: a pure-Python loop (dicts, strings, integers, like a view building a page), one core;
- sql_roundtrip_us: one `SELECT 1` sent and answered on an open connection to the benchmark's PostgreSQL.

Self-contained (the standard library and psycopg): it runs the same whatever the checkout measured.
"""

import statistics
import time

import psycopg

PYTHON_ROUNDS = 7
SQL_ROUNDS = 5
SQL_QUERIES = 200


def python_workload() -> int:
    """About 20 ms on a recent server core."""
    total = 0
    words = {}
    for number in range(60_000):
        text = f"service-{number % 997}"
        words[text] = words.get(text, 0) + 1
        total += len(text) * (number & 7)
    return total + len(words)


def python_ms() -> float:
    timings = []
    for _ in range(PYTHON_ROUNDS):
        start = time.perf_counter()
        python_workload()
        timings.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(timings), 2)


def sql_roundtrip_us(database_url: str) -> float:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT 1")
        rounds = []
        for _ in range(SQL_ROUNDS):
            start = time.perf_counter()
            for _ in range(SQL_QUERIES):
                conn.execute("SELECT 1").fetchone()
            rounds.append((time.perf_counter() - start) * 1e6 / SQL_QUERIES)
    return round(statistics.median(rounds), 1)


def reference(database_url: str) -> dict:
    return {"python_ms": python_ms(), "sql_roundtrip_us": sql_roundtrip_us(database_url)}


def text(machine: dict) -> str:
    return f"[machine: Python {machine['python_ms']} ms, SQL round trip {machine['sql_roundtrip_us']} µs]"

"""The machine reference printed beside every benchmark figure: a fixed CPU-bound Python loop and a fixed loop of
SQL round trips, medians of a few runs. Figures taken on two machines (or under two loads) compare through them."""

import statistics
import time

import psycopg

REPEATS = 5
CPU_ITERATIONS = 300_000
SQL_ROUND_TRIPS = 1_000


def _cpu_loop() -> int:
    # Strings, dicts and integer arithmetic: the kind of work an import does per record.
    total = 0
    for index in range(CPU_ITERATIONS):
        record = {"id": f"source--{index}", "nom": "Structure"}
        total += len(record["id"].upper()) + (index * index) % 7
    return total


def cpu_milliseconds(repeats: int = REPEATS) -> float:
    durations = []
    for _ in range(repeats):
        start = time.perf_counter()
        _cpu_loop()
        durations.append(time.perf_counter() - start)
    return round(statistics.median(durations) * 1000, 1)


def sql_round_trip_microseconds(database_url: str, repeats: int = REPEATS) -> float:
    durations = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(SQL_ROUND_TRIPS):
                conn.execute("SELECT 1").fetchone()
            durations.append((time.perf_counter() - start) / SQL_ROUND_TRIPS)
    return round(statistics.median(durations) * 1_000_000, 1)


def reference(database_url: str) -> dict:
    return {
        "cpu_loop_ms": cpu_milliseconds(),
        "sql_round_trip_us": sql_round_trip_microseconds(database_url),
    }


def describe(figures: dict) -> str:
    return (
        f"machine reference: CPU loop {figures['cpu_loop_ms']} ms, "
        f"SQL round trip {figures['sql_round_trip_us']} µs (medians of {REPEATS})"
    )

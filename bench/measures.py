"""Latencies over HTTP: one client as a browser tab, and their percentiles."""

import http.client
import math
import time


class Client:
    """One HTTP client, as a browser tab: one connection, reused while the server keeps it open.

    gunicorn's sync workers close the connection after each answer (no keep-alive), so http.client
    reconnects for the next request: the figures include a TCP connect on the loopback (~0.1 ms).
    """

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, float, str]:
        """(status, body as sent, ms, Content-Encoding)."""
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
            return response.status, body, elapsed_ms, response.getheader("Content-Encoding", "")
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

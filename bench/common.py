"""Shared helpers of the benchmarks: a dedicated database, the national-size demo set."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
NATIONAL = {"structures": 100_000, "services": 140_000}
SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))


def bench_database_url(name: str = "inclusion_bench", *, fresh: bool = False) -> str:
    """The URL of a benchmark database on the same server as DATABASE_URL, created if needed; ``fresh``: dropped
    first (another checkout's migrations cannot be undone by this one's)."""
    url = urlparse(os.environ["DATABASE_URL"])
    admin = urlunparse(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(url._replace(path=f"/{name}"))


def manage(*args: str, database_url: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.dev"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        text=True,
        capture_output=capture,
    )


def prepare_national_dataset(database_url: str) -> Path:
    """Communes loaded and the national-size demo set generated (cached under .data/)."""
    manage("migrate", "--noinput", "-v", "0", database_url=database_url)
    communes = SHARED_DATA / "communes.csv.gz"
    source = SHARED_DATA if communes.exists() else None
    manage("import_communes", *([str(source)] if source else []), "-v", "0", database_url=database_url)
    out = ROOT / ".data" / "national"
    if not (out / "services.json").exists():
        if source is None:  # communes from the API Géo: the generator reads them from the commune table, written out
            communes = ROOT / ".data" / "communes.csv.gz"
            manage("export_communes", str(communes), "-v", "0", database_url=database_url)
        sizes = ["--structures", str(NATIONAL["structures"]), "--services", str(NATIONAL["services"])]
        arguments = [*sizes, "--seed", "2026", "--communes", str(communes), "--out", str(out)]
        subprocess.run([sys.executable, "-m", "demo", *arguments], cwd=ROOT, check=True)
    return out

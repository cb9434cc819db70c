"""The in-memory columns shared by the workers of one machine.

The first worker to copy a data version of the index (services.columns) writes its arrays to a
folder named after the database and the version; the other workers, and workers started later
(gunicorn replaces them every few thousand requests), map those files instead of copying and
encoding the index again: a few milliseconds instead of a second, and one copy in the machine's
memory (the page cache) rather than one per worker. Folders of older versions are removed once a
newer one is written (workers still mapping them keep their pages until they move on).
"""

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings

META = "meta.json"


def root() -> Path:
    configured = getattr(settings, "SEARCH_COLUMNS_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"inclusion-search-columns-{os.getuid()}"


def database_key(connection) -> str:
    """Names the database (server, port, name and its oid, new when the database is recreated)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
    params = connection.settings_dict
    text = repr((params.get("HOST"), params.get("PORT"), params.get("NAME"), oid))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Bumped when the arrays change (names, meaning): files written by another release are not read.
FORMAT = 2


def folder(directory: Path, key: str, version: int) -> Path:
    return directory / f"{key}f{FORMAT}-{version}"


def usable(directory: Path) -> bool:
    """Our own folder, private: never files another user could have placed."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


@contextmanager
def building(path: Path):
    """Held while the files of ``path`` are read or written: one worker of the machine copies a
    version from the database, the others wait and read its files (an advisory file lock)."""
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read(path: Path) -> tuple[dict[str, np.ndarray], dict] | None:
    try:
        meta = json.loads((path / META).read_text())
        # Plain read-only arrays over the mapped files (numpy.memmap slices cost more).
        arrays = {name: np.asarray(np.load(path / f"{name}.npy", mmap_mode="r")) for name in meta["arrays"]}
    except (OSError, ValueError, KeyError):
        return None
    return arrays, meta["values"]


def write(path: Path, arrays: dict[str, np.ndarray], values: dict) -> None:
    """Write to a private temporary folder, then rename it: readers see all of it or nothing."""
    key, version = path.name.rsplit("-", 1)
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", np.ascontiguousarray(array))
        (staging / META).write_text(json.dumps({"arrays": list(arrays), "values": values}))
        os.rename(staging, path)
    except OSError:
        # Another worker wrote the same version first, or the disk refused: this worker keeps its copy.
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        return
    for other in path.parent.glob(f"{key}-*"):
        older = other.name.rsplit("-", 1)[1]
        if older.isdigit() and int(older) < int(version):
            shutil.rmtree(other, ignore_errors=True)
            (other.parent / f".{other.name}.lock").unlink(missing_ok=True)

"""Where a web worker gets the columns of the search index (services.columns), and when.

- One copy per machine and data version: the first worker (or the import, before it commits) copies the index
  from the database and writes the arrays to a folder named after the database and the version; the other
  workers map those files (a few milliseconds, and one copy in the machine's memory rather than one per worker).
  Folders of older versions are removed once a newer one is written.
- Never a slow answer: when the data version changes, a worker goes on answering from the columns it has while
  the new ones are made in a background thread. Only a worker that has none yet waits for them (and the
  machine builds them before taking traffic: gunicorn.conf.py, ``ready()`` for the readiness endpoint).
"""

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connections

from core import data_version
from services.columns import Columns, copy_from_database

logger = logging.getLogger(__name__)

META = "meta.json"
# Bumped when the arrays change (names, meaning): files written by another release are not read.
FORMAT = 5


def root() -> Path:
    configured = getattr(settings, "SEARCH_COLUMNS_DIR", None)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / f"inclusion-search-columns-{os.getuid()}"


def problem(directory: Path) -> str | None:
    """Why the folder cannot hold the files (None: it can). Ours, private: never files another user placed."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError as error:
        return f"{directory} cannot be created or read ({error})"
    if info.st_uid != os.getuid():
        return f"{directory} belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o077:
        try:
            directory.chmod(0o700)  # our own folder, made private
        except OSError as error:
            return f"{directory} is readable by others and cannot be made private ({error})"
        logger.warning("Search index folder %s was readable by others: made private (0700).", directory)
    return None


def usable(directory: Path) -> bool:
    found = problem(directory)
    if found is not None:
        logger.error("Search index files are not shared: %s. Every worker copies the index itself.", found)
    return found is None


def database_key(connection) -> str:
    """Names the database (server, port, name and its oid, new when the database is recreated)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        oid = cursor.fetchone()[0]
    params = connection.settings_dict
    text = repr((params.get("HOST"), params.get("PORT"), params.get("NAME"), oid))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def folder(directory: Path, key: str, version: int) -> Path:
    return directory / f"{key}f{FORMAT}-{version}"


@contextmanager
def building(path: Path):
    """Held while the files of ``path`` are read or written: one worker of the machine copies a version from
    the database, the others wait and read its files (an advisory file lock)."""
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


def destination(connection) -> tuple[int, Path | None]:
    """The current data version, and the folder of its files on this machine (None: files cannot be shared)."""
    version = data_version.current(connection.alias)
    directory = root()
    if not usable(directory):
        return version, None
    return version, folder(directory, database_key(connection), version)


def load(connection) -> Columns:
    """The index of the current data version: from the files another worker of this machine wrote for it, else
    copied from the database (labelled with the version read before the copy) and written for the others."""
    version, path = destination(connection)
    if path is None:
        return copy_from_database(connection, version)
    with building(path):
        found = read(path)
        if found is not None:
            return Columns(version, *found)
        columns = copy_from_database(connection, version)
        write(path, columns.arrays, columns.values)
    return columns


_loaded: dict[str, Columns] = {}
_loading: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def current(alias: str) -> Columns:
    """The columns to answer a search on database ``alias`` with.

    Those of the current data version when this worker has them; else, while they are made in the background,
    the ones it has (a change shows within seconds; the page's rows are read from the database, published
    ones only). A worker with none yet waits for them, as do tests (settings.SEARCH_COLUMNS_WAIT)."""
    version = data_version.current(alias)
    columns = _loaded.get(alias)
    if columns is not None and columns.version == version:
        return columns
    if columns is not None and not settings.SEARCH_COLUMNS_WAIT:
        refresh_soon(alias)
        return columns
    with _lock:
        columns = _loaded.get(alias)
        if columns is None or columns.version != version:
            columns = _loaded[alias] = load(connections[alias])
    return columns


def refresh_soon(alias: str) -> None:
    """Make the columns of the current version in a background thread, unless one is at it already."""
    with _lock:
        if alias not in _loading:
            _loading[alias] = threading.Thread(target=_load_in_background, args=[alias], daemon=True)
            _loading[alias].start()


def _load_in_background(alias: str) -> None:
    try:
        # Again while the data changed meanwhile (saves in a row): the copy made is always the latest.
        while True:
            columns = load(connections[alias])
            with _lock:
                if alias not in _loaded or _loaded[alias].version < columns.version:
                    _loaded[alias] = columns
            if columns.version == data_version.current(alias):
                break
    except Exception:
        logger.exception("Copying the search index into memory failed; searches use the previous copy.")
    finally:
        connections[alias].close()  # this thread's own connection
        with _lock:
            _loading.pop(alias, None)


def ready(alias: str) -> bool:
    """Whether this worker holds the columns of the current data version (the readiness endpoint)."""
    columns = _loaded.get(alias)
    return columns is not None and columns.version == data_version.current(alias)


def warm_up(aliases: list[str]) -> None:
    """Have the columns of the current version for the databases public requests read from: mapped from the
    machine's files, else built and written for the other workers. Called before a machine takes traffic and as
    each worker starts (gunicorn.conf.py). Never fatal: with the database away, the site answers its outage
    page and the columns are made at the first search."""
    for alias in aliases:
        try:
            current(alias)
        except DatabaseError:
            logger.warning("Search index not loaded: the database %s is unreachable.", alias, exc_info=True)
        finally:
            connections[alias].close()

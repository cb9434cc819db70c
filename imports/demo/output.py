"""Streaming a JSON array to disk, one record at a time, so memory stays flat at any size."""

import os
from pathlib import Path

import orjson


class JsonArrayWriter:
    """Writes `[record,\\nrecord…]` into a temporary file, renamed into place on success only:
    an interrupted run never leaves a truncated file where a valid one was."""

    def __init__(self, path: Path):
        self.path = path
        self.temporary = path.with_name(path.name + ".tmp")
        self.count = 0
        self.file = None

    def __enter__(self) -> "JsonArrayWriter":
        self.file = open(self.temporary, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in __exit__)
        return self

    def write(self, record: dict) -> None:
        self.file.write(b",\n" if self.count else b"[\n")
        self.file.write(orjson.dumps(record))
        self.count += 1

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.file.write(b"\n]\n" if self.count else b"[]\n")
        self.file.close()
        if exc_type is None:
            os.replace(self.temporary, self.path)
        else:
            self.temporary.unlink(missing_ok=True)

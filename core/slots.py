"""At most a few costly requests of a kind at once on the whole site (every worker of every machine): a long export
must never keep every worker busy. A slot is a PostgreSQL advisory lock on the primary, taken without waiting; the
database gives it back if the process dies."""

import zlib

from django.db import DEFAULT_DB_ALIAS, connections


class Slot:
    def __init__(self, key: int):
        self.key = key
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])


def key(kind: str, index: int) -> int:
    return (zlib.crc32(kind.encode()) << 8) + index  # a key range of our own for each kind


def take(kind: str, count: int) -> Slot | None:
    """One of the ``count`` slots of ``kind``, or None when they are all taken."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        for index in range(count):
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key(kind, index)])
            if cursor.fetchone()[0]:
                return Slot(key(kind, index))
    return None


class Holding:
    """A response's content that holds a slot until the response is closed, sent whole or not (Django closes a
    streaming response's content when it has one: ``close``)."""

    def __init__(self, content, slot: Slot):
        self.content = content
        self.slot = slot

    def __iter__(self):
        return iter(self.content)

    def close(self) -> None:
        self.slot.release()

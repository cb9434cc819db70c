"""The search engine's columns of the run's data version, built on the second core while PostgreSQL finishes.

An import writes the columns of its version before it commits, so that the web workers of this machine map them
at once rather than each copying the index again (services.columns_store). ``columns_store.load`` copies the index
out of the database (0.9 s at national size), then builds the arrays in Python (1.7 s): what the import does in that
time is wait. Here the copy is taken as soon as the search index is written, and the arrays are built and written
in a thread while this process waits on PostgreSQL for the rest of the run (indexes built again, foreign keys
checked, statistics), which runs on the other core. The files are written before the commit, as ``load`` does.

The thread never touches the database: the copy, the version and the folder's name are read here first.
"""

import threading
from contextlib import contextmanager

from services import columns, columns_store


class _Build(threading.Thread):
    def __init__(self, table, version: int, path):
        super().__init__(name="import-columns", daemon=True)
        self.table, self.version, self.path = table, version, path
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            built = columns.build(self.table, self.version)
            self.table = None  # the copy's memory goes as soon as the arrays hold it
            with columns_store.building(self.path):
                if columns_store.read(self.path) is None:
                    columns_store.write(self.path, built.arrays, built.values)
        except BaseException as error:  # given to the importing thread, which raises it
            self.error = error


@contextmanager
def built_meanwhile(connection):
    """Copy the search index now; its columns are built while the block runs, and written when it ends."""
    version, path = columns_store.destination(connection)
    if path is None:
        # No shared folder: every worker copies the index itself after the commit; nothing to write for them.
        yield
        return
    with connection.cursor() as cursor:
        table = columns.read_table(cursor)
    build = _Build(table, version, path)
    del table
    build.start()
    try:
        yield
    finally:
        build.join()
    if build.error is not None:
        raise build.error

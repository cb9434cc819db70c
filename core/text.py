"""Text normalisation shared by search and duplicate detection.

The search contract: lower-case, remove accents, turn every run of other characters into one
space. PostgreSQL's ``unaccent`` extension is not available everywhere we run, so this is
done in Python when data is written, and the same function is applied to queries. It runs
on every description at import, so it stays in C-implemented string operations.
"""

import re
import unicodedata

NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Letters that Unicode decomposition does not reduce to ASCII.
SPECIAL_LETTERS = (("œ", "oe"), ("æ", "ae"), ("ß", "ss"), ("ø", "o"), ("ł", "l"), ("đ", "d"))


def normalize(text: str | None) -> str:
    if not text:
        return ""
    folded = text.lower()
    if not folded.isascii():
        for letter, replacement in SPECIAL_LETTERS:
            if letter in folded:
                folded = folded.replace(letter, replacement)
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return NON_ALNUM.sub(" ", folded).strip()

"""Text normalisation shared by search and duplicate detection.

The search contract: lower-case, remove accents, turn every run of other characters into one
space. PostgreSQL's ``unaccent`` extension is not available everywhere we run, so this is
done in Python when data is written, and the same function is applied to queries.
"""

import re
import unicodedata

# Ligatures that Unicode decomposition leaves alone.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text: str | None) -> str:
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(LIGATURES))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NON_ALNUM.sub(" ", stripped).strip()

"""The lexemes of services' search texts made in Python, as services.search_index's LEXEMES_SQL makes them in
PostgreSQL: an import's worker processes make them while they validate (imports.stages.service_lexemes), and
services.search_index.refresh takes them where the text hash is still the row's."""

import hashlib
from collections.abc import Callable

# The lexemes of each word given, as services.search_index.LEXEMES_SQL gives them for a text (Lexicon).
WORD_LEXEMES_SQL = (
    "SELECT w, array_to_string(tsvector_to_array(to_tsvector('french', w)), ' ') FROM unnest(%s::text[]) AS w"
)


def search_text(document: str, structure_name: str) -> str:
    """What a service's lexemes and text hash are taken on (services.search_index.LEXEMES_SQL, TEXT_HASH_SQL)."""
    return f"{document} {structure_name}"


def text_hash(text: str) -> str:
    """services.search_index.TEXT_HASH_SQL of a search_text()."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class Lexicon:
    """The lexemes of search texts made in Python, equal to LEXEMES_SQL's: PostgreSQL's French dictionary is asked
    once per word (WORD_LEXEMES_SQL), and a text's lexemes are the union of its words' lexemes. That holds because
    the texts are normalised (core.text.normalize: words of [a-z0-9] between single spaces), which PostgreSQL's
    parser cuts at the spaces only (a test compares both on texts of every kind; the national set's 140,000 texts
    are all equal). Measured on the national set: LEXEMES_SQL took 10 s of PostgreSQL's CPU (two thirds in its
    parser), while the texts' 12 million words are 17,000 distinct ones (0.06 s to ask), put together here in
    15-18 µs a text.

    ``connect`` gives the database connection the words are asked on: the import's worker processes open one of
    their own, outside the import's transaction (a dictionary is not data, and the import's connection is busy
    copying rows)."""

    def __init__(self, connect: Callable):
        self._connect = connect
        self._connection = None
        self._known: dict[str, str] = {}  # word -> its lexemes, space-separated (none for a stop word)
        self._several = False  # whether a word has several lexemes

    def lexemes(self, texts: list[str]) -> list[str]:
        """LEXEMES_SQL of each text, the words not known yet asked in one query. A text is read once when its words
        are known (most are, after the first batches); a word not known yet raises KeyError, and that text is made
        again once the batch's new words are learnt."""
        get = self._known.__getitem__
        made, missing = [], []
        for index, text in enumerate(texts):
            try:
                made.append(self._sorted(set(map(get, text.split()))))
            except KeyError:
                made.append("")
                missing.append(index)
        if missing:
            self._learn({word for index in missing for word in texts[index].split()})
            for index in missing:
                made[index] = self._sorted(set(map(get, texts[index].split())))
        return made

    def _sorted(self, found: set[str]) -> str:
        # Sorted as a tsvector's lexemes are (bytes; the texts are ASCII).
        found.discard("")
        if self._several:
            found = set(" ".join(found).split())
        return " ".join(sorted(found))

    def _learn(self, words: set[str]) -> None:
        unknown = sorted(words.difference(self._known))
        if self._connection is None:
            self._connection = self._connect()
        with self._connection.cursor() as cursor:
            cursor.execute(WORD_LEXEMES_SQL, [unknown])
            learnt = dict(cursor.fetchall())
        self._known.update(learnt)
        self._several = self._several or any(" " in lexemes for lexemes in learnt.values())

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

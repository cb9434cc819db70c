"""Small French text helpers: slugs, elision and contracted prepositions before place names."""

import unicodedata

VOWELS = frozenset("AEIOUYÂÉÈÊÎÏÔÛaeiouyâéèêîïôû")
# « de » and « à » merge with the article of a place name: du Havre, aux Mureaux (but de La Rochelle).
CONTRACTIONS = (("Le ", "du ", "au "), ("Les ", "des ", "aux "))
NAME_MAX_LENGTH = 150


def slugify(text: str) -> str:
    """ASCII slug, cheap enough to call for every record."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join("".join(char if char.isalnum() else " " for char in ascii_text).split())


def short_slug(text: str, length: int = 30) -> str:
    """A slug cut at a word boundary, for domain names and mailboxes."""
    slug = slugify(text)
    return slug if len(slug) <= length else slug[: length + 1].rsplit("-", 1)[0][:length]


def de(name: str) -> str:
    """« de » before a place name: de Lille, d'Amiens, du Havre, des Mureaux, de La Rochelle."""
    contracted = [of + name.removeprefix(article) for article, of, _ in CONTRACTIONS if name.startswith(article)]
    return contracted[0] if contracted else ("d'" if name[0] in VOWELS else "de ") + name


def a(name: str) -> str:
    """« à » before a place name: à Lille, au Havre, aux Mureaux."""
    contracted = [to + name.removeprefix(article) for article, _, to in CONTRACTIONS if name.startswith(article)]
    return contracted[0] if contracted else "à " + name


def lcfirst(text: str) -> str:
    """Lower the first letter of a service name used inside a sentence, but keep acronyms (CV, FLE)."""
    return text if len(text) > 1 and text[1].isupper() else text[0].lower() + text[1:]


def clip(name: str) -> str:
    """Schema: a name has at most 150 characters and does not end with a full stop."""
    return name[:NAME_MAX_LENGTH].rstrip(" .–-")

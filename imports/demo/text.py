"""Small French text helpers: slugs, elision and contracted prepositions before place names."""

import unicodedata

VOWELS = frozenset("AEIOUYÂÉÈÊÎÏÔÛaeiouyâéèêîïôû")


def slugify(text: str, separator: str = "-") -> str:
    """ASCII slug, cheap enough to call for every record."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(char if char.isalnum() else " " for char in ascii_text).split()
    return separator.join(words)


def short_slug(text: str, length: int = 30) -> str:
    """A slug cut at a word boundary, for domain names and mailboxes."""
    slug = slugify(text)
    if len(slug) <= length:
        return slug
    cut = slug[: length + 1].rsplit("-", 1)[0]
    return cut if len(cut) >= 3 else slug[:length].strip("-")


def de(name: str) -> str:
    """« de » before a place name: de Lille, d'Amiens, du Havre, des Mureaux, de La Rochelle."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name[0] in VOWELS:
        return "d'" + name
    return "de " + name


def a(name: str) -> str:
    """« à » before a place name: à Lille, au Havre, aux Mureaux."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


def lcfirst(text: str) -> str:
    """Lower the first letter of a service name used inside a sentence, but keep acronyms (CV, FLE)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[0].lower() + text[1:]

"""Finding the territory a person means from what they type: régions and départements by name or number, and the
EPCI, département and région of the communes the commune field would suggest (communes.search)."""

from communes.departements import DEPARTEMENTS
from communes.models import Commune
from communes.regions import REGIONS
from communes.search import MAX_LENGTH, suggest
from communes.territories import Territory
from core.text import normalize

LIMIT = 12


def named(words: list[str], name: str) -> bool:
    """Every word typed starts a word of the name ("haute sav" names Haute-Savoie)."""
    name_words = normalize(name).split()
    return all(any(word.startswith(typed) for word in name_words) for typed in words)


def matching(text: str | None) -> list[Territory]:
    words = normalize((text or "")[:MAX_LENGTH]).split()
    if not words:
        return []
    found = [Territory.parse(f"region-{code}") for code, (name, _) in REGIONS.items() if named(words, name)]
    found += [
        Territory.parse(f"departement-{code}")
        for code, (name, _) in DEPARTEMENTS.items()
        if named(words, name) or " ".join(words) == code.lower()
    ]
    communes: list[Commune] = suggest(text)
    epcis = Territory.epcis(dict.fromkeys(commune.epci for commune in communes if commune.epci))
    for commune in communes:
        found += [
            epcis.get(commune.epci),
            Territory.parse(f"departement-{commune.departement}"),
            Territory.parse(f"region-{commune.region}"),
        ]
    return list(dict.fromkeys(territory for territory in found if territory is not None))[:LIMIT]

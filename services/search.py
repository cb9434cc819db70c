"""What a search is: the parameters of ../shared/docs/search-contract.md as one frozen object.

The search form (services.filters) validates a request into ``SearchParams``; the engine (services.engine)
answers it from the index in memory; the result pages and exports (services.results) load the services.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from data_inclusion.schema import v1

from communes.models import Commune
from communes.territories import Territory

RADII_KM = (5, 10, 20, 50, 100)
DEFAULT_RADIUS_KM = 50
PAGE_SIZE = 20
REMOTE = v1.ModeAccueil.A_DISTANCE.value
ON_SITE = v1.ModeAccueil.EN_PRESENTIEL.value
TOUS_PUBLICS = v1.Public.TOUS_PUBLICS.value
# How closely a zone targets the person's commune, most specific first; national comes after them.
SPECIFICITY_LEVELS = ("commune", "epci", "departement")
# The filters shown with a count next to each value (the facets), by parameter.
FACETS = ("thematiques", "publics", "types", "frais", "modes_accueil", "sources")
CATEGORIES = tuple(category.value for category in v1.Categorie)
THEMATIQUES_OF = {
    category: tuple(t.value for t in v1.Thematique if t.value.startswith(f"{category}--")) for category in CATEGORIES
}


def category_of(thematique: str) -> str:
    return thematique.split("--", 1)[0]


def effective_thematiques(values) -> tuple[str, ...]:
    """The thématiques a choice of needs stands for. A category means all its thématiques, unless some of them
    are chosen too: choosing a sub-need inside a chosen need narrows to the sub-need."""
    chosen = set(values)
    effective: set[str] = set()
    for value in chosen:
        if value in THEMATIQUES_OF:
            children = chosen.intersection(THEMATIQUES_OF[value])
            effective.update(children or THEMATIQUES_OF[value])
        else:
            effective.add(value)
    return tuple(sorted(effective))


@dataclass(frozen=True)
class Origin:
    """Where the person is: eligibility codes from a commune, distances from a point."""

    commune: Commune
    latitude: float
    longitude: float

    @classmethod
    def for_commune(cls, commune: Commune, latitude: float | None = None, longitude: float | None = None):
        if latitude is None or longitude is None:
            latitude, longitude = commune.latitude, commune.longitude
        return cls(commune=commune, latitude=latitude, longitude=longitude)

    @property
    def at_point(self) -> bool:
        """A point the person gave ("autour de moi"), rather than their commune's."""
        return (self.latitude, self.longitude) != (self.commune.latitude, self.commune.longitude)


@dataclass(frozen=True)
class SearchParams:
    origin: Origin | None = None
    radius_km: int = DEFAULT_RADIUS_KM
    thematiques: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()
    frais: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    modes_accueil: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    score_qualite_minimum: float | None = None
    q: str = ""
    ouvert: str = ""  # "maintenant" or "aujourdhui": services whose hours say open then
    at: datetime | None = None  # the instant "maintenant" means (now, unless a test says)
    collapse_duplicates: bool = True
    # Where services are and what their records hold (services.scopes): the searches behind territories' figures.
    territoire: Territory | None = None  # located in it (their commune)
    habitants: Territory | None = None  # open to its residents (eligibility zones)
    sur_place: bool = False  # offered on site at a known point
    maj_depuis: date | None = None  # date_maj on or after
    maj_avant: date | None = None  # date_maj before
    sans: str = ""  # a record without this: "contact", "horaires" or "coordonnees"

    def replace(self, **changes) -> "SearchParams":
        return dataclasses.replace(self, **{k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()})

    def with_option(self, facet: str, value: str) -> "SearchParams":
        """The search once the option is chosen too (a chosen one alone: what it brings)."""
        chosen = getattr(self, facet)
        return self.replace(**{facet: (value,) if value in chosen else (*chosen, value)})

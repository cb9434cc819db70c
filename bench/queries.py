"""A realistic mix of searches and commune autocompletes, reproducible from a seed.

People search where people live: communes are drawn weighted by population from the Commune table of the
database searched. The parameters are those the search form sends (`templates/services/includes/
search_form.html`): the commune label and its code, empty lat/lon unless "autour de moi" was used, the radius,
the text field, the ticked filters, and `page` only when a pagination link was followed.

Used by bench.bench_search; a load test can reuse `search_queries` and `autocomplete_queries` as they are.
"""

import random
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg
from data_inclusion.schema import v1

# Radius: most people keep the default.
RADII = {50: 0.74, 10: 0.08, 20: 0.07, 5: 0.05, 100: 0.06}
# How many filter values a search carries.
FILTER_COUNTS = {0: 0.35, 1: 0.33, 2: 0.20, 3: 0.12}
# Which filter a value is ticked in; the needs (thématiques) are by far the most used.
DIMENSIONS = {"thematiques": 0.50, "publics": 0.18, "types": 0.12, "frais": 0.10, "modes_accueil": 0.10}
# Words people type, with or without accents and capitals.
TEXTS = [
    "permis",
    "permis de conduire",
    "cv",
    "logement",
    "aide alimentaire",
    "numérique",
    "garde enfant",
    "garde d'enfants",
    "emploi",
    "formation",
    "mobilité",
    "mobilite",
    "français",
    "apprendre le français",
    "atelier",
    "budget",
    "santé",
    "vélo",
    "ordinateur",
    "dettes",
    "hébergement d'urgence",
    "jeunes",
    "entretien d'embauche",
    "insertion",
    "colis",
    "bénévolat",
    "handicap",
    "Mission locale",
    "CAF",
    "accompagnement",
]
TEXT_SHARE = 0.20
AROUND_ME_SHARE = 0.04
# Following a pagination link: only from broad searches, which always have pages 2 and 3 (the national
# remote services alone fill them); one specific need can leave a single page, whose link to page 3 nobody sees.
NEXT_PAGE_SHARE = 0.10
# Searches without filters nor text.
BROAD_SHARE = FILTER_COUNTS[0] * (1 - TEXT_SHARE)
POSTAL_CODE_SHARE = 0.15

CATEGORIES = [category.value for category in v1.Categorie]
THEMATIQUES = [thematique.value for thematique in v1.Thematique]
VALUES = {
    "publics": [public.value for public in v1.Public],
    "types": [type_.value for type_ in v1.TypeService],
    "frais": [frais.value for frais in v1.Frais],
    "modes_accueil": [mode.value for mode in v1.ModeAccueil],
}


@dataclass(frozen=True)
class Place:
    code_insee: str
    nom: str
    codes_postaux: tuple[str, ...]
    departement: str
    population: int
    latitude: float
    longitude: float

    @property
    def label(self) -> str:
        """As the autocomplete fills the field in: "Lille (59000)"."""
        return f"{self.nom} ({self.codes_postaux[0] if self.codes_postaux else self.departement})"


def load_places(database_url: str) -> list[Place]:
    """The communes and municipal arrondissements a person can choose, with a population and a point."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT code_insee, nom, codes_postaux, departement, population, latitude, longitude "
            "FROM communes_commune WHERE type IN ('commune', 'arrondissement-municipal') "
            "AND population > 0 AND latitude IS NOT NULL AND longitude IS NOT NULL "
            "ORDER BY code_insee, type"
        ).fetchall()
    return [
        Place(code, nom, tuple(postaux or ()), dep, pop, lat, lon) for code, nom, postaux, dep, pop, lat, lon in rows
    ]


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def draw_places(rng: random.Random, places: list[Place], count: int) -> list[Place]:
    return rng.choices(places, weights=[place.population for place in places], k=count)


def filter_values(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct (parameter, value) pairs; a need is a category (as the form offers first) or a thématique."""
    chosen: list[tuple[str, str]] = []
    while len(chosen) < count:
        dimension = weighted(rng, DIMENSIONS)
        if dimension == "thematiques":
            value = rng.choice(CATEGORIES) if rng.random() < 0.6 else rng.choice(THEMATIQUES)
        else:
            value = rng.choice(VALUES[dimension])
        if (dimension, value) not in chosen:
            chosen.append((dimension, value))
    return sorted(chosen)


def search_queries(places: list[Place], count: int, *, seed: int = 2026) -> list[list[tuple[str, str]]]:
    """`count` searches as the form sends them: lists of (parameter, value), in the form's order."""
    rng = random.Random(seed)
    queries = []
    for place in draw_places(rng, places, count):
        filters = filter_values(rng, weighted(rng, FILTER_COUNTS))
        text = rng.choice(TEXTS) if rng.random() < TEXT_SHARE else ""
        if rng.random() < AROUND_ME_SHARE:
            # The browser's position: somewhere in the commune, to 5 decimals (search.js).
            lat = round(place.latitude + rng.uniform(-0.02, 0.02), 5)
            lon = round(place.longitude + rng.uniform(-0.03, 0.03), 5)
            where = [("commune", ""), ("code_commune", ""), ("lat", str(lat)), ("lon", str(lon))]
        else:
            where = [("commune", place.label), ("code_commune", place.code_insee), ("lat", ""), ("lon", "")]
        params = [*where, ("rayon_km", str(weighted(rng, RADII))), ("q", text), *filters]
        params.append(("score_qualite_minimum", ""))
        if not filters and not text and rng.random() < NEXT_PAGE_SHARE / BROAD_SHARE:
            params.append(("page", str(rng.choice((2, 2, 3)))))
        queries.append(params)
    return queries


def autocomplete_queries(places: list[Place], count: int, *, seed: int = 2026) -> list[str]:
    """`count` texts typed in the commune field: 2 to 8 first characters of a name, or digits of a postal code."""
    rng = random.Random(seed + 1)
    texts = []
    for place in draw_places(rng, places, count):
        if place.codes_postaux and rng.random() < POSTAL_CODE_SHARE:
            code = rng.choice(place.codes_postaux)
            texts.append(code[: rng.choice((2, 3, 4, 5, 5))])
        else:
            typed = place.nom[: rng.randint(2, 8)].rstrip(" -'")
            if len(typed) < 2:
                typed = place.nom[:2]
            texts.append(typed.lower() if rng.random() < 0.7 else typed)
    return texts


def search_path(params: list[tuple[str, str]]) -> str:
    return "/services/?" + urlencode(params)


def autocomplete_path(text: str) -> str:
    return "/communes/autocomplete/?" + urlencode({"q": text})

"""Where demo structures are: the real communes of a communes CSV file, weighted by population."""

import csv
import gzip
import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from communes.reference import CSV_COLUMNS, arrondissement_parent

# Structures per inhabitant fall as towns grow: a village of 300 still has a mairie and a CCAS, a city
# of 300 000 does not have a thousand times more of everything.
POPULATION_EXPONENT = 0.85
# Radius of the jitter around the commune's point, by size: a village fits in 1 km.
JITTER_KM = ((2_000, 0.8), (20_000, 1.5), (math.inf, 3.0))
KM_PER_DEGREE = 111.32
# The data·inclusion offer covers France métropolitaine and the overseas départements and collectivities
# under French social law, not the Pacific collectivities (98x).
EXCLUDED_DEPARTEMENT_PREFIX = "98"


@dataclass(frozen=True, slots=True)
class Place:
    code_insee: str
    nom: str  # the commune's name, « Paris » for a Paris arrondissement
    codes_postaux: tuple[str, ...]
    departement: str
    region: str
    epci: str | None
    population: int
    latitude: float | None
    longitude: float | None
    parent_code: str | None  # the commune an arrondissement belongs to


class Geography:
    def __init__(self, places: list[Place], region_departements: dict[str, list[str]]):
        self.places, self.region_departements = places, region_departements
        self.cum_weights = list(accumulate(max(place.population, 20) ** POPULATION_EXPONENT for place in places))
        self.by_departement, self.by_epci = defaultdict(list), defaultdict(list)  # places, codes of the EPCI
        for place in places:
            self.by_departement[place.departement].append(place)
            self.by_epci[place.epci].append(place.code_insee)

    @classmethod
    def from_csv(cls, path: Path, departements: list[str] | None = None) -> "Geography":
        """Communes and arrondissements of a file in the format of `import_communes` (gzip or plain); a
        commune split into arrondissements (Paris, Lyon, Marseille) is its arrondissements only, to count
        its people once. ValueError, in French, for missing columns or départements."""
        with path.open("rb") as raw:
            opener = gzip.open if raw.read(2) == b"\x1f\x8b" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            if missing := [column for column in CSV_COLUMNS if column not in (reader.fieldnames or ())]:
                raise ValueError(f"colonne(s) manquante(s) : {', '.join(missing)}.")
            rows = sorted(
                (row for row in reader if not row["departement"].startswith(EXCLUDED_DEPARTEMENT_PREFIX)),
                key=lambda row: row["code_insee"],
            )
        regions: dict[str, list[str]] = {}
        for region, departement in sorted({(row["region"], row["departement"]) for row in rows}):
            if len(region) == 2 and region.isdigit():  # overseas collectivities: their own code, no region
                regions.setdefault(region, []).append(departement)
        if unknown := sorted(set(departements or ()) - {row["departement"] for row in rows}):
            raise ValueError(f"aucune commune du ou des départements {', '.join(unknown)}.")
        names = {row["code_insee"]: row["nom"] for row in rows}
        split = {arrondissement_parent(row["code_insee"]) for row in rows}
        places = []
        for row in rows:
            if row["code_insee"] in split or (departements and row["departement"] not in departements):
                continue
            parent = arrondissement_parent(row["code_insee"])
            nom, has_point = names.get(parent, row["nom"]), bool(row["latitude"] and row["longitude"])
            places.append(
                Place(
                    *(row["code_insee"], nom, tuple(row["codes_postaux"].split())),
                    *(row["departement"], row["region"], row["epci"] or None, int(row["population"] or 0)),
                    *((float(row["latitude"]), float(row["longitude"])) if has_point else (None, None)),
                    parent,
                )
            )
        return cls(places, regions)

    def pick(self, rng) -> Place:
        return rng.choices(self.places, cum_weights=self.cum_weights)[0]

    def coordinates(self, rng, place: Place) -> tuple[float | None, float | None]:
        """A point uniformly drawn within a few km of the commune's point."""
        if place.latitude is None or place.longitude is None:
            return None, None
        radius = next(km for limit, km in JITTER_KM if place.population < limit)
        distance, angle = radius * math.sqrt(rng.random()), rng.random() * math.tau
        km_per_longitude_degree = KM_PER_DEGREE * max(math.cos(math.radians(place.latitude)), 0.1)
        latitude = place.latitude + distance * math.cos(angle) / KM_PER_DEGREE
        longitude = place.longitude + distance * math.sin(angle) / km_per_longitude_degree
        return round(latitude, 6), round(longitude, 6)

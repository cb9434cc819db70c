"""Where demo structures are: real communes from the Commune table, weighted by population."""

import bisect
import math
from dataclasses import dataclass

from communes.models import Commune
from imports.demo import places
from imports.demo.text import short_slug

# Structures per inhabitant fall as towns grow: a village of 300 still has a mairie and a
# CCAS, a city of 300 000 does not have a thousand times more of everything.
POPULATION_EXPONENT = 0.85
# Radius of the jitter around the commune's point, by size: a village fits in 1 km.
JITTER_KM = ((2_000, 0.8), (20_000, 1.5), (math.inf, 3.0))
KM_PER_DEGREE = 111.32


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
    slug: str  # for domain names: « saint-etienne »


class Geography:
    def __init__(self, places_list: list[Place], region_departements: dict[str, list[str]]):
        if not places_list:
            raise ValueError("no commune")
        self.places = places_list
        self.region_departements = region_departements
        self.cum_weights = []
        total = 0.0
        for place in places_list:
            total += max(place.population, 20) ** POPULATION_EXPONENT
            self.cum_weights.append(total)
        self.total_weight = total
        self.by_departement: dict[str, list[Place]] = {}
        self.by_epci: dict[str, list[str]] = {}
        for place in places_list:
            self.by_departement.setdefault(place.departement, []).append(place)
            if place.epci:
                self.by_epci.setdefault(place.epci, []).append(place.code_insee)
        self.departements = sorted(self.by_departement)

    @classmethod
    def from_database(cls, departements: list[str] | None = None) -> "Geography":
        """Communes and arrondissements; a commune split into arrondissements (Paris, Lyon,
        Marseille) is represented by its arrondissements only, to count its people once."""
        queryset = Commune.objects.searchable().exclude(departement__startswith=places.EXCLUDED_DEPARTEMENT_PREFIX)
        region_departements: dict[str, list[str]] = {}
        for region, departement in (
            queryset.values_list("region", "departement").distinct().order_by("region", "departement")
        ):
            # Overseas collectivities carry their own code as region: not a region to list.
            if len(region) == 2 and region.isdigit():
                region_departements.setdefault(region, []).append(departement)
        if departements:
            queryset = queryset.filter(departement__in=departements)
        rows = queryset.order_by("code_insee", "type").values_list(
            "code_insee",
            "type",
            "nom",
            "codes_postaux",
            "departement",
            "region",
            "epci",
            "population",
            "latitude",
            "longitude",
            "parent__code_insee",
            "parent__nom",
        )
        split_communes = set(
            Commune.objects.filter(type=Commune.Type.ARRONDISSEMENT, parent__isnull=False).values_list(
                "parent__code_insee", flat=True
            )
        )
        places_list = []
        for code, kind, nom, codes_postaux, dep, region, epci, population, lat, lon, parent_code, parent_nom in rows:
            if kind == Commune.Type.COMMUNE and code in split_communes:
                continue
            is_arrondissement = kind == Commune.Type.ARRONDISSEMENT and parent_code
            places_list.append(
                Place(
                    code_insee=code,
                    nom=parent_nom if is_arrondissement else nom,
                    codes_postaux=tuple(codes_postaux or ()),
                    departement=dep,
                    region=region,
                    epci=epci or None,
                    population=population or 0,
                    latitude=lat,
                    longitude=lon,
                    parent_code=parent_code if is_arrondissement else None,
                    slug=short_slug(parent_nom if is_arrondissement else nom),
                )
            )
        return cls(places_list, region_departements)

    def pick(self, rng) -> Place:
        return self.places[bisect.bisect(self.cum_weights, rng.random() * self.total_weight)]

    def pick_in_departement(self, rng, departement: str) -> Place:
        return rng.choice(self.by_departement[departement])

    def coordinates(self, rng, place: Place) -> tuple[float | None, float | None]:
        """A point uniformly drawn within a few km of the commune's point."""
        if place.latitude is None or place.longitude is None:
            return None, None
        radius = next(km for limit, km in JITTER_KM if place.population < limit)
        distance = radius * math.sqrt(rng.random())
        angle = rng.random() * math.tau
        latitude = place.latitude + distance * math.cos(angle) / KM_PER_DEGREE
        longitude = place.longitude + distance * math.sin(angle) / (
            KM_PER_DEGREE * max(math.cos(math.radians(place.latitude)), 0.1)
        )
        return round(latitude, 6), round(longitude, 6)

    def address(self, rng, place: Place) -> str:
        if place.population < 1_000 and rng.random() < 0.5:
            return rng.choice(places.VILLAGE_ADDRESSES)
        street = rng.choice(places.STREETS)
        if street.startswith("place") and rng.random() < 0.5:
            return street[0].upper() + street[1:]
        number = int(1 + 120 * rng.random() ** 2.5)
        suffix = rng.choice((" bis", " ter", "B")) if rng.random() < 0.05 else ""
        return f"{number}{suffix} {street}"

    def code_postal(self, rng, place: Place) -> str | None:
        if not place.codes_postaux:
            return None
        return place.codes_postaux[0] if len(place.codes_postaux) == 1 else rng.choice(place.codes_postaux)

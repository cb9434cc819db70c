"""Where the offer is missing: for each need, how many of a territory's inhabitants live far from the nearest
on-site service open to them (territories.atlas), and which communes.

A place is "beyond 20 km" for a need when the search from it with a radius of 20 km and that need finds no service
on site (the search counts services within the radius, bounds included: beyond means strictly farther).
"""

from dataclasses import dataclass

import numpy as np
from data_inclusion.schema import v1
from django.db import connections

from communes.territories import Territory
from services.search import CATEGORIES, RADII_KM
from structures.schema import enum_label
from territories.atlas import Atlas
from territories.offer import search_url

THRESHOLDS_KM = (10, 20, 50)
DEFAULT_THRESHOLD_KM = 20
# Bands of the charts: up to 10 km, 10 to 20, 20 to 50, beyond 50 (or none).
BANDS = ("moins de 10 km", "de 10 à 20 km", "de 20 à 50 km", "plus de 50 km")
ORDERS = {
    "population": "population décroissante",
    "distance": "distance décroissante",
    "nom": "nom",
}


def covering_radius(distance_km: float) -> int:
    """The search radius that reaches a service this far (the largest one, beyond it)."""
    return next((radius for radius in RADII_KM if distance_km <= radius), RADII_KM[-1])


@dataclass
class Need:
    category: str
    label: str
    beyond: dict[int, float]  # threshold -> share of the population (0–1)
    places_beyond: dict[int, int]  # threshold -> places
    bands: list[float]  # share of the population in each band (percent)


@dataclass
class PlaceRow:
    code: str
    name: str
    population: int
    distance_km: float | None
    service_id: str | None
    service_name: str = ""
    search_url: str = ""


class Access:
    def __init__(self, territory: Territory, atlas: Atlas):
        self.territory = territory
        self.atlas = atlas
        self.places = atlas.places_in(territory)
        self.population = int(atlas.population[self.places].sum())

    def needs(self) -> list[Need]:
        population = self.atlas.population[self.places]
        total = max(int(population.sum()), 1)
        needs = []
        for index, category in enumerate(CATEGORIES):
            distance = self.atlas.distance[self.places, index]
            beyond = {km: float(population[distance > km].sum()) / total for km in THRESHOLDS_KM}
            edges = [0.0, *(1 - beyond[km] for km in THRESHOLDS_KM), 1.0]
            needs.append(
                Need(
                    category,
                    enum_label(v1.Categorie, category),
                    beyond,
                    {km: int((distance > km).sum()) for km in THRESHOLDS_KM},
                    [100 * (high - low) for low, high in zip(edges, edges[1:], strict=False)],
                )
            )
        return needs

    def beyond(self, category: str, threshold_km: int, order: str) -> np.ndarray:
        """The places of the territory beyond the threshold for the need, in the order asked (ties by code)."""
        index = CATEGORIES.index(category)
        places = self.places[self.atlas.distance[self.places, index] > threshold_km]
        codes = np.array(self.atlas.codes, dtype=object)[places]
        if order == "distance":
            keys = (codes, -self.atlas.distance[places, index])
        elif order == "nom":
            keys = (codes, np.array([self.atlas.names[place] for place in places], dtype=object))
        else:
            keys = (codes, -self.atlas.population[places])
        return places[np.lexsort(keys)] if len(places) else places

    def rows(self, places: np.ndarray, category: str, using: str) -> list[PlaceRow]:
        """The places as the list shows them, with their nearest on-site service for the need."""
        index = CATEGORIES.index(category)
        rows = []
        for place in places:
            distance = float(self.atlas.distance[place, index])
            reached = np.isfinite(distance)
            rows.append(
                PlaceRow(
                    self.atlas.codes[place],
                    self.atlas.names[place],
                    int(self.atlas.population[place]),
                    distance if reached else None,
                    self.atlas.service_id(int(self.atlas.nearest[place, index])),
                    search_url=search_url(
                        code_commune=self.atlas.codes[place],
                        thematiques=category,
                        rayon_km=covering_radius(distance) if reached else RADII_KM[-1],
                        doublons=1,
                    ),
                )
            )
        names = service_names([row.service_id for row in rows if row.service_id], using)
        for row in rows:
            row.service_name = names.get(row.service_id, "")
        return rows

    def points(self, category: str) -> list[list]:
        """The map's points: [latitude, longitude, distance in km or None, name, population]."""
        index = CATEGORIES.index(category)
        distance = self.atlas.distance[self.places, index]
        return [
            [
                round(float(lat), 5),
                round(float(lon), 5),
                round(float(km), 1) if np.isfinite(km) else None,
                name,
                int(pop),
            ]
            for lat, lon, km, name, pop in zip(
                self.atlas.latitude[self.places],
                self.atlas.longitude[self.places],
                distance,
                [self.atlas.names[place] for place in self.places],
                self.atlas.population[self.places],
                strict=True,
            )
        ]


def service_names(ids: list[str], using: str) -> dict[str, str]:
    if not ids:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT id, nom FROM services_service WHERE id = ANY(%s)", [ids])
        return dict(cursor.fetchall())

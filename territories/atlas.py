"""Where people live and how far each need's nearest on-site service is: computed once per machine and data version.

Places are where people live, each counted once: the communes, except Paris, Lyon and Marseille, whose municipal
arrondissements take their place (the city's population is theirs; communes déléguées have none of their own).

For each place and need category, the nearest service offered on site (services.columns ``offered_on_site``) among
those open to its residents, by the search contract's eligibility: national ones (null zone, 99100, france), those
of its département, of its EPCI, of its commune (or its parent city). The nearest eligible service is the nearest of
these four groups. National and departmental services are many: they are searched through scipy's KD-tree on
3D unit vectors, one per group and category. An EPCI's or a commune's zone holds a few services and a few places:
their pairs are measured directly. Distances are great-circle distances on the contract's sphere (core.geo).

The arrays are written to files named after the database and the version of the search columns they come from
(services.columns_store's folder, lock and writer): the first worker of a machine computes them, the others map
them.
"""

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connections
from scipy.spatial import cKDTree

from communes.models import CITIES_WITH_ARRONDISSEMENTS, Commune
from core.geo import EARTH_RADIUS_KM
from services import columns_store
from services.columns import Columns
from services.search import CATEGORIES
from territories import offer

# Bumped when the arrays change (names, meaning): files written by another release are not read.
FORMAT = 2
UNREACHED = np.inf  # no eligible on-site service for that need

PLACES_SQL = """
    SELECT c.code_insee, c.nom, coalesce(c.population, 0), c.latitude, c.longitude, c.departement,
        coalesce(p.epci, c.epci), p.code_insee
    FROM communes_commune AS c LEFT JOIN communes_commune AS p ON p.id = c.parent_id
    WHERE c.latitude IS NOT NULL AND c.longitude IS NOT NULL
      AND ((c.type = %s AND NOT c.code_insee = ANY(%s)) OR c.type = %s)
    ORDER BY c.code_insee
"""


@dataclass
class Atlas:
    """Per place (``codes``, ``names``, arrays ``population``, ``latitude``, ``longitude``), per category
    (CATEGORIES' order): ``distance`` in km and ``nearest``, the position of that service in ``service_ids``."""

    version: int
    arrays: dict[str, np.ndarray]
    values: dict[str, list[str]]

    def __getattr__(self, name: str):
        try:
            return self.__dict__["arrays"][name]
        except KeyError:
            raise AttributeError(name) from None

    @cached_property
    def code_array(self) -> np.ndarray:
        return np.array(self.values["codes"], dtype=object)

    def places_in(self, territory) -> np.ndarray:
        """The places of the territory (its communes, by the one rule of communes.territories)."""
        if territory.kind == "france":
            return np.arange(len(self.codes))
        return np.flatnonzero(np.isin(self.code_array, list(territory.commune_codes)))

    @property
    def codes(self) -> list[str]:
        return self.values["codes"]

    @property
    def names(self) -> list[str]:
        return self.values["names"]

    def service_id(self, position: int) -> str | None:
        if position < 0:
            return None
        offsets = self.arrays["id_offsets"]
        return bytes(self.arrays["id_bytes"][offsets[position] : offsets[position + 1]]).decode()


def unit_vectors(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(latitude), np.radians(longitude)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """The great-circle distance on the contract's sphere between two unit vectors this chord apart."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.asarray(chord) / 2))


class Nearest:
    """The running minimum, per place and category, over the groups of eligible services."""

    def __init__(self, places: np.ndarray, services: np.ndarray, has_category: np.ndarray):
        self.places, self.services, self.has_category = places, services, has_category
        self.distance = np.full((len(places), len(CATEGORIES)), UNREACHED)
        self.nearest = np.full((len(places), len(CATEGORIES)), -1, dtype=np.int32)

    def keep(self, place: np.ndarray, category: int, distance: np.ndarray, service: np.ndarray) -> None:
        better = distance < self.distance[place, category]
        self.distance[place[better], category] = distance[better]
        self.nearest[place[better], category] = service[better]

    def by_tree(self, place: np.ndarray, service: np.ndarray) -> None:
        """The places' nearest among these services, for each category, through a KD-tree."""
        for category in range(len(CATEGORIES)):
            chosen = service[self.has_category[service, category]]
            if len(chosen) and len(place):
                chord, found = cKDTree(self.services[chosen]).query(self.places[place])
                self.keep(place, category, chord_to_km(chord), chosen[found])

    def by_pairs(self, place: np.ndarray, service: np.ndarray) -> None:
        """The nearest for each place of (place, service) pairs, for each category, measured pair by pair."""
        distance = chord_to_km(np.linalg.norm(self.places[place] - self.services[service], axis=1))
        for category in range(len(CATEGORIES)):
            held = self.has_category[service, category]
            p, s, d = place[held], service[held], distance[held]
            order = np.lexsort((d, p))
            p, s, d = p[order], s[order], d[order]
            first = np.ones(len(p), dtype=bool)
            first[1:] = p[1:] != p[:-1]
            self.keep(p[first], category, d[first], s[first])


def group_pairs(keys: list, position: np.ndarray, columns: Columns) -> tuple[np.ndarray, np.ndarray]:
    """(place, service) pairs sharing a zone code: each place's ``keys`` code with the on-site services whose
    zone holds it (``position``: a row's place among the on-site services, -1 for the others)."""
    places_of: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key:
            places_of.setdefault(key, []).append(index)
    place_parts, service_parts = [], []
    for key, indices in places_of.items():
        rows = columns.zone_rows.get(key)
        if rows is None:
            continue
        services = position[rows]
        services = services[services >= 0]
        place_parts.append(np.repeat(indices, len(services)))
        service_parts.append(np.tile(services, len(indices)))
    if not place_parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(place_parts).astype(np.int64), np.concatenate(service_parts).astype(np.int64)


def category_matrix(columns: Columns, rows: np.ndarray) -> np.ndarray:
    """Per row, whether it serves each category (CATEGORIES' order)."""
    index = {value: CATEGORIES.index(value) for value in columns.values["categories"]}
    lookup = np.array([index[value] for value in columns.values["categories"]] + [len(CATEGORIES)], dtype=np.int64)
    codes = columns.matrix("categories")[rows]
    held = np.zeros((len(rows), len(CATEGORIES) + 1), dtype=bool)
    held[np.repeat(np.arange(len(rows)), codes.shape[1]), lookup[codes.ravel()]] = True
    return held[:, : len(CATEGORIES)]


def read_places(connection) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            PLACES_SQL, [Commune.Type.COMMUNE, list(CITIES_WITH_ARRONDISSEMENTS), Commune.Type.ARRONDISSEMENT]
        )
        return cursor.fetchall()


def compute(columns: Columns, places: list[tuple]) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    columns_of_places = [list(column) for column in zip(*places, strict=True)] or [[] for _ in range(8)]
    codes, names, population, latitude, longitude, departements, epcis, parents = columns_of_places
    on_site = np.flatnonzero(columns.offered_on_site)
    position = np.full(columns.size, -1, dtype=np.int64)
    position[on_site] = np.arange(len(on_site))
    nearest = Nearest(
        unit_vectors(np.array(latitude, dtype=float), np.array(longitude, dtype=float)),
        unit_vectors(columns.latitude[on_site], columns.longitude[on_site]),
        category_matrix(columns, on_site),
    )
    everyone = np.arange(len(codes))
    nearest.by_tree(everyone, np.flatnonzero(columns.national[on_site]))
    departement_array = np.array(departements, dtype=object)
    for departement in sorted(set(departements)):
        rows = columns.zone_rows.get(departement)
        if rows is not None:
            services = position[rows]
            nearest.by_tree(np.flatnonzero(departement_array == departement), services[services >= 0])
    for keys in (epcis, codes, parents):
        nearest.by_pairs(*group_pairs(keys, position, columns))
    ids = [value.encode() for value in columns.service_ids(on_site)]
    arrays = {
        "population": np.array(population, dtype=np.int64),
        "latitude": np.array(latitude, dtype=float),
        "longitude": np.array(longitude, dtype=float),
        "distance": nearest.distance,
        "nearest": nearest.nearest,
        "id_offsets": np.concatenate(([0], np.cumsum([len(value) for value in ids]))).astype(np.int64),
        "id_bytes": np.frombuffer(b"".join(ids), dtype=np.uint8).copy(),
    }
    return arrays, {"codes": codes, "names": names}


def load(connection, columns: Columns) -> Atlas:
    """The atlas of these columns' version: from the files of this machine, else computed and written."""
    directory = columns_store.root()
    if not columns_store.usable(directory):
        found = Atlas(columns.version, *compute(columns, read_places(connection)))
        found.values["references"] = offer.reference_counts(found, columns, connection)
        return found
    key = columns_store.database_key(connection)
    path = directory / f"{key}t{FORMAT}-{columns.version}"
    with columns_store.building(path):
        found = columns_store.read(path)
        if found is not None:
            return Atlas(columns.version, *found)
        found = Atlas(columns.version, *compute(columns, read_places(connection)))
        # The offer of France and of every région: what territories' pages compare with, the same for all of them.
        found.values["references"] = offer.reference_counts(found, columns, connection)
        columns_store.write(path, found.arrays, found.values)
    return found


_loaded: dict[str, Atlas] = {}
_lock = threading.Lock()


def current(alias: str) -> tuple[Columns, Atlas]:
    """The search columns this worker answers with on database ``alias``, and the atlas of their version."""
    columns = columns_store.current(alias)
    atlas = _loaded.get(alias)
    if atlas is None or atlas.version != columns.version:
        with _lock:
            atlas = _loaded.get(alias)
            if atlas is None or atlas.version != columns.version:
                atlas = _loaded[alias] = load(connections[alias], columns)
    return columns, atlas

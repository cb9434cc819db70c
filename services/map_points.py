"""The places of a search's results, for the map: GeoJSON from the engine's results (services.engine).

A map shows where to go: the results people can go to (on site within the radius, nearest first); without a
place searched, every result that has coordinates. Remote services have no place to show: the list has them.
Coordinates come from the engine's columns; names from one query on the primary keys.

A search can have tens of thousands of places (a big city's radius, or the whole country without a place): the
map gets the first MAX_POINTS of them in the results' order — the nearest — and says how many there are. Measured
on the national-size set (140,000 services, 2-core machine): a point weighs ~45 bytes once compressed; Lille with a
need 181 points (8 KB, 20–30 ms), Lille without one 2,875 (2,000 shown: 87 KB, 100–200 ms, most of it reading the
names), Paris 8,871 and the whole country 125,483 (2,000 shown, at most 110 KB). Beyond a few thousand markers a
phone draws slowly and nobody reads them; the nearest 2,000 cover the places one can go to, and the map says to
narrow the search to see the others. Answers are cached under the data version, like the pages.
"""

import numpy as np
from django.db import connections

from services.engine import Search
from services.presenters import detail_url, format_distance

MAX_POINTS = 2000
NAMES_SQL = (
    "SELECT s.id, s.nom, st.nom FROM services_service AS s JOIN structures_structure AS st ON st.id = s.structure_id"
    " WHERE s.id = ANY(%s) AND s.is_published AND st.is_published"
)


def placed_rows(search: Search) -> tuple[np.ndarray, np.ndarray]:
    """Positions in the results (their order) of the results with a place to show, and those rows."""
    results = search.results
    if search.params.origin is not None:
        positions = np.flatnonzero(results.on_site)
    else:
        positions = np.flatnonzero(np.isfinite(search.columns.latitude[results.rows]))
    return positions, results.rows[positions]


def names(search: Search, ids: list[str]) -> dict[str, tuple[str, str]]:
    with connections[search.connection.alias].cursor() as cursor:
        cursor.execute(NAMES_SQL, [ids])
        return {service_id: (nom, structure) for service_id, nom, structure in cursor.fetchall()}


def feature_collection(search: Search) -> dict:
    """The GeoJSON of the search's places: name, structure, distance and page of each, and how many were left out."""
    positions, rows = placed_rows(search)
    total = len(rows)
    positions, rows = positions[:MAX_POINTS], rows[:MAX_POINTS]
    columns = search.columns
    ids = columns.service_ids(rows)
    known = names(search, ids)
    distances = search.results.distance[positions]
    features = []
    for service_id, latitude, longitude, distance in zip(
        ids, columns.latitude[rows], columns.longitude[rows], distances, strict=True
    ):
        name = known.get(service_id)
        if name is None:  # unpublished since the columns were made
            continue
        properties = {"nom": name[0], "structure": name[1], "url": detail_url(service_id)}
        if not np.isnan(distance):
            properties["distance"] = format_distance(float(distance))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(longitude), 5), round(float(latitude), 5)]},
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features, "total": total, "shown": len(features)}

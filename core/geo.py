"""Distances on the search contract's sphere (radius 6371.0088 km), so that every part of the site — search,
service pages, territories — measures the same way."""

import math

import numpy as np

EARTH_RADIUS_KM = 6371.0088
# One degree of latitude on that sphere, in km.
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(latitude, longitude, origin_latitude: float, origin_longitude: float):
    """Great-circle distance in km from the origin: numpy arrays in, an array out; floats in, a float out.

    The minimum guards arcsin against a rounding error just above 1."""
    half_lat = np.sin(np.radians(np.subtract(latitude, origin_latitude)) / 2)
    half_lon = np.sin(np.radians(np.subtract(longitude, origin_longitude)) / 2)
    inner = half_lat**2 + np.cos(np.radians(latitude)) * math.cos(math.radians(origin_latitude)) * half_lon**2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(inner)))
    return float(distance) if np.ndim(distance) == 0 else distance


def box_bounds(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """The box around the circle: (west, south, east, north) in degrees; a cheap first cut before distances."""
    dlat = radius_km / KM_PER_DEGREE
    widest = min(89.9, abs(latitude) + dlat)
    dlon = min(180.0, radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest))))
    return longitude - dlon, latitude - dlat, longitude + dlon, latitude + dlat


def directions_url(latitude: float | None, longitude: float | None) -> str | None:
    """Directions to a point, on OpenStreetMap (no account, no tracking)."""
    if latitude is None or longitude is None:
        return None
    return f"https://www.openstreetmap.org/directions?to={latitude:.5f}%2C{longitude:.5f}"

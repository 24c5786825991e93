"""Distance and duration matrices, free of Django so that solvers and benchmarks can use them.

One vectorised great-circle computation (numpy) times a circuity factor, and an average
speed for durations; an OSRM server's table service instead when one is configured.
"""

import json
from urllib.parse import urlencode
from urllib.request import urlopen

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def great_circle_km_matrix(latitudes, longitudes, to_latitudes=None, to_longitudes=None):
    """Haversine distances (km) between every pair of points, as one numpy matrix."""
    lat1 = np.radians(np.asarray(latitudes, dtype=float))[:, None]
    lon1 = np.radians(np.asarray(longitudes, dtype=float))[:, None]
    lat2 = np.radians(np.asarray(to_latitudes if to_latitudes is not None else latitudes, float))
    lon2 = np.radians(np.asarray(to_longitudes if to_longitudes is not None else longitudes, float))
    half_dlat = (lat2[None, :] - lat1) / 2
    half_dlon = (lon2[None, :] - lon1) / 2
    a = np.sin(half_dlat) ** 2 + np.cos(lat1) * np.cos(lat2[None, :]) * np.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_matrices(
    latitudes, longitudes, *, circuity: float, speed_kmh: float
) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds between every pair of points, by great circle × circuity."""
    kilometres = great_circle_km_matrix(latitudes, longitudes) * circuity
    metres = np.rint(kilometres * 1000).astype(np.int64)
    seconds = np.rint(kilometres / speed_kmh * 3600).astype(np.int64)
    return metres, seconds


def osrm_matrices(
    latitudes, longitudes, *, base_url: str, timeout_s: float = 20.0
) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds from an OSRM server's /table service (car profile)."""
    coordinates = ";".join(
        f"{float(longitude):.6f},{float(latitude):.6f}"
        for latitude, longitude in zip(latitudes, longitudes, strict=True)
    )
    query = urlencode({"annotations": "distance,duration"})
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}?{query}"
    with urlopen(url, timeout=timeout_s) as response:
        answer = json.loads(response.read())
    if answer.get("code") != "Ok":
        raise RuntimeError(f"OSRM: {answer.get('code')} {answer.get('message', '')}")
    metres = np.rint(np.array(answer["distances"], dtype=float)).astype(np.int64)
    seconds = np.rint(np.array(answer["durations"], dtype=float)).astype(np.int64)
    return metres, seconds

"""Distance and duration matrices, free of Django so that solvers and benchmarks can use them.

By default an estimate: one vectorised great-circle computation (numpy) times a circuity
factor, driven at an urban speed inside the metropole and a road speed beyond it. With an
OSRM server configured, its table service, asked in blocks that fit its table limit; a pair
it cannot route keeps the estimate.
"""

import json
import logging
from dataclasses import dataclass
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

import numpy as np

EARTH_RADIUS_KM = 6371.0088
# OSRM's default --max-table-size: coordinates in one table request.
OSRM_MAX_TABLE_SIZE = 100

logger = logging.getLogger(__name__)


class OsrmUnavailable(RuntimeError):
    """The OSRM server did not answer, or answered with an error for the whole table."""


@dataclass(frozen=True)
class Metropole:
    """Where the urban speed applies: within `radius_km` of a centre (the hub)."""

    latitude: float
    longitude: float
    radius_km: float
    speed_kmh: float


def _share_inside(latitudes, longitudes, metropole: Metropole) -> np.ndarray:
    """For every leg, the share of its straight line that lies within the metropole's disc
    (on a local flat projection: a few tenths of a percent off at 100 km)."""
    latitude = np.radians(metropole.latitude)
    x = (np.asarray(longitudes, float) - metropole.longitude) * 111.32 * np.cos(latitude)
    y = (np.asarray(latitudes, float) - metropole.latitude) * 110.57
    start_x, start_y = x[:, None], y[:, None]
    dx, dy = x[None, :] - start_x, y[None, :] - start_y
    # |start + t·d| = r, for t in [0, 1]: a t² + 2 b t + c = 0.
    a = dx**2 + dy**2
    b = start_x * dx + start_y * dy
    c = start_x**2 + start_y**2 - metropole.radius_km**2
    root = np.sqrt(np.clip(b**2 - a * c, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        enters = np.clip((-b - root) / a, 0.0, 1.0)
        leaves = np.clip((-b + root) / a, 0.0, 1.0)
        share = np.where(b**2 - a * c > 0, leaves - enters, 0.0)
    # A leg of no length is inside when its point is.
    return np.where(a > 0, share, (c <= 0).astype(float))


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
    latitudes,
    longitudes,
    *,
    circuity: float,
    speed_kmh: float,
    metropole: Metropole | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds between every pair of points, by great circle × circuity, at
    `speed_kmh`; with a metropole, the part of each leg that crosses it at its urban speed
    (so that a place just inside and one just outside are a few minutes apart, not twice)."""
    kilometres = great_circle_km_matrix(latitudes, longitudes) * circuity
    metres = np.rint(kilometres * 1000).astype(np.int64)
    if metropole is None:
        hours = kilometres / speed_kmh
    else:
        in_town = kilometres * _share_inside(latitudes, longitudes, metropole)
        hours = in_town / metropole.speed_kmh + (kilometres - in_town) / speed_kmh
    seconds = np.rint(hours * 3600).astype(np.int64)
    return metres, seconds


def osrm_matrices(
    latitudes,
    longitudes,
    *,
    base_url: str,
    estimate: tuple[np.ndarray, np.ndarray],
    timeout_s: float = 20.0,
    table_size: int = OSRM_MAX_TABLE_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds from an OSRM server's /table service (car profile).

    Asked in blocks of sources × destinations that fit `table_size` coordinates; a pair
    OSRM cannot route (null: an island, a closed road) keeps `estimate`'s figures. Raises
    OsrmUnavailable when the server does not answer or refuses a block."""
    count = len(latitudes)
    block = max(1, table_size // 2)
    metres = np.full((count, count), np.nan)
    seconds = np.full((count, count), np.nan)
    starts = range(0, count, block)
    for source_start in starts:
        sources = list(range(source_start, min(source_start + block, count)))
        for destination_start in starts:
            destinations = list(range(destination_start, min(destination_start + block, count)))
            distances, durations = _osrm_table(
                latitudes, longitudes, sources, destinations, base_url, timeout_s
            )
            metres[np.ix_(sources, destinations)] = distances
            seconds[np.ix_(sources, destinations)] = durations
    unroutable = np.isnan(metres) | np.isnan(seconds)
    if unroutable.any():
        logger.warning("OSRM could not route %d pairs: estimated instead", unroutable.sum())
        metres[unroutable] = estimate[0][unroutable]
        seconds[unroutable] = estimate[1][unroutable]
    return np.rint(metres).astype(np.int64), np.rint(seconds).astype(np.int64)


def _osrm_table(latitudes, longitudes, sources, destinations, base_url, timeout_s):
    points = sorted(set(sources) | set(destinations))
    position = {point: index for index, point in enumerate(points)}
    coordinates = ";".join(
        f"{float(longitudes[point]):.6f},{float(latitudes[point]):.6f}" for point in points
    )
    query = urlencode(
        {
            "annotations": "distance,duration",
            "sources": ";".join(str(position[point]) for point in sources),
            "destinations": ";".join(str(position[point]) for point in destinations),
        }
    )
    url = f"{base_url.rstrip('/')}/table/v1/driving/{coordinates}?{query}"
    try:
        with urlopen(url, timeout=timeout_s) as response:
            answer = json.loads(response.read())
    except (URLError, TimeoutError, ValueError) as error:
        raise OsrmUnavailable(f"{base_url}: {error}") from error
    if answer.get("code") != "Ok":
        raise OsrmUnavailable(f"{base_url}: {answer.get('code')} {answer.get('message', '')}")
    # null (unroutable) becomes NaN.
    return (
        np.array(answer["distances"], dtype=float),
        np.array(answer["durations"], dtype=float),
    )

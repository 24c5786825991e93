"""Distances, zones and geocoding.

Distances are great-circle distances computed as one vectorised matrix (numpy); road
distances multiply them by a circuity factor. Zones are shapely polygons; a place gets the
most specific zone that contains it (a QPV before its commune). Addresses go through geopy's
BANFrance geocoder (the national address base), whose domain is a setting, with a cache table.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance
from shapely.geometry import Point, shape
from shapely.prepared import prep

from .choices import ZoneKind
from .distances import great_circle_km_matrix
from .models import GeocodeCache, Hub, Zone


def great_circle_km(latitude, longitude, to_latitude, to_longitude) -> Decimal:
    distance = great_circle_km_matrix([latitude], [longitude], [to_latitude], [to_longitude])
    return Decimal(str(round(float(distance[0, 0]), 2)))


def main_hub() -> Hub | None:
    """The platform's hub: distances to it decide what is local."""
    return Hub.objects.order_by("id").first()


def distance_to_hub_km(latitude, longitude, hub: Hub | None = None) -> Decimal | None:
    """Great-circle distance to the main hub (the crow-flies radius used for 'local')."""
    hub = hub or main_hub()
    if hub is None or latitude is None or longitude is None:
        return None
    return great_circle_km(latitude, longitude, hub.latitude, hub.longitude)


class ZoneLocator:
    """The zones, loaded and prepared once for many point-in-polygon tests."""

    def __init__(self, zones=None):
        zones = list(Zone.objects.all()) if zones is None else list(zones)
        # QPV first: a place in a priority neighbourhood gets it rather than its commune.
        zones.sort(key=lambda zone: (zone.kind != ZoneKind.QPV, zone.code))
        self._prepared = [(zone, prep(shape(zone.geometry))) for zone in zones]

    def locate(self, latitude, longitude) -> Zone | None:
        if latitude is None or longitude is None:
            return None
        point = Point(float(longitude), float(latitude))
        for zone, geometry in self._prepared:
            if geometry.contains(point):
                return zone
        return None


def zone_for_point(latitude, longitude) -> Zone | None:
    """The QPV containing the point, else its commune, else None."""
    return ZoneLocator().locate(latitude, longitude)


@dataclass(frozen=True)
class GeocodedAddress:
    latitude: Decimal
    longitude: Decimal
    label: str


def normalise_address(address: str) -> str:
    text = unicodedata.normalize("NFKC", address).lower()
    return re.sub(r"[\s,]+", " ", text).strip()


def geocode(address: str) -> GeocodedAddress | None:
    """Coordinates of a French address, from the cache or the BAN geocoder.

    Answers None when the address is unknown or the geocoder cannot be reached; an unknown
    address is cached, an unreachable geocoder is not (it is asked again next time).
    """
    query = normalise_address(address)
    if not query:
        return None
    cached = GeocodeCache.objects.filter(query=query).first()
    if cached is not None:
        if not cached.found or cached.latitude is None or cached.longitude is None:
            return None
        return GeocodedAddress(cached.latitude, cached.longitude, cached.label)
    if not settings.GEOCODER_ENABLED:
        return None
    geocoder = BANFrance(
        domain=settings.GEOCODER_DOMAIN,
        scheme=settings.GEOCODER_SCHEME,
        timeout=settings.GEOCODER_TIMEOUT_S,
        user_agent="appro-solidaire",
    )
    try:
        location = geocoder.geocode(address, exactly_one=True)
    except GeopyError:
        return None
    if location is None:
        GeocodeCache.objects.get_or_create(query=query, defaults={"found": False})
        return None
    latitude = Decimal(str(round(location.latitude, 6)))
    longitude = Decimal(str(round(location.longitude, 6)))
    properties = (location.raw or {}).get("properties", {})
    GeocodeCache.objects.get_or_create(
        query=query,
        defaults={
            "found": True,
            "latitude": latitude,
            "longitude": longitude,
            "label": str(properties.get("label", location.address or ""))[:400],
            "score": properties.get("score"),
        },
    )
    return GeocodedAddress(latitude, longitude, location.address or "")

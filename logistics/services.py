from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.models import Organisation
from core.services import model_update
from orders.models import Grocery
from producers.models import Producer

from . import geography
from .models import Hub, Vehicle, Zone


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal
    zone: Zone | None
    distance_to_hub_km: Decimal | None


def place_locate(
    *, address: str, latitude: Decimal | None, longitude: Decimal | None, check_hub: bool = True
) -> Location:
    """Coordinates for a place: the ones given, else the geocoder's answer for the address.

    Refuses a place the geocoder cannot find without manual coordinates, and a place farther
    than MAX_DISTANCE_FROM_HUB_KM from the hub (almost always a typing error).
    """
    if (latitude is None) != (longitude is None):
        raise InvalidInput(
            _("Give both latitude and longitude, or neither."),
            fields={"latitude": [_("Give both latitude and longitude, or neither.")]},
        )
    if latitude is None:
        found = geography.geocode(address) if address else None
        if found is None:
            raise InvalidInput(
                _("The address could not be located; give latitude and longitude by hand."),
                code="address_not_found",
                fields={"address": [_("Address not found by the geocoder.")]},
            )
        latitude, longitude = found.latitude, found.longitude
    assert longitude is not None  # both or neither, checked above
    distance = geography.distance_to_hub_km(latitude, longitude)
    if check_hub and distance is not None and distance > settings.MAX_DISTANCE_FROM_HUB_KM:
        message = _("This place is %(distance)s km from the hub; the limit is %(limit)s km.") % {
            "distance": distance,
            "limit": settings.MAX_DISTANCE_FROM_HUB_KM,
        }
        raise InvalidInput(message, fields={"latitude": [message], "longitude": [message]})
    return Location(latitude, longitude, geography.zone_for_point(latitude, longitude), distance)


# What place_relocate may change on a grocery or a producer.
PLACE_FIELDS = ("latitude", "longitude", "zone")


def place_relocate(*, place: Grocery | Producer, changed: set[str]) -> Location | None:
    """Locate a grocery or producer again after an update that touched where it is.

    A new address without new coordinates is geocoded again; new coordinates are kept.
    Answers None when neither the address nor the coordinates changed.
    """
    if not {"address", "latitude", "longitude"} & changed:
        return None
    if "address" in changed and not {"latitude", "longitude"} & changed:
        latitude = longitude = None
    else:
        latitude, longitude = place.latitude, place.longitude
    location = place_locate(address=place.address, latitude=latitude, longitude=longitude)
    place.latitude, place.longitude, place.zone = (
        location.latitude,
        location.longitude,
        location.zone,
    )
    return location


@transaction.atomic
def hub_create(*, organisation: Organisation, **fields: Any) -> Hub:
    hub = Hub.objects.create(organisation=organisation, **fields)
    # The main hub decides what is local: when it moves, every producer's distance follows.
    producers_refresh_distances()
    return hub


@transaction.atomic
def hub_update(*, hub: Hub, **fields: Any) -> Hub:
    model_update(hub, fields)
    producers_refresh_distances()
    return hub


def vehicle_create(*, organisation: Organisation, **fields: Any) -> Vehicle:
    return Vehicle.objects.create(organisation=organisation, **fields)


@transaction.atomic
def zones_load(*, path: str | Path) -> int:
    """Load communes and QPV polygons from a GeoJSON file, then re-zone every place."""
    import json

    from shapely.geometry import shape

    collection = json.loads(Path(path).read_text(encoding="utf-8"))
    count = 0
    for feature in collection.get("features", []):
        properties = feature["properties"]
        geometry = shape(feature["geometry"])
        if not geometry.is_valid or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(
                _("Zone %(code)s has an invalid polygon.") % {"code": properties.get("code")}
            )
        Zone.objects.update_or_create(
            code=properties["code"],
            defaults={
                "name": properties["name"],
                "kind": properties["kind"],
                "commune": properties["commune"],
                "geometry": feature["geometry"],
            },
        )
        count += 1
    places_rezone()
    return count


def places_rezone() -> None:
    """Give every grocery and producer the zone that contains it."""
    locator = geography.ZoneLocator()
    for model in (Grocery, Producer):
        places: list[Grocery | Producer] = list(
            model._default_manager.select_related(None).only(
                "id", "latitude", "longitude", "zone_id"
            )
        )
        for place in places:
            zone = locator.locate(place.latitude, place.longitude)
            place.zone_id = zone.id if zone else None
        model._default_manager.bulk_update(places, ["zone"], batch_size=500)  # type: ignore[arg-type]


def producers_refresh_distances() -> int:
    """Recompute every producer's distance to the main hub in one vectorised pass."""
    hub = geography.main_hub()
    producers = list(Producer.objects.select_related(None).only("id", "latitude", "longitude"))
    if not producers:
        return 0
    if hub is None:
        distances: list[Decimal | None] = [None] * len(producers)
    else:
        matrix = geography.great_circle_km_matrix(
            [producer.latitude for producer in producers],
            [producer.longitude for producer in producers],
            [hub.latitude],
            [hub.longitude],
        )
        distances = [Decimal(str(round(float(value), 2))) for value in matrix[:, 0]]
    for producer, distance in zip(producers, distances, strict=True):
        producer.distance_to_hub_km = distance
    Producer.objects.bulk_update(producers, ["distance_to_hub_km"], batch_size=500)
    return len(producers)

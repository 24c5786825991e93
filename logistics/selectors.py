from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.access import Actor
from core.choices import Commune, Role
from producers.models import Producer

from .choices import StopKind
from .models import Round, RoundStop, UnservedStop


def round_list(*, actor: Actor, cycle) -> QuerySet[Round]:
    """All rounds for the coordinator; for a grocery or a producer, the rounds that stop at
    its place, with that stop only."""
    rounds = Round.objects.filter(cycle=cycle).select_related("vehicle")
    if actor.role == Role.COORDINATOR:
        return rounds.prefetch_related("stops", "trips")
    if actor.role == Role.GROCERY_VOLUNTEER:
        kind, place_ids = (
            StopKind.GROCERY,
            list(
                actor.organisation.__class__.objects.filter(pk=actor.organisation_id).values_list(
                    "grocery__id", flat=True
                )
            ),
        )
    elif actor.role == Role.PRODUCER:
        kind, place_ids = (
            StopKind.PRODUCER,
            list(
                actor.organisation.__class__.objects.filter(pk=actor.organisation_id).values_list(
                    "producer__id", flat=True
                )
            ),
        )
    else:
        return rounds.none()
    own = RoundStop.objects.filter(kind=kind, place_id__in=place_ids)
    return (
        rounds.filter(stops__in=own)
        .distinct()
        .prefetch_related(Prefetch("stops", queryset=own), "trips")
    )


def unserved_list(*, cycle) -> QuerySet[UnservedStop]:
    """The places the last plan of the cycle left out, and why."""
    return UnservedStop.objects.filter(cycle=cycle)


def _json(value):
    """A value as the API writes it: decimals as strings, instants in the local time zone."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def rounds_geojson(rounds: Iterable[Round], *, totals: bool) -> dict:
    """Each round (its vehicle and stops loaded, as round_list gives them) as a LineString
    through its stops, each stop as a Point: the map of the screen and of the API. The
    round's totals (distance, load, cost) only with `totals` (the coordinator)."""
    features: list[dict] = []
    for round_ in rounds:
        stops = list(round_.stops.all())
        coordinates = [[float(stop.longitude), float(stop.latitude)] for stop in stops]
        properties = {
            "id": round_.id,
            "kind": round_.kind,
            "vehicle_name": round_.vehicle.name,
            "distance_km": round_.distance_km if totals else None,
            "load_kg": round_.load_kg if totals else None,
            "cost_eur": round_.cost_eur if totals else None,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coordinates},
                "properties": {key: _json(value) for key, value in properties.items()},
            }
        )
        for stop in stops:
            point = {
                "round": round_.id,
                "sequence": stop.sequence,
                "kind": stop.kind,
                "name": stop.name,
                "arrival_at": stop.arrival_at,
                "departs_at": stop.departs_at,
                "load_kg": stop.load_kg,
                "cold_kg": stop.cold_kg,
                "trip": stop.trip,
            }
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(stop.longitude), float(stop.latitude)],
                    },
                    "properties": {key: _json(value) for key, value in point.items()},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def stop_communes(rounds: Iterable[Round]) -> list[str]:
    """The communes where the rounds collect, by their names in the contours of the Nord,
    for the map's labels. Lille, Lomme and Hellemmes (where the hub and the groceries are)
    are labelled by the project's zones: in the contours, Lomme and Hellemmes, communes
    associated with Lille, have no outline of their own."""
    stops = [stop for round_ in rounds for stop in round_.stops.all()]
    producers = {stop.place_id for stop in stops if stop.kind == StopKind.PRODUCER}
    communes = Producer.objects.filter(pk__in=producers).values_list(
        "organisation__commune", flat=True
    )
    return sorted({commune for commune in communes if commune} - set(Commune.values))

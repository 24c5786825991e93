"""Collection and delivery rounds of a cycle: from confirmed kilograms to planned rounds."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import cast

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.money import quantize_money
from orders.models import Grocery, OrderLine, destination_grocery_id
from orders.quantities import delivered_weight_kg
from producers.models import Producer
from supply.choices import PLANNABLE
from supply.models import OrderCycle

from . import solver
from .choices import RoundKind, StopKind
from .distances import Metropole, OsrmUnavailable, osrm_matrices, road_matrices
from .models import Hub, Round, RoundStop, Vehicle

KG: DecimalField = DecimalField(max_digits=14, decimal_places=3)


@dataclass(frozen=True)
class Place:
    kind: str
    id: int
    name: str
    latitude: Decimal
    longitude: Decimal
    kg: Decimal
    cold_kg: Decimal  # of kg, what must stay cold
    opens: time
    closes: time


def _places(cycle: OrderCycle) -> tuple[list[Place], list[Place]]:
    lines = {"order__cycle": cycle}
    by_producer = _kilograms_for(lines, F("offer__product__producer_id"))
    by_grocery = _kilograms_for(lines, destination_grocery_id())
    producers = [
        Place(
            StopKind.PRODUCER,
            producer.id,
            producer.name,
            producer.latitude,
            producer.longitude,
            *by_producer[producer.id],
            producer.available_from_time,
            producer.available_until_time,
        )
        for producer in Producer.objects.filter(id__in=list(by_producer)).order_by("id")
    ]
    groceries = [
        Place(
            StopKind.GROCERY,
            grocery.id,
            grocery.name,
            grocery.latitude,
            grocery.longitude,
            *by_grocery[grocery.id],
            grocery.opens_at_time,
            grocery.closes_at_time,
        )
        for grocery in Grocery.objects.filter(id__in=list(by_grocery)).order_by("id")
    ]
    return producers, groceries


def _kilograms_for(filters: dict, group_by: F | Coalesce) -> dict[int, tuple[Decimal, Decimal]]:
    """Kilograms, and cold kilograms among them, by place."""
    weight = delivered_weight_kg()
    cold = Q(offer__product__category__in=settings.COLD_CATEGORIES)
    rows = (
        OrderLine.objects.live()
        .filter(**filters)
        .annotate(place=group_by)
        .values("place")
        .annotate(
            kg=Sum(weight),
            cold_kg=Coalesce(Sum(weight, filter=cold), Value(Decimal("0")), output_field=KG),
        )
        .order_by("place")
    )
    return {row["place"]: (row["kg"], row["cold_kg"]) for row in rows if row["kg"] > 0}


def _matrices(hub: Hub, places: list[Place]) -> tuple[np.ndarray, np.ndarray]:
    """Metres and seconds between the hub (first) and the places: the estimate (urban speed
    around the hub, road speed beyond), or OSRM's roads where it can route them."""
    latitudes = [hub.latitude, *[place.latitude for place in places]]
    longitudes = [hub.longitude, *[place.longitude for place in places]]
    metropole = Metropole(
        latitude=float(hub.latitude),
        longitude=float(hub.longitude),
        radius_km=settings.ROUTING_METROPOLE_RADIUS_KM,
        speed_kmh=settings.ROUTING_URBAN_SPEED_KMH,
    )
    estimate = road_matrices(
        latitudes,
        longitudes,
        circuity=float(settings.ROAD_CIRCUITY_FACTOR),
        speed_kmh=settings.ROUTING_ROAD_SPEED_KMH,
        metropole=metropole,
    )
    if not settings.OSRM_URL:
        return estimate
    try:
        return osrm_matrices(latitudes, longitudes, base_url=settings.OSRM_URL, estimate=estimate)
    except OsrmUnavailable as unavailable:
        raise StateConflict(
            _(
                "The road server (OSRM) does not answer: %(error)s. Plan again once it is "
                "back, or without OSRM_URL to plan on estimated distances."
            )
            % {"error": unavailable},
            code="routing_unavailable",
        ) from unavailable


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60


def _stop(place: Place) -> solver.Stop:
    service_s = settings.ROUTING_SERVICE_BASE_S + int(
        float(place.kg) * settings.ROUTING_SERVICE_PER_KG_S
    )
    return solver.Stop(
        name=place.name,
        load_g=int((place.kg * 1000).to_integral_value()),
        service_s=service_s,
        opens_s=_seconds(place.opens),
        # The van arrives in time to be unloaded (or loaded) before the place closes.
        closes_s=_seconds(place.closes) - service_s,
        cold_g=int((place.cold_kg * 1000).to_integral_value()),
        key=place,
    )


def _problem(
    hub: Hub, places: list[Place], vehicles: list[Vehicle], pickup: bool
) -> solver.Problem:
    distance, duration = _matrices(hub, places)
    stops = [_stop(place) for place in places]
    vans = [
        solver.Van(
            name=vehicle.name,
            capacity_g=int(vehicle.capacity_kg * 1000),
            refrigerated=vehicle.is_refrigerated,
            cold_capacity_g=int(vehicle.cold_capacity * 1000),
            cost_per_km=float(vehicle.cost_per_km),
            hourly_cost=float(settings.DRIVER_HOURLY_COST),
            fixed_cost=float(vehicle.fixed_cost_eur),
            opens_s=_seconds(vehicle.available_from) if vehicle.available_from else 0,
            closes_s=_seconds(vehicle.available_until) if vehicle.available_until else solver.DAY_S,
            max_shift_s=vehicle.max_shift_min * 60 if vehicle.max_shift_min else None,
            max_trips=settings.ROUTING_MAX_TRIPS,
            key=vehicle,
        )
        for vehicle in vehicles
    ]
    opens, closes = settings.ROUTING_HUB_HOURS
    return solver.Problem(
        distance,
        duration,
        stops,
        vans,
        pickup=pickup,
        hub_opens_s=opens * 3600,
        hub_closes_s=closes * 3600,
    )


def cycle_check_plannable(*, cycle: OrderCycle) -> None:
    if cycle.status not in PLANNABLE:
        raise StateConflict(
            _("Rounds are planned once producers have confirmed (cycle confirmed)."),
            code="cycle_not_confirmed",
        )


def vehicles_check(*, vehicle_ids: list[int]) -> list[Vehicle]:
    vehicles = list(Vehicle.objects.filter(id__in=vehicle_ids, is_active=True).order_by("id"))
    if not vehicle_ids or len(vehicles) != len(set(vehicle_ids)):
        message = _("Name active vans of the platform.")
        raise InvalidInput(message, fields={"vehicles": [message]})
    return vehicles


def cycle_plan_rounds(
    *,
    cycle_id: int,
    vehicle_ids: list[int],
    time_limit_s: float,
    now: datetime,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """Plan the collection and delivery rounds of a confirmed cycle, replacing earlier plans.

    The solver runs outside any transaction; its rounds are then written in one.
    """
    progress = progress or (lambda percent: None)
    cycle = OrderCycle.objects.select_related("hub").get(pk=cycle_id)
    cycle_check_plannable(cycle=cycle)
    vehicles = vehicles_check(vehicle_ids=vehicle_ids)
    producers, groceries = _places(cycle)
    progress(10)
    origin = timezone.make_aware(datetime.combine(cycle.delivery_date, time(0)))
    plans = []
    for index, (kind, places, pickup) in enumerate(
        ((RoundKind.COLLECTION, producers, True), (RoundKind.DELIVERY, groceries, False))
    ):
        if not places:
            continue
        try:
            plan = solver.solve(
                _problem(cycle.hub, places, vehicles, pickup),
                time_limit_s=time_limit_s / 2,
                patience=settings.ROUTING_PATIENCE_ITERATIONS,
            )
        except solver.Infeasible as infeasible:
            raise StateConflict(
                _("No plan can serve every stop: %(reasons)s.")
                % {"reasons": "; ".join(infeasible.problems)},
                code="routing_infeasible",
            ) from infeasible
        plans.append((kind, plan))
        progress(10 + 40 * (index + 1))
    with transaction.atomic():
        Round.objects.filter(cycle=cycle).delete()
        count, used = 0, set()
        for kind, plan in plans:
            for planned in plan.rounds:
                # A van's fixed cost is the day's: on its first round only.
                vehicle_id = cast(Vehicle, planned.van.key).id
                first_of_the_day = vehicle_id not in used
                used.add(vehicle_id)
                _write_round(cycle, kind, planned, origin, now, with_fixed_cost=first_of_the_day)
                count += 1
    return {"cycle": cycle_id, "rounds": count}


def _write_round(
    cycle: OrderCycle,
    kind: str,
    planned: solver.Round,
    origin: datetime,
    now: datetime,
    *,
    with_fixed_cost: bool,
) -> Round:
    vehicle = cast(Vehicle, planned.van.key)
    kilometres = Decimal(planned.distance_m) / 1000
    # The objective's formula (solver.Van.cost), in decimals: km, the driver's hours, fixed.
    cost = (
        kilometres * vehicle.cost_per_km
        + Decimal(planned.duration_s) / 3600 * settings.DRIVER_HOURLY_COST
        + (vehicle.fixed_cost_eur if with_fixed_cost else Decimal("0"))
    )
    round_ = Round.objects.create(
        cycle=cycle,
        kind=kind,
        vehicle=vehicle,
        distance_km=kilometres.quantize(Decimal("0.01")),
        duration_min=round(planned.duration_s / 60),
        load_kg=(Decimal(planned.load_g) / 1000).quantize(Decimal("0.001")),
        cost_eur=quantize_money(cost),
        starts_at=origin + timedelta(seconds=planned.start_s),
        ends_at=origin + timedelta(seconds=planned.end_s),
        planned_at=now,
    )
    hub = cycle.hub
    stops = [
        RoundStop(
            round=round_,
            sequence=0,
            kind=StopKind.HUB,
            place_id=hub.id,
            name=hub.name,
            latitude=hub.latitude,
            longitude=hub.longitude,
            arrival_at=round_.starts_at,
            load_kg=0,
        )
    ]
    for sequence, visit in enumerate(planned.visits, start=1):
        place = cast(Place, visit.stop.key)
        stops.append(
            RoundStop(
                round=round_,
                sequence=sequence,
                kind=place.kind,
                place_id=place.id,
                name=visit.stop.name,
                latitude=place.latitude,
                longitude=place.longitude,
                arrival_at=origin + timedelta(seconds=visit.arrival_s),
                load_kg=(Decimal(visit.load_g) / 1000).quantize(Decimal("0.001")),
            )
        )
    stops.append(
        RoundStop(
            round=round_,
            sequence=len(stops),
            kind=StopKind.HUB,
            place_id=hub.id,
            name=hub.name,
            latitude=hub.latitude,
            longitude=hub.longitude,
            arrival_at=round_.ends_at,
            load_kg=0,
        )
    )
    RoundStop.objects.bulk_create(stops)
    return round_

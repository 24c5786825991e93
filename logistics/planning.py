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

from . import notifications, solver
from .choices import RoundKind, StopKind
from .distances import Metropole, OsrmUnavailable, osrm_matrices, road_matrices
from .models import Hub, Round, RoundStop, RoundTrip, UnservedStop, Vehicle

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


def _stop(place: Place, row: int, *, release_s: int = 0) -> solver.Stop:
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
        row=row,
        pickup=place.kind == StopKind.PRODUCER,
        release_s=release_s,
    )


def _van(
    vehicle: Vehicle,
    *,
    free_from_s: int = 0,
    back_by_s: int | None = None,
    fixed_cost: bool = True,
) -> solver.Van:
    opens_s = _seconds(vehicle.available_from) if vehicle.available_from else 0
    closes_s = _seconds(vehicle.available_until) if vehicle.available_until else solver.DAY_S
    return solver.Van(
        name=vehicle.name,
        capacity_g=int(vehicle.capacity_kg * 1000),
        refrigerated=vehicle.is_refrigerated,
        cold_capacity_g=int(vehicle.cold_capacity * 1000),
        cost_per_km=float(vehicle.cost_per_km),
        hourly_cost=float(settings.DRIVER_HOURLY_COST),
        fixed_cost=float(vehicle.fixed_cost_eur) if fixed_cost else 0.0,
        opens_s=max(opens_s, free_from_s),
        closes_s=min(closes_s, back_by_s) if back_by_s is not None else closes_s,
        max_shift_s=vehicle.max_shift_min * 60 if vehicle.max_shift_min else None,
        max_trips=settings.ROUTING_MAX_TRIPS,
        key=vehicle,
    )


def _sources(cycle: OrderCycle) -> dict[int, set[int]]:
    """The producers whose goods each grocery receives."""
    pairs = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle)
        .annotate(grocery=destination_grocery_id(), producer=F("offer__product__producer_id"))
        .values_list("grocery", "producer")
        .distinct()
    )
    sources: dict[int, set[int]] = {}
    for grocery, producer in pairs:
        sources.setdefault(grocery, set()).add(producer)
    return sources


@dataclass
class Day:
    """The day's plan: collection then delivery, by the same vans on the same clock."""

    collection: solver.Plan | None
    delivery: solver.Plan | None
    collection_offset_s: int  # where the collection's seconds start, from the delivery day

    @property
    def unserved_g(self) -> int:
        return sum(left.stop.load_g for _kind, plan, _ in self.plans for left in plan.unserved)

    @property
    def cost(self) -> float:
        return sum(
            planned.van.cost(distance_m=planned.distance_m, duration_s=planned.duration_s)
            for _kind, plan, _ in self.plans
            for planned in plan.rounds
        )

    @property
    def plans(self) -> list[tuple[str, solver.Plan, int]]:
        return [
            (kind, plan, offset)
            for kind, plan, offset in (
                (RoundKind.COLLECTION, self.collection, self.collection_offset_s),
                (RoundKind.DELIVERY, self.delivery, 0),
            )
            if plan is not None
        ]


# When the same-day plan cannot serve everything, collection is asked to be back by one of
# these hours in turn (the cheapest collection may keep a van out until evening, and every
# grocery supplied by that van's farms would wait for it).
COLLECTION_CUTOFFS_H = (16, 14, 12, 10)


def plan_day(
    hub: Hub,
    producers: list[Place],
    groceries: list[Place],
    vehicles: list[Vehicle],
    sources: dict[int, set[int]],
    *,
    time_limit_s: float,
    progress: Callable[[float], None],
) -> Day:
    """One plan for the cycle's day (DESIGN §6), in two searches on one clock.

    Collection first: its plan says when each producer's goods reach the hub. Then delivery,
    where each van is free once back from its collection (its fixed cost already paid for the
    day), and each grocery's trip leaves once the goods of all its producers are at the hub
    and sorted (SORTING_MIN). PyVRP cannot make a release time depend on the same search's
    routes, hence the two searches; the vans never overlap by construction. When that day
    leaves places out, collection is asked to be back earlier (COLLECTION_CUTOFFS_H) and the
    day that serves the most kilograms, then costs least, is kept. With
    COLLECTION_DAY_BEFORE, collection is the day before and deliveries wait for nothing."""
    distance, duration = _matrices(hub, [*producers, *groceries])
    opens_s, closes_s = _seconds(hub.opens_at), _seconds(hub.closes_at)
    same_day = bool(producers and groceries) and not settings.COLLECTION_DAY_BEFORE
    cutoffs = [
        hour * 3600 for hour in COLLECTION_CUTOFFS_H if opens_s + 3 * 3600 <= hour * 3600 < closes_s
    ]
    attempts = 1 + len(cutoffs) if same_day else 1

    def attempt(cutoff_s: int | None) -> Day:
        share = time_limit_s / attempts / solver.SEARCH_OVERRUN
        collection = None
        if producers:
            vans = [_van(vehicle, back_by_s=cutoff_s) for vehicle in vehicles]
            stops = [_stop(place, row) for row, place in enumerate(producers, start=1)]
            collection = solver.solve(
                solver.Problem(
                    distance, duration, stops, vans, hub_opens_s=opens_s, hub_closes_s=closes_s
                ),
                time_limit_s=share * len(producers) / (len(producers) + len(groceries)),
                patience=settings.ROUTING_PATIENCE_ITERATIONS,
            )
        delivery = None
        if groceries:
            delivery = solver.solve(
                _delivery_problem(
                    collection if same_day else None,
                    groceries,
                    vehicles,
                    sources,
                    distance,
                    duration,
                    first_row=len(producers) + 1,
                    hub_hours=(opens_s, closes_s),
                ),
                time_limit_s=share * len(groceries) / (len(producers) + len(groceries)),
                patience=settings.ROUTING_PATIENCE_ITERATIONS,
            )
        offset = -solver.DAY_S if settings.COLLECTION_DAY_BEFORE else 0
        return Day(collection, delivery, collection_offset_s=offset)

    best = attempt(None)
    progress(10 + 80 / attempts)
    if same_day and best.unserved_g:
        for index, cutoff_s in enumerate(cutoffs, start=2):
            day = attempt(cutoff_s)
            if (day.unserved_g, day.cost) < (best.unserved_g, best.cost):
                best = day
            progress(10 + 80 * index / attempts)
    return best


def _delivery_problem(
    collection: solver.Plan | None,
    groceries: list[Place],
    vehicles: list[Vehicle],
    sources: dict[int, set[int]],
    distance: np.ndarray,
    duration: np.ndarray,
    *,
    first_row: int,
    hub_hours: tuple[int, int],
) -> solver.Problem:
    """The deliveries after `collection` on the same day (None: collected the day before)."""
    ready: dict[int, int] = {}  # producer id → when its goods are at the hub
    back: dict[int, int] = {}  # vehicle id → when it is back from collecting
    for planned in collection.rounds if collection is not None else []:
        back[cast(Vehicle, planned.van.key).id] = planned.end_s
        for visit in planned.visits:
            producer = cast(Place, visit.stop.key).id
            returned = planned.trips[visit.trip - 1].return_s
            ready[producer] = max(ready.get(producer, 0), returned)
    sorting_s = settings.SORTING_MIN * 60
    stops = []
    for row, place in enumerate(groceries, start=first_row):
        supplying = sources.get(place.id, set())
        arrivals = [ready[producer] for producer in supplying if producer in ready]
        release_s = max(arrivals) + sorting_s if arrivals else 0
        stops.append(_stop(place, row, release_s=release_s))
    vans = [
        _van(vehicle, free_from_s=back.get(vehicle.id, 0), fixed_cost=vehicle.id not in back)
        for vehicle in vehicles
    ]
    opens_s, closes_s = hub_hours
    return solver.Problem(
        distance, duration, stops, vans, hub_opens_s=opens_s, hub_closes_s=closes_s
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

    The solver runs outside any transaction; its rounds, and the places it could not serve
    with the reasons, are then written in one. It fails only when nothing at all fits.
    """
    progress = progress or (lambda percent: None)
    cycle = OrderCycle.objects.select_related("hub").get(pk=cycle_id)
    cycle_check_plannable(cycle=cycle)
    vehicles = vehicles_check(vehicle_ids=vehicle_ids)
    producers, groceries = _places(cycle)
    progress(10)
    day = plan_day(
        cycle.hub,
        producers,
        groceries,
        vehicles,
        _sources(cycle),
        time_limit_s=time_limit_s,
        progress=progress,
    )
    unserved = _unserved(day)
    checks = list(dict.fromkeys(check for _, plan, _ in day.plans for check in plan.checks))
    if (producers or groceries) and not any(plan.rounds for _, plan, _ in day.plans):
        reasons = checks + [f"{left.name} : {left.reason}" for left in unserved]
        raise StateConflict(
            _("No plan can serve any stop: %(reasons)s.") % {"reasons": "; ".join(reasons)},
            code="routing_infeasible",
        )
    origin = timezone.make_aware(datetime.combine(cycle.delivery_date, time(0)))
    with transaction.atomic():
        Round.objects.filter(cycle=cycle).delete()
        UnservedStop.objects.filter(cycle=cycle).delete()
        count, used = 0, set()
        for kind, plan, offset in day.plans:
            for planned in plan.rounds:
                # A van's fixed cost is the day's: on its first round of that day only.
                vehicle_day = (cast(Vehicle, planned.van.key).id, offset)
                _write_round(
                    cycle,
                    kind,
                    planned,
                    origin + timedelta(seconds=offset),
                    now,
                    with_fixed_cost=vehicle_day not in used,
                )
                used.add(vehicle_day)
                count += 1
        for left in unserved:
            left.cycle = cycle
        UnservedStop.objects.bulk_create(unserved)
        notifications.rounds_planned(cycle=cycle)
    return {
        "cycle": cycle_id,
        "rounds": count,
        "unserved": [
            {"place_id": left.place_id, "kind": left.kind, "reason": left.reason}
            for left in unserved
        ],
        "checks": checks,
    }


def _unserved(day: Day) -> list[UnservedStop]:
    """The places left out, once each, with the reasons of all their parts."""
    reasons: dict[Place, list[str]] = {}
    for _kind, plan, _offset in day.plans:
        for left in plan.unserved:
            place = cast(Place, left.stop.key)
            part = left.stop.name.removeprefix(place.name).strip()
            reason = f"{part} {left.reason}" if part else left.reason
            reasons.setdefault(place, [])
            if reason not in reasons[place]:
                reasons[place].append(reason)
    return [
        UnservedStop(kind=place.kind, place_id=place.id, name=place.name, reason="; ".join(texts))
        for place, texts in reasons.items()
    ]


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
        load_kg=_kilograms(planned.load_g),
        cost_eur=quantize_money(cost),
        starts_at=origin + timedelta(seconds=planned.start_s),
        ends_at=origin + timedelta(seconds=planned.end_s),
        planned_at=now,
    )
    RoundTrip.objects.bulk_create(
        RoundTrip(
            round=round_,
            trip=trip.number,
            departs_at=origin + timedelta(seconds=trip.departure_s),
            returns_at=origin + timedelta(seconds=trip.return_s),
            load_kg=_kilograms(trip.load_g),
            cold_kg=_kilograms(trip.cold_g),
        )
        for trip in planned.trips
    )
    RoundStop.objects.bulk_create(_round_stops(cycle.hub, round_, planned, origin))
    return round_


def _round_stops(
    hub: Hub, round_: Round, planned: solver.Round, origin: datetime
) -> list[RoundStop]:
    """The hub, then each trip's places, the hub between trips (the reload) and at the end.
    The parts of one place served one after the other (its cold and dry goods, a split heavy
    load) are one stop for the driver."""

    def at(seconds: int) -> datetime:
        return origin + timedelta(seconds=seconds)

    def hub_stop(trip: int, arrival_s: int, departure_s: int) -> RoundStop:
        return RoundStop(
            round=round_,
            kind=StopKind.HUB,
            place_id=hub.id,
            name=hub.name,
            latitude=hub.latitude,
            longitude=hub.longitude,
            arrival_at=at(arrival_s),
            departs_at=at(departure_s),
            load_kg=0,
            cold_kg=0,
            trip=trip,
        )

    stops: list[RoundStop] = []
    previous_return = None
    for trip in planned.trips:
        arrival_s = trip.departure_s if previous_return is None else previous_return
        stops.append(hub_stop(trip.number, arrival_s, trip.departure_s))
        previous: RoundStop | None = None
        for visit in (visit for visit in planned.visits if visit.trip == trip.number):
            place = cast(Place, visit.stop.key)
            same_place = previous is not None and previous.place_id == place.id
            if previous is not None and same_place and previous.kind == place.kind:
                previous.load_kg += _kilograms(visit.load_g)
                previous.cold_kg += _kilograms(visit.stop.cold_g)
                previous.departs_at = at(visit.departure_s)
                continue
            previous = RoundStop(
                round=round_,
                kind=place.kind,
                place_id=place.id,
                name=place.name,
                latitude=place.latitude,
                longitude=place.longitude,
                arrival_at=at(visit.arrival_s),
                departs_at=at(visit.departure_s),
                load_kg=_kilograms(visit.load_g),
                cold_kg=_kilograms(visit.stop.cold_g),
                trip=trip.number,
            )
            stops.append(previous)
        previous_return = trip.return_s
    last = planned.trips[-1]
    stops.append(hub_stop(last.number, last.return_s, last.return_s))
    for sequence, stop in enumerate(stops):
        stop.sequence = sequence
    return stops


def _kilograms(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).quantize(Decimal("0.001"))

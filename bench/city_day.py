"""A city's day of rounds: one plan for collection and delivery, against two separate plans.

    python bench/city_day.py            # 3 seeds, 30 s per plan
    python bench/city_day.py --quick    # 1 seed, 8 s, to check the script

A generated metropole day (DESIGN §6): 150 groceries in Lille, Lomme and Hellemmes, 60
producers up to the Avesnois (about 100 km), 7 vans (2 with a cold room, 2 with volunteer
4 h shifts). For each seed, the platform's plan (`logistics.planning.plan_day`: collection,
then delivery on the same clock) and, as the baseline, the two problems solved apart with
the same vans (what the platform did before): time, cost, places served, and the faults a
driver would meet (a van in two rounds at once, a delivery leaving the hub before its goods
are there and sorted). Then the time to build the solver's model at 800 stops, from arrays,
against PyVRP's Model built edge by edge (the old way) in the same run.

Targets: the day planned in <= 30 s with no fault; the model built in <= 0.5 s at 800 stops.
"""

import os
import statistics
import sys
import time
import warnings
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from pyvrp import Model  # noqa: E402

from logistics import planning, solver  # noqa: E402
from logistics.choices import StopKind  # noqa: E402
from logistics.models import Hub, Vehicle  # noqa: E402

warnings.simplefilter("ignore")
HUB = (50.6456, 2.9823)  # the MIN of Lomme


def city_day(seed: int):
    rng = np.random.default_rng(seed)
    hub = Hub(id=1, name="MIN de Lomme", latitude=Decimal(HUB[0]), longitude=Decimal(HUB[1]))
    hub.opens_at, hub.closes_at = clock(5), clock(21)
    producers = []
    for index in range(60):
        far = index < 4  # a few far away (the Avesnois cheese makers)
        distance = rng.uniform(70, 105) if far else rng.uniform(8, 45)
        angle = rng.uniform(0, 2 * np.pi)
        latitude = HUB[0] + distance * np.sin(angle) / 111.32
        longitude = HUB[1] + distance * np.cos(angle) / (111.32 * np.cos(np.radians(HUB[0])))
        kilograms = Decimal(int(rng.integers(20, 120)))
        cold = kilograms if index % 6 == 0 or far else Decimal(0)
        producers.append(
            planning.Place(
                StopKind.PRODUCER,
                index + 1,
                f"ferme {index + 1}",
                Decimal(f"{latitude:.6f}"),
                Decimal(f"{longitude:.6f}"),
                kilograms,
                cold,
                clock(7),
                clock(17),
            )
        )
    # The producers' goods, shared out among the groceries: each receives from ten farms.
    shares = {grocery: {} for grocery in range(150)}
    for producer in producers:
        receivers = rng.choice(150, size=25, replace=False)
        weights = rng.dirichlet(np.ones(25))
        for grocery, weight in zip(receivers, weights, strict=True):
            shares[grocery][producer.id] = (producer.kg * Decimal(weight), producer.cold_kg > 0)
    groceries, sources = [], {}
    for index in range(150):
        kilograms = sum((kg for kg, _cold in shares[index].values()), Decimal(0))
        cold = sum((kg for kg, is_cold in shares[index].values() if is_cold), Decimal(0))
        latitude = 50.63 + rng.uniform(-0.035, 0.035)
        longitude = 3.03 + rng.uniform(-0.09, 0.07)
        opens = clock(int(rng.choice([9, 10, 13])))
        groceries.append(
            planning.Place(
                StopKind.GROCERY,
                1000 + index,
                f"épicerie {index + 1}",
                Decimal(f"{latitude:.6f}"),
                Decimal(f"{longitude:.6f}"),
                kilograms.quantize(Decimal("0.001")),
                cold.quantize(Decimal("0.001")),
                opens,
                clock(19),
            )
        )
        sources[1000 + index] = set(shares[index])
    vehicles = [
        Vehicle(id=1, name="frigo 1", capacity_kg=Decimal(1200), cost_per_km=Decimal("0.45"),
                is_refrigerated=True, fixed_cost_eur=Decimal(60)),
        Vehicle(id=2, name="frigo 2", capacity_kg=Decimal(1000), cost_per_km=Decimal("0.45"),
                is_refrigerated=True, fixed_cost_eur=Decimal(60)),
        *[
            Vehicle(id=3 + index, name=f"utilitaire {index + 1}", capacity_kg=Decimal(800),
                    cost_per_km=Decimal("0.32"), fixed_cost_eur=Decimal(40))
            for index in range(3)
        ],
        *[
            Vehicle(id=6 + index, name=f"bénévole {index + 1}", capacity_kg=Decimal(500),
                    cost_per_km=Decimal("0.25"), max_shift_min=240)
            for index in range(2)
        ],
    ]  # fmt: skip
    return hub, producers, groceries, vehicles, sources


def faults(day: planning.Day, sources: dict[int, set[int]]) -> tuple[int, int]:
    """Vans in two rounds at once, and delivery trips leaving before their goods are sorted."""
    busy: dict[int, list[tuple[int, int]]] = {}
    ready: dict[int, int] = {}
    for _kind, plan, offset in day.plans:
        for planned in plan.rounds:
            busy.setdefault(planned.van.key.id, []).append(
                (planned.start_s + offset, planned.end_s + offset)
            )
    if day.collection is not None:
        for planned in day.collection.rounds:
            for visit in planned.visits:
                returned = planned.trips[visit.trip - 1].return_s + day.collection_offset_s
                ready[visit.stop.key.id] = max(ready.get(visit.stop.key.id, -(10**9)), returned)
    overlaps = sum(
        1
        for spans in busy.values()
        for first, second in zip(sorted(spans), sorted(spans)[1:], strict=False)
        if second[0] < first[1]
    )
    early = 0
    if day.delivery is not None:
        sorting = settings.SORTING_MIN * 60
        for planned in day.delivery.rounds:
            for trip in planned.trips:
                carried = {
                    producer
                    for visit in planned.visits
                    if visit.trip == trip.number
                    for producer in sources[visit.stop.key.id]
                    if producer in ready
                }
                if carried and trip.departure_s < max(ready[p] for p in carried) + sorting:
                    early += 1
    return overlaps, early


def two_problems(hub, producers, groceries, vehicles, limit: float) -> planning.Day:
    """The baseline: collection and delivery as two problems, the vans free in both."""
    distance, duration = planning._matrices(hub, [*producers, *groceries])
    hours = {"hub_opens_s": 5 * 3600, "hub_closes_s": 21 * 3600}
    vans = [planning._van(vehicle) for vehicle in vehicles]
    plans = []
    for places, start in ((producers, 1), (groceries, len(producers) + 1)):
        stops = [planning._stop(place, row) for row, place in enumerate(places, start=start)]
        plans.append(
            solver.solve(
                solver.Problem(distance, duration, stops, vans, **hours),
                time_limit_s=limit / 2,
                patience=settings.ROUTING_PATIENCE_ITERATIONS,
            )
        )
    return planning.Day(plans[0], plans[1], collection_offset_s=0)


def summary(day: planning.Day, sources, seconds: float) -> dict:
    overlaps, early = faults(day, sources)
    rounds = [planned for _kind, plan, _offset in day.plans for planned in plan.rounds]
    cost = sum(
        planned.van.cost(distance_m=planned.distance_m, duration_s=planned.duration_s, used=False)
        for planned in rounds
    ) + sum(float(van.fixed_cost_eur) for van in {planned.van.key for planned in rounds})
    unserved = sum(len(plan.unserved) for _kind, plan, _offset in day.plans)
    return {
        "seconds": seconds,
        "cost": cost,
        "rounds": len(rounds),
        "trips": sum(len(planned.trips) for planned in rounds),
        "unserved": unserved,
        "overlaps": overlaps,
        "early": early,
    }


def model_build_seconds(stops: int) -> tuple[float, float]:
    """Seconds to build the solver's problem at `stops` stops, from arrays, and with PyVRP's
    Model edge by edge (the old way), on the same matrices."""
    rng = np.random.default_rng(1)
    size = stops + 1
    distance = rng.integers(100, 50_000, (size, size)).astype(np.int64)
    np.fill_diagonal(distance, 0)
    duration = (distance // 8).astype(np.int64)
    vans = [solver.Van("v", 800_000, True, count=8, max_trips=4)]
    places = [
        solver.Stop(f"s{index}", 10_000, 600, cold_g=5_000 * (index % 2)) for index in range(stops)
    ]
    started = time.perf_counter()
    split = solver.split_stops(places, vans)
    solver.problem_data(solver.Problem(distance, duration, split, vans))
    arrays = time.perf_counter() - started
    started = time.perf_counter()
    model = Model()
    locations = [model.add_location(x=0, y=0) for _row in range(size)]
    model.add_depot(locations[0])
    for row in range(1, size):
        model.add_client(locations[row], delivery=[10_000, 0])
    model.add_vehicle_type(num_available=8, capacity=[800_000, 800_000])
    for origin in range(size):
        for target in range(size):
            model.add_edge(
                locations[origin],
                locations[target],
                distance=int(distance[origin, target]),
                duration=int(duration[origin, target]),
            )
    model.data()
    return arrays, time.perf_counter() - started


def main() -> None:
    quick = "--quick" in sys.argv
    seeds = [1] if quick else [1, 2, 3]
    limit = 8.0 if quick else 30.0
    rows = []
    print(
        f"{'seed':>4} {'plan':<13} {'s':>6} {'cost €':>9} {'rounds':>6} {'trips':>5} "
        f"{'unserved':>8} {'overlaps':>8} {'early':>5}"
    )
    for seed in seeds:
        hub, producers, groceries, vehicles, sources = city_day(seed)
        started = time.perf_counter()
        day = planning.plan_day(
            hub,
            producers,
            groceries,
            vehicles,
            sources,
            time_limit_s=limit,
            progress=lambda percent: None,
        )
        ours = summary(day, sources, time.perf_counter() - started)
        started = time.perf_counter()
        apart = two_problems(hub, producers, groceries, vehicles, limit)
        baseline = summary(apart, sources, time.perf_counter() - started)
        for name, row in (("one day", ours), ("two problems", baseline)):
            print(
                f"{seed:>4} {name:<13} {row['seconds']:>6.1f} {row['cost']:>9.2f} "
                f"{row['rounds']:>6} {row['trips']:>5} {row['unserved']:>8} "
                f"{row['overlaps']:>8} {row['early']:>5}"
            )
        rows.append((ours, baseline))
        for _kind, plan, _offset in day.plans:
            for left in plan.unserved:
                print(f"     left out: {left.stop.name}: {left.reason}")
    seconds = statistics.median(ours["seconds"] for ours, _ in rows)
    ratio = statistics.median(ours["cost"] / baseline["cost"] for ours, baseline in rows)
    faulty = sum(ours["overlaps"] + ours["early"] for ours, _ in rows)
    baseline_faults = sum(baseline["overlaps"] + baseline["early"] for _, baseline in rows)
    print(
        f"one day: median {seconds:.1f} s, cost {ratio:.2f}× the two separate plans' (which "
        f"have {baseline_faults} faults a driver cannot drive; the one-day plan {faulty})"
    )
    builds = [model_build_seconds(800) for _ in range(1 if quick else 3)]
    arrays = statistics.median(build[0] for build in builds)
    edges = statistics.median(build[1] for build in builds)
    print(
        f"model at 800 stops: {arrays:.2f} s from arrays, {edges:.2f} s edge by edge "
        f"({arrays / edges:.2f}×)"
    )
    passed = seconds <= 30 and faulty == 0 and arrays <= 0.5
    print(
        f"city_day: {seconds:.1f} s, {faulty} faults, model {arrays:.2f} s "
        f"(target <= 30 s, 0 faults, <= 0.5 s) {'PASS' if passed else 'FAIL'}"
    )


if __name__ == "__main__":
    main()

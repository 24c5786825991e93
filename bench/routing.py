"""Route quality and speed: the solver adapter against best known values, OR-Tools beside it.

    python bench/routing.py            # every instance of ../shared/data/cvrplib + a Lille cycle
    python bench/routing.py --quick    # 1 s per instance, to check the script

For each instance: the adapter (PyVRP) and OR-Tools (guided local search, the same time
limit), their gap to the best known value (BKS) and time. Targets: gap <= 1 % within 5 s for
n <= 101, <= 2 % within 30 s above; a Lille cycle (60 producers, 40 groceries, 3 vans) planned
in <= 10 s.
"""

import re
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import vrplib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from logistics import solver  # noqa: E402
from logistics.distances import great_circle_km_matrix  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "cvrplib"
warnings.simplefilter("ignore")  # PyVRP's penalty warnings on tight instances


def best_known(path: Path) -> float:
    solution = path.with_suffix(".sol")
    if solution.exists():
        match = re.search(r"Cost\s+([\d.]+)", solution.read_text())
        return float(match.group(1))
    match = re.search(r"Optimal value:\s*([\d.]+)", path.read_text())
    return float(match.group(1))


def load(path: Path):
    """An instance as integer matrices, loads, windows and a fleet, plus a cost scale."""
    if path.suffix == ".txt":  # Solomon VRPTW, DIMACS: distances truncated to 0.1
        data = vrplib.read_instance(path, instance_format="solomon")
        distance = np.floor(data["edge_weight"] * 10).astype(np.int64)
        windows = (data["time_window"] * 10).astype(np.int64)
        service = (data["service_time"] * 10).astype(np.int64)
        fleet = int(data["vehicles"])
        return (
            distance,
            distance,
            data["demand"],
            int(data["capacity"]),
            windows,
            service,
            fleet,
            10,
        )
    data = vrplib.read_instance(path)
    distance = np.round(data["edge_weight"]).astype(np.int64)
    size = len(distance)
    windows = np.array([[0, 10**9]] * size)
    return (
        distance,
        np.zeros_like(distance),
        data["demand"],
        int(data["capacity"]),
        windows,
        np.zeros(size, dtype=np.int64),
        size,
        1,
    )


def adapter_cost(instance, limit: float) -> float | None:
    distance, duration, demand, capacity, windows, service, fleet, scale = instance
    stops = [
        solver.Stop(
            name=str(index),
            load_g=int(demand[index]),
            service_s=int(service[index]),
            opens_s=int(windows[index][0]),
            closes_s=int(windows[index][1]),
        )
        for index in range(1, len(distance))
    ]
    problem = solver.Problem(
        distance_m=distance,
        duration_s=duration,
        stops=stops,
        vans=[solver.Van("v", capacity, cost_per_km=0.01, count=fleet)],
        hub_opens_s=int(windows[0][0]),
        hub_closes_s=int(windows[0][1]),
    )
    plan = solver.solve(problem, time_limit_s=limit, seed=1)
    if plan.unserved:
        return None
    return sum(round_.distance_m for round_ in plan.rounds) / scale


def ortools_cost(instance, limit: float) -> float | None:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    distance, duration, demand, capacity, windows, service, fleet, scale = instance
    size = len(distance)
    manager = pywrapcp.RoutingIndexManager(size, fleet, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(from_index, to_index):
        return int(distance[manager.IndexToNode(from_index), manager.IndexToNode(to_index)])

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    load = routing.RegisterUnaryTransitCallback(
        lambda index: int(demand[manager.IndexToNode(index)])
    )
    routing.AddDimensionWithVehicleCapacity(load, 0, [capacity] * fleet, True, "load")
    if duration.any():

        def travel(from_index, to_index):
            origin = manager.IndexToNode(from_index)
            return int(duration[origin, manager.IndexToNode(to_index)] + service[origin])

        horizon = int(windows[0][1])
        routing.AddDimension(
            routing.RegisterTransitCallback(travel), horizon, horizon, False, "time"
        )
        time_dimension = routing.GetDimensionOrDie("time")
        for node in range(1, size):
            time_dimension.CumulVar(manager.NodeToIndex(node)).SetRange(
                int(windows[node][0]), int(windows[node][1])
            )
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(int(limit * 1000))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return None
    return solution.ObjectiveValue() / scale


def lille_cycle(limit: float) -> tuple[float, int]:
    """60 producers around Lille (collection) and 40 groceries in town (delivery), 3 vans."""
    rng = np.random.default_rng(7)
    hub = (50.6456, 2.9823)
    producers = np.column_stack(
        [hub[0] + rng.uniform(-0.3, 0.3, 60), hub[1] + rng.uniform(-0.4, 0.4, 60)]
    )
    groceries = np.column_stack(
        [50.63 + rng.uniform(-0.03, 0.03, 40), 3.06 + rng.uniform(-0.07, 0.07, 40)]
    )
    vans = [
        solver.Van("frigo", 1_200_000, True, 0.45, max_trips=4),
        solver.Van("utilitaire 1", 800_000, False, 0.32, max_trips=4),
        solver.Van("utilitaire 2", 800_000, False, 0.32, max_trips=4),
    ]
    started = time.perf_counter()
    rounds = 0
    for points, loads, opens, closes, pickup in (
        (producers, rng.integers(20_000, 90_000, 60), 6 * 3600, 20 * 3600, True),
        (groceries, rng.integers(60_000, 220_000, 40), 9 * 3600, 17 * 3600, False),
    ):
        latitudes = np.concatenate([[hub[0]], points[:, 0]])
        longitudes = np.concatenate([[hub[1]], points[:, 1]])
        distance_km = great_circle_km_matrix(latitudes, longitudes) * 1.3
        distance = np.round(distance_km * 1000).astype(np.int64)
        duration = np.round(distance_km / 45 * 3600).astype(np.int64)
        stops = [
            solver.Stop(
                f"s{index}",
                int(load),
                600 + int(load) // 1000 * 3,
                opens,
                closes,
                cold_g=int(load) if index % 5 == 0 else 0,
            )
            for index, load in enumerate(loads)
        ]
        plan = solver.solve(
            solver.Problem(
                distance,
                duration,
                stops,
                vans,
                pickup=pickup,
                hub_opens_s=6 * 3600,
                hub_closes_s=20 * 3600,
            ),
            time_limit_s=limit / 2,
            seed=1,
        )
        rounds += len(plan.rounds)
    return time.perf_counter() - started, rounds


def main() -> None:
    quick = "--quick" in sys.argv
    rows, verdicts = [], []
    print(
        f"{'instance':<12} {'n':>4} {'BKS':>9} {'adapter':>9} {'gap':>7} {'s':>5} "
        f"{'OR-Tools':>9} {'gap':>8} {'s':>5}"
    )
    paths = sorted((DATA / "cvrp").glob("*.vrp")) + sorted((DATA / "vrptw").glob("*.txt"))
    for path in paths:
        instance = load(path)
        customers = len(instance[0]) - 1
        limit = 1.0 if quick else (5.0 if customers <= 101 else 30.0)
        target = 1.0 if customers <= 101 else 2.0
        bks = best_known(path)
        started = time.perf_counter()
        cost = adapter_cost(instance, limit)
        spent = time.perf_counter() - started
        started = time.perf_counter()
        reference = ortools_cost(instance, limit)
        reference_spent = time.perf_counter() - started
        gap = None if cost is None else (cost - bks) / bks * 100
        reference_gap = None if reference is None else (reference - bks) / bks * 100
        verdicts.append(gap is not None and gap <= target)
        rows.append((gap, reference_gap))
        print(
            f"{path.stem:<12} {customers:>4} {bks:>9.1f} "
            f"{cost if cost is not None else float('nan'):>9.1f} "
            f"{gap if gap is not None else float('nan'):>6.2f}% {spent:>5.1f} "
            f"{reference if reference is not None else float('nan'):>9.1f} "
            f"{reference_gap if reference_gap is not None else float('nan'):>7.2f}% "
            f"{reference_spent:>5.1f}"
        )
    adapter_gaps = [gap for gap, _ in rows if gap is not None]
    reference_gaps = [gap for _, gap in rows if gap is not None]
    print(
        f"mean gap: adapter {statistics.mean(adapter_gaps):.2f} % "
        f"(median {statistics.median(adapter_gaps):.2f} %), OR-Tools "
        f"{statistics.mean(reference_gaps):.2f} % on {len(reference_gaps)} solved, "
        f"{len(rows) - len(reference_gaps)} without a solution"
    )
    seconds, rounds = lille_cycle(2.0 if quick else 8.0)
    print(
        f"Lille cycle (60 producers, 40 groceries, 3 vans): {rounds} rounds in {seconds:.1f} s "
        f"(target <= 10 s)"
    )
    verdicts.append(seconds <= 10.0)
    worst = max(adapter_gaps) if adapter_gaps else float("nan")
    print(
        f"routing: worst gap {worst:.2f} %, mean {statistics.mean(adapter_gaps):.2f} %, "
        f"Lille {seconds:.1f} s (target <= 1 % / 2 % per size, <= 10 s) "
        f"{'PASS' if all(verdicts) else 'FAIL'}"
    )


if __name__ == "__main__":
    main()

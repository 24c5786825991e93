"""The routing adapter: every constraint of the plan is checked on the plan itself."""

import numpy as np
import pytest

from logistics import solver
from logistics.distances import great_circle_km_matrix, osrm_matrices, road_matrices

RNG = np.random.default_rng(3)
HUB = (50.6456, 2.9823)


def city(count: int):
    latitudes = np.concatenate([[HUB[0]], 50.63 + RNG.uniform(-0.03, 0.03, count)])
    longitudes = np.concatenate([[HUB[1]], 3.06 + RNG.uniform(-0.07, 0.07, count)])
    return road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=30)


def assert_plan_holds(problem: solver.Problem, plan: solver.Plan):
    served = [visit.stop for round_ in plan.rounds for visit in round_.visits]
    assert sorted(stop.name for stop in served) == sorted(stop.name for stop in problem.stops)
    assert sum(stop.load_g for stop in served) == sum(stop.load_g for stop in problem.stops)
    for round_ in plan.rounds:
        assert round_.load_g <= round_.van.capacity_g * round_.van.max_trips
        for visit in round_.visits:
            assert visit.stop.opens_s <= visit.arrival_s <= visit.stop.closes_s
            assert round_.van.refrigerated or not visit.stop.refrigerated
        assert problem.hub_opens_s <= round_.start_s <= round_.end_s <= problem.hub_closes_s


def test_capacities_time_windows_and_refrigeration_hold():
    distance, duration = city(12)
    stops = [
        solver.Stop(
            f"épicerie {index}",
            int(RNG.integers(80_000, 250_000)),
            600,
            opens_s=(9 if index % 2 else 13) * 3600,
            closes_s=(12 if index % 2 else 18) * 3600,
            refrigerated=index % 4 == 0,
        )
        for index in range(12)
    ]
    vans = [
        solver.Van("frigo", 1_200_000, True, 0.45),
        solver.Van("utilitaire", 800_000, False, 0.32, count=2),
    ]
    problem = solver.Problem(
        distance, duration, stops, vans, hub_opens_s=7 * 3600, hub_closes_s=20 * 3600
    )

    plan = solver.solve(problem, time_limit_s=1, seed=1)

    assert plan.feasible
    assert_plan_holds(problem, plan)


def test_collection_picks_up_what_it_brings_back():
    distance, duration = city(6)
    stops = [solver.Stop(f"ferme {index}", 150_000, 900) for index in range(6)]
    problem = solver.Problem(
        distance, duration, stops, [solver.Van("v", 500_000, count=3)], pickup=True
    )

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    assert all(round_.load_g <= 500_000 for round_ in plan.rounds)


def test_a_stop_heavier_than_any_van_is_split():
    distance, duration = city(1)
    problem = solver.Problem(
        distance,
        duration,
        [solver.Stop("grossiste", 2_000_000, 600)],
        [solver.Van("v", 800_000, count=3)],
    )

    plan = solver.solve(problem, time_limit_s=0.5)

    loads = sorted(visit.load_g for round_ in plan.rounds for visit in round_.visits)
    assert loads == [666_666, 666_667, 666_667]
    assert sum(loads) == 2_000_000


def test_fresh_produce_without_a_refrigerated_van_is_refused_with_the_reason():
    distance, duration = city(2)
    stops = [solver.Stop("laiterie", 50_000, 600, refrigerated=True), solver.Stop("moulin", 1, 1)]

    with pytest.raises(solver.Infeasible) as refused:
        solver.solve(
            solver.Problem(distance, duration, stops, [solver.Van("sec", 800_000)]),
            time_limit_s=0.5,
        )

    assert refused.value.problems == [
        "laiterie : produits frais, aucun véhicule réfrigéré disponible"
    ]


def test_a_window_out_of_reach_names_the_stop():
    distance, duration = city(1)
    late = solver.Stop("épicerie du soir", 1000, 600, opens_s=3600, closes_s=2 * 3600)

    with pytest.raises(solver.Infeasible) as refused:
        solver.solve(
            solver.Problem(
                distance, duration, [late], [solver.Van("v", 800_000)], hub_opens_s=6 * 3600
            ),
            time_limit_s=0.5,
        )

    assert "épicerie du soir : injoignable dans ses horaires" in refused.value.problems[0]


def test_too_much_for_the_fleet_says_which_stops():
    distance, duration = city(2)
    stops = [solver.Stop("A", 700_000, 60), solver.Stop("B", 700_000, 60)]

    with pytest.raises(solver.Infeasible) as refused:
        solver.solve(
            solver.Problem(distance, duration, stops, [solver.Van("v", 800_000)]), time_limit_s=0.5
        )

    assert "charge trop lourde" in refused.value.problems[0]


def test_road_matrix_is_great_circle_times_circuity():
    latitudes, longitudes = [50.6365, 48.8530], [3.0635, 2.3499]  # Lille, Paris

    metres, seconds = road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=60)

    crow = great_circle_km_matrix(latitudes, longitudes)[0, 1]
    assert metres[0, 1] == round(crow * 1.3 * 1000)
    assert seconds[0, 1] == round(crow * 1.3 / 60 * 3600)
    assert metres[0, 0] == 0 and metres[1, 0] == metres[0, 1]


def test_osrm_backend_reads_a_table_service():
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked = []

    class FakeOSRM(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = json.dumps(
                {
                    "code": "Ok",
                    "distances": [[0, 1520.4], [1490, 0]],
                    "durations": [[0, 180.6], [175, 0]],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOSRM)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        metres, seconds = osrm_matrices(
            [50.6456, 50.6320],
            [2.9823, 3.0870],
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
        )
    finally:
        server.shutdown()
        server.server_close()

    assert asked[0].startswith("/table/v1/driving/2.982300,50.645600;3.087000,50.632000?")
    assert "annotations=distance%2Cduration" in asked[0]
    assert metres.tolist() == [[0, 1520], [1490, 0]]
    assert seconds.tolist() == [[0, 181], [175, 0]]

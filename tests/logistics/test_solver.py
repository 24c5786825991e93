"""The routing adapter: every constraint of the plan is checked on the plan itself."""

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics import solver
from logistics.distances import (
    Metropole,
    OsrmUnavailable,
    great_circle_km_matrix,
    osrm_matrices,
    road_matrices,
)

RNG = np.random.default_rng(3)
HUB = (50.6456, 2.9823)


def city(count: int):
    latitudes = np.concatenate([[HUB[0]], 50.63 + RNG.uniform(-0.03, 0.03, count)])
    longitudes = np.concatenate([[HUB[1]], 3.06 + RNG.uniform(-0.07, 0.07, count)])
    return road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=30)


def assert_plan_holds(problem: solver.Problem, plan: solver.Plan):
    """Every constraint, checked on the plan: each gram served once or its stop named as
    left out, each trip within the van's capacities, each visit within its hours and after
    its goods are released, each van within its hours and its driver's shift."""
    served = [visit for round_ in plan.rounds for visit in round_.visits]
    left_out = [left.stop for left in plan.unserved]
    for index, stop in enumerate(problem.stops):
        row = problem.row(index)  # the parts of a stop keep its row
        grams = sum(visit.load_g for visit in served if visit.stop.row == row)
        cold = sum(visit.stop.cold_g for visit in served if visit.stop.row == row)
        missing = sum(left.load_g for left in left_out if left.row == row)
        missing_cold = sum(left.cold_g for left in left_out if left.row == row)
        assert (grams + missing, cold + missing_cold) == (stop.load_g, stop.cold_g), stop.name
    for round_ in plan.rounds:
        van = round_.van
        assert [trip.number for trip in round_.trips] == list(range(1, len(round_.trips) + 1))
        assert len(round_.trips) <= van.max_trips
        previous_return = round_.start_s
        for trip in round_.trips:
            visits = [visit for visit in round_.visits if visit.trip == trip.number]
            assert visits and trip.load_g == sum(visit.load_g for visit in visits)
            assert trip.load_g <= van.capacity_g
            assert trip.cold_g == sum(visit.stop.cold_g for visit in visits) <= van.cold_g
            assert previous_return <= trip.departure_s <= visits[0].arrival_s
            assert visits[-1].departure_s <= trip.return_s
            previous_return = trip.return_s
            for visit in visits:
                assert trip.departure_s >= visit.stop.release_s
        for visit in round_.visits:
            assert visit.stop.opens_s <= visit.arrival_s <= visit.stop.closes_s
            assert visit.departure_s == visit.arrival_s + visit.stop.service_s
        opens, closes = (
            max(problem.hub_opens_s, van.opens_s),
            min(problem.hub_closes_s, van.closes_s),
        )
        assert opens <= round_.start_s <= round_.end_s <= closes
        if van.max_shift_s:
            assert round_.end_s - round_.start_s <= van.max_shift_s


def test_capacities_time_windows_and_refrigeration_hold():
    distance, duration = city(12)
    loads = [int(RNG.integers(80_000, 250_000)) for _ in range(12)]
    stops = [
        solver.Stop(
            f"épicerie {index}",
            load,
            600,
            opens_s=(9 if index % 2 else 13) * 3600,
            closes_s=(12 if index % 2 else 18) * 3600,
            cold_g=load // 3 if index % 4 == 0 else 0,
        )
        for index, load in enumerate(loads)
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
    # Its 600 s at the place are shared by the three visits, not spent three times.
    services = [visit.stop.service_s for round_ in plan.rounds for visit in round_.visits]
    assert sorted(services) == [200, 200, 200]


def test_fresh_produce_without_a_refrigerated_van_is_left_out_with_the_reason():
    distance, duration = city(2)
    stops = [solver.Stop("laiterie", 50_000, 600, cold_g=50_000), solver.Stop("moulin", 1, 1)]
    problem = solver.Problem(distance, duration, stops, [solver.Van("sec", 800_000)])

    plan = solver.solve(problem, time_limit_s=0.5)

    # The mill is served all the same: never all or nothing.
    assert [visit.stop.name for round_ in plan.rounds for visit in round_.visits] == ["moulin"]
    assert plan.problems == ["laiterie : produits frais, aucun véhicule réfrigéré disponible"]
    assert plan.checks == ["50 kg de produits frais pour 0 kg de capacité froide × 1 tour"]
    assert_plan_holds(problem, plan)


def test_a_window_out_of_reach_names_the_stop():
    distance, duration = city(1)
    late = solver.Stop("épicerie du soir", 1000, 600, opens_s=3600, closes_s=2 * 3600)
    problem = solver.Problem(
        distance, duration, [late], [solver.Van("v", 800_000)], hub_opens_s=6 * 3600
    )

    plan = solver.solve(problem, time_limit_s=0.5)

    assert plan.rounds == []
    assert "épicerie du soir : injoignable dans ses horaires" in plan.problems[0]


def test_too_much_for_the_fleet_serves_what_fits_and_names_the_rest():
    distance, duration = city(3)
    stops = [solver.Stop(name, 700_000, 60) for name in "ABC"]
    problem = solver.Problem(distance, duration, stops, [solver.Van("v", 800_000, max_trips=2)])

    plan = solver.solve(problem, time_limit_s=0.5)

    assert len([visit for round_ in plan.rounds for visit in round_.visits]) == 2
    assert plan.checks == ["2\u202f100 kg de marchandises pour 800 kg de capacité × 2 tours"]
    [left] = plan.unserved
    assert left.reason == "pas assez de capacité pour le poids du jour"
    assert_plan_holds(problem, plan)


def test_the_dry_goods_of_a_stop_ride_in_any_van_its_cold_goods_in_the_cold_room():
    distance, duration = city(1)
    stop = solver.Stop("épicerie", 300_000, 900, cold_g=100_000)
    vans = [
        solver.Van("frigo", 120_000, True, cost_per_km=0.5),
        solver.Van("utilitaire", 800_000, cost_per_km=0.3),
    ]
    problem = solver.Problem(distance, duration, [stop], vans)

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    by_van = {
        round_.van.name: [(visit.load_g, visit.stop.cold_g) for visit in round_.visits]
        for round_ in plan.rounds
    }
    assert by_van == {"frigo": [(100_000, 100_000)], "utilitaire": [(200_000, 0)]}
    # The quarter of an hour at the place is shared by weight: 5 min cold, 10 min dry.
    services = sorted(visit.stop.service_s for round_ in plan.rounds for visit in round_.visits)
    assert services == [300, 600]


def test_a_van_reloads_at_the_hub_and_each_trip_fits_it():
    distance, duration = city(3)
    stops = [solver.Stop(f"épicerie {index}", 400_000, 600) for index in range(3)]
    van = solver.Van("utilitaire", 500_000, max_trips=3, hourly_cost=24)
    problem = solver.Problem(distance, duration, stops, [van])

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    [round_] = plan.rounds
    assert [trip.load_g for trip in round_.trips] == [400_000] * 3
    assert round_.load_g == 1_200_000  # over three trips, never 1 200 kg on board


def test_a_delivery_trip_leaves_once_its_goods_are_at_the_hub():
    distance, duration = city(2)
    stops = [
        solver.Stop("épicerie du matin", 100_000, 600, release_s=7 * 3600),
        solver.Stop("épicerie de l'après-midi", 100_000, 600, release_s=13 * 3600),
    ]
    van = solver.Van("utilitaire", 800_000, max_trips=2, hourly_cost=24)
    problem = solver.Problem(distance, duration, stops, [van], hub_opens_s=6 * 3600)

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    [round_] = plan.rounds
    departures = {
        visit.stop.name: round_.trips[visit.trip - 1].departure_s for visit in round_.visits
    }
    assert departures["épicerie de l'après-midi"] >= 13 * 3600
    assert plan.unserved == []


def test_road_matrix_is_great_circle_times_circuity():
    latitudes, longitudes = [50.6365, 48.8530], [3.0635, 2.3499]  # Lille, Paris

    metres, seconds = road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=60)

    crow = great_circle_km_matrix(latitudes, longitudes)[0, 1]
    assert metres[0, 1] == round(crow * 1.3 * 1000)
    assert seconds[0, 1] == round(crow * 1.3 / 60 * 3600)
    assert metres[0, 0] == 0 and metres[1, 0] == metres[0, 1]


def test_the_part_of_a_leg_in_the_metropole_is_driven_at_the_urban_speed():
    hub = (50.6456, 2.9823)  # the MIN of Lomme
    # The hub, Fives (7 km), Avesnes-sur-Helpe (about 90 km), and a point 15 km east of the hub.
    east = hub[1] + 15 / (111.32 * np.cos(np.radians(hub[0])))
    latitudes, longitudes = [hub[0], 50.6320, 50.1140, hub[0]], [hub[1], 3.0870, 3.9270, east]
    metropole = Metropole(*hub, radius_km=15, speed_kmh=20)

    metres, seconds = road_matrices(
        latitudes, longitudes, circuity=1.3, speed_kmh=60, metropole=metropole
    )

    town_km, far_km = metres[0, 1] / 1000, metres[0, 2] / 1000
    assert seconds[0, 1] == round(town_km / 20 * 3600)  # all in town
    in_town = 15 * 1.3  # the metropole's radius, then the road
    assert abs(seconds[0, 2] - (in_town / 20 + (far_km - in_town) / 60) * 3600) < 60
    assert abs(seconds[0, 3] - in_town / 20 * 3600) < 60  # on the edge: all in town
    assert seconds[1, 2] == seconds[2, 1]


class FakeOSRM:
    """An OSRM /table service on loopback: great circle × 1.3 at 60 km/h, OSRM's limit of
    coordinates per request, `unroutable` pairs answered null, or down."""

    def __init__(self, unroutable=(), limit=100):
        fake = self
        self.asked: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):

                fake.asked.append(self.path)
                url = urlsplit(self.path)
                points = [
                    tuple(float(value) for value in pair.split(","))
                    for pair in url.path.rsplit("/", 1)[1].split(";")
                ]
                query = parse_qs(url.query)
                if len(points) > limit:
                    self._answer(400, {"code": "TooBig", "message": "Too many table coordinates"})
                    return
                sources = [int(index) for index in query["sources"][0].split(";")]
                destinations = [int(index) for index in query["destinations"][0].split(";")]
                longitudes, latitudes = zip(*points, strict=True)
                km = great_circle_km_matrix(latitudes, longitudes) * 1.3
                table = [[km[i][j] * 1000 for j in destinations] for i in sources]
                for i, source in enumerate(sources):
                    for j, destination in enumerate(destinations):
                        if (points[source], points[destination]) in fake.unroutable:
                            table[i][j] = None
                durations = [
                    [None if d is None else d / 1000 / 60 * 3600 for d in row] for row in table
                ]
                self._answer(200, {"code": "Ok", "distances": table, "durations": durations})

            def _answer(self, status, body):

                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.unroutable = set(unroutable)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def points(count: int):
    rng = np.random.default_rng(3)
    return list(50.6 + rng.random(count) * 0.1), list(3.0 + rng.random(count) * 0.1)


def test_osrm_is_asked_in_tables_that_fit_its_limit():
    latitudes, longitudes = points(130)
    estimate = road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=30)
    osrm = FakeOSRM()
    try:
        metres, seconds = osrm_matrices(latitudes, longitudes, base_url=osrm.url, estimate=estimate)
    finally:
        osrm.close()

    assert len(osrm.asked) == 9  # 3 × 3 blocks of at most 50 sources × 50 destinations
    assert "annotations=distance%2Cduration" in osrm.asked[0]
    assert np.abs(metres - estimate[0]).max() <= 1  # the fake's roads are the estimate's
    assert np.abs(seconds - estimate[0] / 1000 / 60 * 3600).max() <= 1  # at its 60 km/h


def test_a_pair_osrm_cannot_route_keeps_the_estimate():
    latitudes, longitudes = points(3)
    estimate = road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=30)
    island = (
        (round(longitudes[0], 6), round(latitudes[0], 6)),
        (round(longitudes[2], 6), round(latitudes[2], 6)),
    )
    osrm = FakeOSRM(unroutable=[island])
    try:
        metres, seconds = osrm_matrices(latitudes, longitudes, base_url=osrm.url, estimate=estimate)
    finally:
        osrm.close()

    assert metres[0, 2] == estimate[0][0, 2] and seconds[0, 2] == estimate[1][0, 2]
    assert seconds[2, 0] != estimate[1][2, 0]  # the way back was routed, at 60 km/h


def test_osrm_down_or_refusing_is_a_clear_error():
    latitudes, longitudes = points(4)
    estimate = road_matrices(latitudes, longitudes, circuity=1.3, speed_kmh=30)
    osrm = FakeOSRM(limit=3)  # refuses the 4 points of the table
    try:
        with pytest.raises(OsrmUnavailable, match="HTTP Error 400"):
            osrm_matrices(latitudes, longitudes, base_url=osrm.url, estimate=estimate, table_size=8)
    finally:
        osrm.close()
    with pytest.raises(OsrmUnavailable, match="Connection refused"):
        osrm_matrices(latitudes, longitudes, base_url=osrm.url, estimate=estimate)


def test_a_drivers_shift_is_kept():
    distance, duration = city(6)
    stops = [solver.Stop(f"épicerie {index}", 10_000, 3600) for index in range(6)]  # 1 h each
    van = solver.Van("utilitaire", 800_000, count=3, max_shift_s=3 * 3600)
    problem = solver.Problem(distance, duration, stops, [van])

    plan = solver.solve(problem, time_limit_s=1, seed=2)

    assert_plan_holds(problem, plan)
    assert len(plan.rounds) == 3  # two stops and their drives per three-hour shift


def test_a_van_leaves_within_its_own_hours():
    distance, duration = city(3)
    stops = [solver.Stop(f"épicerie {index}", 10_000, 600) for index in range(3)]
    van = solver.Van("utilitaire", 800_000, opens_s=10 * 3600, closes_s=15 * 3600)
    problem = solver.Problem(distance, duration, stops, [van], hub_opens_s=5 * 3600)

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    assert plan.rounds[0].start_s >= 10 * 3600


def test_the_objective_is_the_cost_shown_fixed_cost_and_driver_hours_included():
    distance, duration = city(5)
    stops = [solver.Stop(f"épicerie {index}", 50_000, 600) for index in range(5)]
    cheap = solver.Van("prêtée", 800_000, cost_per_km=0.30, hourly_cost=24)
    hired = solver.Van("louée", 800_000, cost_per_km=0.30, hourly_cost=24, fixed_cost=80)
    problem = solver.Problem(distance, duration, stops, [hired, cheap])

    plan = solver.solve(problem, time_limit_s=1, seed=1)

    assert [round_.van.name for round_ in plan.rounds] == ["prêtée"]  # the hire is not worth it
    shown = sum(
        round_.van.cost(distance_m=round_.distance_m, duration_s=round_.duration_s)
        for round_ in plan.rounds
    )
    # The solver's cost, in its integer units, is the euros shown (to the rounding of units).
    assert abs(plan.cost / solver.COST_UNITS_PER_EURO - shown) < 0.05


def test_cold_goods_fit_the_cold_room_not_the_whole_van():
    distance, duration = city(2)
    stops = [solver.Stop(f"fromagerie {index}", 100_000, 600, cold_g=80_000) for index in range(2)]
    cold_van = solver.Van("frigo", 1_000_000, True, cold_capacity_g=100_000, count=2)
    problem = solver.Problem(distance, duration, stops, [cold_van], pickup=True)

    plan = solver.solve(problem, time_limit_s=0.5)

    assert_plan_holds(problem, plan)
    assert len(plan.rounds) == 2  # 160 kg of cold goods, 100 kg of cold room each


def test_stopping_once_the_plan_stops_improving_gives_the_same_plan_on_a_small_day():
    distance, duration = city(8)
    stops = [solver.Stop(f"épicerie {index}", 90_000, 600) for index in range(8)]
    problem = solver.Problem(distance, duration, stops, [solver.Van("v", 400_000, count=3)])

    patient = solver.solve(problem, time_limit_s=2, seed=4, patience=2000)
    whole = solver.solve(problem, time_limit_s=2, seed=4)

    assert_plan_holds(problem, patient)
    assert patient.cost == whole.cost


stop_strategy = st.builds(
    lambda load, cold_share, opens_h, hours, release_h, service: solver.Stop(
        "lieu",
        load,
        service,
        opens_s=opens_h * 3600,
        closes_s=(opens_h + hours) * 3600,
        cold_g=load * cold_share // 4,
        release_s=release_h * 3600,
    ),
    load=st.integers(1_000, 1_500_000),
    cold_share=st.integers(0, 4),  # in quarters of the load
    opens_h=st.integers(5, 14),
    hours=st.integers(1, 8),
    release_h=st.integers(0, 12),
    service=st.integers(60, 3600),
)
van_strategy = st.builds(
    lambda capacity, cold, trips, shift_h, opens_h: solver.Van(
        "van",
        capacity,
        refrigerated=cold > 0,
        cold_capacity_g=capacity * cold // 4,
        max_trips=trips,
        hourly_cost=24,
        max_shift_s=shift_h * 3600 if shift_h else None,
        opens_s=opens_h * 3600,
    ),
    capacity=st.integers(200_000, 1_200_000),
    cold=st.integers(0, 4),
    trips=st.integers(1, 3),
    shift_h=st.sampled_from([0, 3, 4, 9]),
    opens_h=st.integers(4, 10),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stops=st.lists(stop_strategy, min_size=1, max_size=7),
    vans=st.lists(van_strategy, min_size=1, max_size=3),
    pickup=st.booleans(),
)
def test_any_day_is_planned_within_every_constraint_or_its_stops_named(stops, vans, pickup):
    """Whatever the day, every gram is either in a trip that keeps every constraint or in a
    stop left out with a reason: never a plan a driver cannot drive, never a silent loss."""
    distance, duration = city(len(stops))
    named = [replace(stop, name=f"lieu {index}") for index, stop in enumerate(stops)]
    problem = solver.Problem(
        distance, duration, named, vans, pickup=pickup, hub_opens_s=5 * 3600, hub_closes_s=21 * 3600
    )

    plan = solver.solve(problem, time_limit_s=0.3, patience=300)

    assert_plan_holds(problem, plan)
    assert all(left.reason for left in plan.unserved)


def test_a_day_on_which_pyvrp_gets_stuck_is_still_planned(caplog):
    """Found by the property above: with release times, client windows, two trips and a
    three-hour shift, PyVRP 0.14.1's local search never returns. The stuck search is killed
    and the day planned again with one trip per van; the plan keeps every constraint."""
    stops = [
        solver.Stop("lieu 0", 9531, 2763, 43200, 61200, cold_g=2382, release_s=28800),
        solver.Stop("lieu 1", 32507, 224, 50400, 57600, cold_g=32507, release_s=39600),
        solver.Stop("lieu 2", 910861, 853, 43200, 57600, cold_g=910861, release_s=32400),
        solver.Stop("lieu 3", 1111165, 64, 28800, 39600, cold_g=277791, release_s=3600),
        solver.Stop("lieu 4", 2315, 71, 18000, 46800, cold_g=1736, release_s=25200),
        solver.Stop("lieu 5", 11781, 781, 25200, 32400, cold_g=5890, release_s=14400),
        solver.Stop("lieu 6", 1059563, 201, 43200, 72000, cold_g=529781, release_s=10800),
    ]
    van = solver.Van(
        "van",
        215115,
        refrigerated=True,
        cold_capacity_g=215115,
        max_trips=2,
        hourly_cost=24,
        max_shift_s=10800,
        opens_s=14400,
    )
    distance, duration = city(len(stops))
    problem = solver.Problem(
        distance, duration, stops, [van], pickup=False, hub_opens_s=5 * 3600, hub_closes_s=21 * 3600
    )

    with caplog.at_level("WARNING", logger="logistics.solver"):
        plan = solver.solve(problem, time_limit_s=0.3, patience=300)

    assert_plan_holds(problem, plan)
    assert plan.rounds
    assert all(left.reason for left in plan.unserved)
    assert "one trip per van" in caplog.text

from datetime import datetime, timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from logistics.models import Round, RoundStop
from tests import factories
from tests.helpers import client_for, close


def plan(client, cycle, vehicles, capture):
    with capture(execute=True):
        response = client.post(
            f"/api/v1/cycles/{cycle.id}/routes/plan/",
            {"vehicles": vehicles, "time_limit_s": 2},
            format="json",
        )
    task = client.get(f"/api/v1/tasks/{response.json()['task_id']}/").json()
    return response, task


def test_planning_collects_and_delivers_every_kilogram(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    response, task = plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    assert response.status_code == 202
    assert task["state"] == "SUCCESS", task
    rounds = coordinator_client.get(f"/api/v1/cycles/{confirmed.cycle.id}/routes/").json()
    assert sorted(round_["kind"] for round_ in rounds) == ["collection", "delivery"]
    collection = next(round_ for round_ in rounds if round_["kind"] == "collection")
    farms = {stop["place_id"] for stop in collection["stops"] if stop["kind"] == "producer"}
    assert farms == {world.producer.id, world.other_producer.id}  # one van, both farms
    # Carrots 100 kg (3 + 97) from the first farm, potatoes 55 kg from the other.
    collected = sum(Decimal(r["load_kg"]) for r in rounds if r["kind"] == "collection")
    delivered = sum(Decimal(r["load_kg"]) for r in rounds if r["kind"] == "delivery")
    assert collected == delivered == Decimal("155.000")
    for round_ in rounds:
        stops = round_["stops"]
        assert stops[0]["kind"] == stops[-1]["kind"] == "hub"
        assert [stop["sequence"] for stop in stops] == list(range(len(stops)))
        assert Decimal(round_["load_kg"]) <= world.vehicle.capacity_kg
        assert Decimal(round_["cost_eur"]) > 0


def test_rounds_as_geojson_and_as_seen_by_a_grocery(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    geojson = coordinator_client.get(
        f"/api/v1/cycles/{confirmed.cycle.id}/routes/?format=geojson"
    ).json()
    seen = client_for(world.volunteer).get(f"/api/v1/cycles/{confirmed.cycle.id}/routes/").json()

    assert geojson["type"] == "FeatureCollection"
    assert {feature["geometry"]["type"] for feature in geojson["features"]} == {
        "LineString",
        "Point",
    }
    assert len(seen) == 1
    assert [stop["place_id"] for stop in seen[0]["stops"]] == [world.grocery.id]


def test_a_grocery_and_a_producer_see_no_round_totals(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    """The round's load and cost would tell a volunteer what the other groceries ordered."""
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    path = f"/api/v1/cycles/{confirmed.cycle.id}/routes/"
    totals = ("distance_km", "duration_min", "load_kg", "cost_eur")

    coordinator = coordinator_client.get(path).json()
    for user in (world.volunteer, world.producer_user):
        seen = client_for(user).get(path).json()
        mapped = client_for(user).get(path, {"format": "geojson"}).json()
        lines = [f for f in mapped["features"] if f["geometry"]["type"] == "LineString"]

        assert seen and all(round_[key] is None for round_ in seen for key in totals)
        assert lines and all(
            line["properties"][key] is None
            for line in lines
            for key in ("distance_km", "load_kg", "cost_eur")
        )
    assert all(round_["load_kg"] is not None for round_ in coordinator)
    page = Client()
    page.force_login(world.volunteer)
    assert " kg · " not in page.get(f"/carte/cycles/{confirmed.cycle.id}/").content.decode()


def test_planning_again_replaces_the_rounds(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    first = Round.objects.count()

    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    assert Round.objects.count() == first
    assert RoundStop.objects.filter(round__cycle=confirmed.cycle).count() == sum(
        round_.stops.count() for round_ in Round.objects.all()
    )


def test_fresh_produce_without_a_refrigerated_van_fails_with_the_reason(
    coordinator_client, volunteer_client, market, world, django_capture_on_commit_callbacks
):
    volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": market.offers[1].id, "quantity": "10"}],
        },  # eggs travel cold
        format="json",
    )
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)
    market.cycle.purchase_lists.update(status="confirmed")
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(f"/api/v1/cycles/{market.cycle.id}/confirm/")

    _response, task = plan(
        coordinator_client, market.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    cold_van = factories.VehicleFactory(is_refrigerated=True)
    _response, fixed = plan(
        coordinator_client,
        market.cycle,
        [world.vehicle.id, cold_van.id],
        django_capture_on_commit_callbacks,
    )

    assert task["state"] == "FAILURE"
    assert "produits frais, aucun véhicule réfrigéré disponible" in task["error"]
    assert fixed["state"] == "SUCCESS"
    cold_rounds = Round.objects.filter(cycle=market.cycle, vehicle=cold_van)
    assert cold_rounds.exists()


def test_planning_an_open_cycle_or_unknown_vans_is_refused(coordinator_client, market, world):
    open_cycle = coordinator_client.post(
        f"/api/v1/cycles/{market.cycle.id}/routes/plan/",
        {"vehicles": [world.vehicle.id]},
        format="json",
    )
    market.cycle.status = "confirmed"
    market.cycle.save()
    unknown = coordinator_client.post(
        f"/api/v1/cycles/{market.cycle.id}/routes/plan/", {"vehicles": [999999]}, format="json"
    )
    empty = coordinator_client.post(
        f"/api/v1/cycles/{market.cycle.id}/routes/plan/", {"vehicles": []}, format="json"
    )

    assert open_cycle.status_code == 409 and open_cycle.json()["code"] == "cycle_not_confirmed"
    assert empty.status_code == 400
    assert unknown.status_code == 400 and "vehicles" in unknown.json()["fields"]
    assert not Round.objects.exists()


def test_cost_shares_add_up_to_the_cent():
    from hypothesis import given
    from hypothesis import strategies as st

    from core.money import split_to_the_cent

    @given(
        st.decimals(min_value="0", max_value="5000", places=2),
        st.dictionaries(
            st.integers(1, 60),
            st.decimals(min_value="0.001", max_value="900", places=3),
            min_size=1,
            max_size=40,
        ),
    )
    def shares_sum(total, weights):
        shares = split_to_the_cent(total, weights)
        assert sum(shares.values()) == total
        assert all(share >= 0 for share in shares.values())

    shares_sum()
    # 100.00 € for 1, 1 and 1 kg: 33.34, 33.33, 33.33 — the first remainder wins the cent.
    assert split_to_the_cent(
        Decimal("100.00"), {1: Decimal("1"), 2: Decimal("1"), 3: Decimal("1")}
    ) == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}


def test_cycle_cost_is_shared_by_weight(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    from accounting.cost_shares import logistics_cost_shares

    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    shares = logistics_cost_shares(cycle=confirmed.cycle)

    total = sum(round_.cost_eur for round_ in Round.objects.filter(cycle=confirmed.cycle))
    assert shares == {world.grocery.id: total}  # one grocery bears it all


def test_route_sheet_lists_each_stop_with_what_to_load(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    import io

    from pypdf import PdfReader

    world.producer.address, world.producer.phone = "12 rue du Marais, Wavrin", "03 99 00 12 34"
    world.producer.save(update_fields=["address", "phone"])
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    collection = Round.objects.get(cycle=confirmed.cycle, kind="collection")

    response = coordinator_client.get(f"/api/v1/rounds/{collection.id}/pdf/")
    assert response.status_code == 200, response.content[:300]
    volunteer = client_for(world.volunteer).get(f"/api/v1/rounds/{collection.id}/pdf/")

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert response["Content-Type"] == "application/pdf"
    assert "Feuille de route — Ramasse" in text
    assert world.producer.name in text and world.other_producer.name in text
    assert world.product.name in text and "100" in text  # 100 kg of the first farm's carrots
    assert "Nom et signature du producteur" in text
    assert "12 rue du Marais, Wavrin · Tél. 03 99 00 12 34" in text  # whom the driver calls
    assert volunteer.status_code == 403


def test_map_page_draws_rounds_over_the_zones_from_local_files(
    client, coordinator_client, confirmed, world, zones, django_capture_on_commit_callbacks
):
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    client.force_login(world.coordinator)

    page = client.get(f"/carte/cycles/{confirmed.cycle.id}/", HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(world.ccas_staff)
    refused = client.get(f"/carte/cycles/{confirmed.cycle.id}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "http://" not in html and "https://" not in html  # no tiles, no CDN
    assert '"LineString"' in html and "Hellemmes" in html
    # The background: the communes of the Nord, a static file of the site, labelled where
    # the rounds stop; and the way back to the cycle.
    assert "/static/logistics/communes-nord.geojson" in html
    labelled = '<script id="labelled-communes" type="application/json">["{}"]</script>'
    assert labelled.format(world.producer.organisation.commune) in html
    assert f'href="/coordination/cycles/{confirmed.cycle.id}/"' in html
    assert "<main" in html and 'role="img"' not in html
    assert refused.status_code == 403


def test_the_communes_of_the_map_are_the_reference_contours(settings):
    import json
    from pathlib import Path

    asset = Path(settings.BASE_DIR) / "logistics/static/logistics/communes-nord.geojson"
    communes = json.loads(asset.read_text())["features"]

    names = {feature["properties"]["nom"] for feature in communes}
    assert len(communes) == 648 and {"Lille", "Wavrin", "Villeneuve-d'Ascq"} <= names


def test_with_its_road_server_down_planning_says_so_and_keeps_the_plan(
    coordinator_client, confirmed, world, settings, django_capture_on_commit_callbacks
):
    import socket

    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )
    before = list(Round.objects.filter(cycle=confirmed.cycle).values_list("id", flat=True))
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        settings.OSRM_URL = f"http://127.0.0.1:{sock.getsockname()[1]}"

    _response, task = plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    assert task["state"] == "FAILURE"
    assert "Le serveur d'itinéraires (OSRM) ne répond pas" in task["error"]
    assert list(Round.objects.filter(cycle=confirmed.cycle).values_list("id", flat=True)) == before


def test_a_vehicle_says_its_cold_room_hours_shift_and_fixed_cost(coordinator_client):
    created = coordinator_client.post(
        "/api/v1/vehicles/",
        {
            "name": "Fourgon loué",
            "capacity_kg": "1000",
            "cost_per_km": "0.40",
            "is_refrigerated": True,
            "fixed_cost_eur": "60.00",
            "available_from": "06:00",
            "available_until": "15:00",
            "max_shift_min": 480,
        },
        format="json",
    ).json()
    dry = coordinator_client.post(
        "/api/v1/vehicles/",
        {"name": "Utilitaire", "capacity_kg": "800", "cost_per_km": "0.30"},
        format="json",
    ).json()

    assert created["cold_capacity_kg"] == "1000.0"  # all of it, by default, when refrigerated
    assert (created["fixed_cost_eur"], created["max_shift_min"]) == ("60.00", 480)
    assert (created["available_from"], created["available_until"]) == ("06:00:00", "15:00:00")
    assert dry["cold_capacity_kg"] == "0.0" and dry["max_shift_min"] is None


def test_a_rounds_cost_is_the_objectives_with_the_fixed_cost_once_a_day(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    world.vehicle.fixed_cost_eur = Decimal("50.00")
    world.vehicle.save(update_fields=["fixed_cost_eur"])

    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    collection, delivery = (
        Round.objects.get(cycle=confirmed.cycle, kind=kind) for kind in ("collection", "delivery")
    )
    for round_, fixed in ((collection, Decimal("50.00")), (delivery, Decimal("0"))):
        driven = round_.distance_km * world.vehicle.cost_per_km
        driver = Decimal(round_.duration_min) / 60 * Decimal("24.00")
        assert abs(round_.cost_eur - (driven + driver + fixed)) <= Decimal("0.25"), round_


def test_a_van_arrives_in_time_to_unload_before_the_place_closes(settings):
    from datetime import time

    from logistics.planning import Place, _stop

    settings.ROUTING_SERVICE_BASE_S, settings.ROUTING_SERVICE_PER_KG_S = 600, 2
    place = Place(
        "grocery", 1, "Fives Solidaire", Decimal("50.63"), Decimal("3.08"),
        Decimal("150"), Decimal("0"), time(9, 0), time(12, 0),
    )  # fmt: skip

    stop = _stop(place, 1)

    assert stop.service_s == 600 + 300  # ten minutes, and two seconds a kilo
    assert stop.closes_s == 12 * 3600 - stop.service_s  # the latest arrival: 11:45


def test_one_day_a_van_is_never_in_two_rounds_and_delivers_once_the_goods_are_sorted(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks, settings
):
    settings.SORTING_MIN = 45
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    rounds = coordinator_client.get(f"/api/v1/cycles/{confirmed.cycle.id}/routes/").json()
    collection = next(round_ for round_ in rounds if round_["kind"] == "collection")
    delivery = next(round_ for round_ in rounds if round_["kind"] == "delivery")
    assert collection["ends_at"] <= delivery["starts_at"]  # the same van, one after the other
    back = max(datetime.fromisoformat(trip["returns_at"]) for trip in collection["trips"])
    for trip in delivery["trips"]:
        assert datetime.fromisoformat(trip["departs_at"]) >= back + timedelta(minutes=45)
    for round_ in rounds:
        assert [trip["trip"] for trip in round_["trips"]] == list(
            range(1, len(round_["trips"]) + 1)
        )
        assert sum(Decimal(trip["load_kg"]) for trip in round_["trips"]) == Decimal(
            round_["load_kg"]
        )
        for stop in round_["stops"]:
            assert stop["departs_at"] >= stop["arrival_at"]
            assert Decimal(stop["cold_kg"]) <= Decimal(stop["load_kg"])
            assert 1 <= stop["trip"] <= len(round_["trips"])
    # The van's fixed cost and its day: one driver's clock, two rounds that do not overlap.
    assert Round.objects.filter(vehicle=world.vehicle).count() == 2


def test_collecting_the_day_before_plans_collection_on_the_eve(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks, settings
):
    settings.COLLECTION_DAY_BEFORE = True
    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    day = confirmed.cycle.delivery_date
    collection = Round.objects.get(cycle=confirmed.cycle, kind="collection")
    delivery = Round.objects.get(cycle=confirmed.cycle, kind="delivery")
    assert timezone.localtime(collection.starts_at).date() == day - timedelta(days=1)
    assert timezone.localtime(delivery.starts_at).date() == day
    # Another day of the van: its fixed cost again, on each day's round.
    assert collection.cost_eur > 0 and delivery.cost_eur > 0


def test_a_place_out_of_reach_is_left_out_with_its_cause_and_the_rest_is_planned(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    from datetime import time

    world.grocery.opens_at_time, world.grocery.closes_at_time = time(3), time(4)
    world.grocery.save()

    _response, task = plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    assert task["state"] == "SUCCESS", task
    [left] = task["result"]["unserved"]
    assert (left["place_id"], left["kind"]) == (world.grocery.id, "grocery")
    assert left["reason"].startswith("injoignable dans ses horaires")
    listed = coordinator_client.get(f"/api/v1/cycles/{confirmed.cycle.id}/routes/unserved/")
    assert listed.json() == [{**left, "name": world.grocery.name}]
    assert list(Round.objects.filter(cycle=confirmed.cycle).values_list("kind", flat=True)) == [
        "collection"
    ]
    page = Client()
    page.force_login(world.coordinator)
    panel = page.get(f"/coordination/cycles/{confirmed.cycle.id}/")
    assert "Lieux que le plan n'a pas pu desservir" in panel.content.decode()
    volunteer = client_for(world.volunteer)
    assert volunteer.get(f"/api/v1/cycles/{confirmed.cycle.id}/routes/unserved/").status_code == 403


def test_vans_leave_and_come_back_within_the_hubs_hours(
    coordinator_client, confirmed, world, django_capture_on_commit_callbacks
):
    from datetime import time

    hub = confirmed.cycle.hub
    hub.opens_at, hub.closes_at = time(10), time(20)
    hub.save()

    plan(
        coordinator_client, confirmed.cycle, [world.vehicle.id], django_capture_on_commit_callbacks
    )

    for round_ in Round.objects.filter(cycle=confirmed.cycle):
        assert timezone.localtime(round_.starts_at).time() >= time(10)
        assert timezone.localtime(round_.ends_at).time() <= time(20)
    refused = coordinator_client.patch(
        f"/api/v1/hubs/{hub.id}/", {"opens_at": "21:00"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["fields"]["closes_at"] == ["La plateforme ferme après avoir ouvert."]

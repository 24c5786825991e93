"""A whole cycle to settle, computed by hand (see test_settlement.py for the figures).

3 producers, 2 groceries, 4 households on 3 tiers and 2 funders; carrots short at close
(70 asked, 50 offered), apples confirmed short (30 of 33), eggs received short at the second
grocery (28 of 30), two rounds costing 31.50 € and 18.70 €.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import OrderLine
from supply.models import PurchaseList
from tests import factories
from tests.factories import Role
from tests.helpers import client_for, close


@dataclass
class Scenario:
    cycle: object
    producers: list  # P1 carrots + eggs, P2 potatoes, P3 apples
    groceries: list  # G1, G2
    households: list  # H1 T1, H2 T2, H3 T3 (funder F1); H4 T1 (funder F2)
    funders: list  # F1 (the CCAS's), F2 (the city)
    envelopes: list
    orders: dict  # name -> order id


def _order(client, cycle, lines, **target) -> int:
    response = client.post(
        "/api/v1/orders/",
        {
            "cycle": cycle.id,
            **target,
            "lines": [{"offer": offer.id, "quantity": quantity} for offer, quantity in lines],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.fixture
def delivered(
    world, market, coordinator_client, volunteer_client, django_capture_on_commit_callbacks
) -> Scenario:
    capture = django_capture_on_commit_callbacks
    carrots, eggs, potatoes = market.offers
    carrots.quantity_available = Decimal("50")
    carrots.save()
    apples_producer = factories.ProducerFactory(name="Vergers de Templeuve")
    apples = factories.OfferFactory(
        cycle=market.cycle,
        product=factories.ProductFactory(
            producer=apples_producer, name="Pommes", unit_price_ht=Decimal("2.40")
        ),
        unit_price_ht=Decimal("2.40"),
    )
    g1, g2 = world.grocery, world.other_grocery
    f1 = market.funder
    f2 = factories.FunderFactory(name="Ville de Lille", kind="city")
    today = timezone.localdate()
    f2_envelope = factories.EnvelopeFactory(
        funder=f2,
        period_start=today - timedelta(days=60),
        period_end=today + timedelta(days=120),
        amount=Decimal("500.00"),
    )
    h1 = market.household
    h2 = factories.enrol(world, tier="T2", grocery=g1, funder=f1)
    h3 = factories.enrol(world, tier="T3", grocery=g2, funder=f1)
    h4 = factories.enrol(world, tier="T1", grocery=g2, funder=f2)
    other_volunteer = client_for(world.other_volunteer)
    cycle = market.cycle
    orders = {
        "H1": _order(volunteer_client, cycle, [(carrots, "4"), (eggs, "2")], household=h1.id),
        "H2": _order(volunteer_client, cycle, [(carrots, "3"), (apples, "2")], household=h2.id),
        "H3": _order(other_volunteer, cycle, [(potatoes, "5"), (apples, "1")], household=h3.id),
        "H4": _order(other_volunteer, cycle, [(carrots, "3"), (potatoes, "2.5")], household=h4.id),
        "G1": _order(
            volunteer_client,
            cycle,
            [(carrots, "40"), (potatoes, "50"), (apples, "20")],
            grocery=g1.id,
        ),
        "G2": _order(
            other_volunteer, cycle, [(carrots, "20"), (eggs, "30"), (apples, "10")], grocery=g2.id
        ),
    }

    _response, task = close(coordinator_client, cycle, capture)
    assert task["state"] == "SUCCESS", task

    # P1 and P2 confirm in full, P3 confirms 30 kg of apples of the 33 allocated.
    producers = [world.producer, world.other_producer, apples_producer]
    answers = ([], [], [{"offer": apples.id, "confirmed_quantity": "30"}])
    for producer, lines in zip(producers, answers, strict=True):
        purchase_list = PurchaseList.objects.get(cycle=cycle, producer=producer)
        user = factories.member(Role.PRODUCER, producer.organisation)
        with capture(execute=True):
            answer = client_for(user).post(
                f"/api/v1/purchase-lists/{purchase_list.id}/confirm/",
                {"lines": lines},
                format="json",
            )
        assert answer.status_code == 200, answer.json()
    with capture(execute=True):
        assert coordinator_client.post(f"/api/v1/cycles/{cycle.id}/confirm/").status_code == 202

    # Two rounds, their costs set by hand (the solver's own figures are tested elsewhere).
    for kind, cost in (("collection", "31.50"), ("delivery", "18.70")):
        factories.RoundFactory(
            cycle=cycle, kind=kind, vehicle=world.vehicle, cost_eur=Decimal(cost)
        )
    assert coordinator_client.post(f"/api/v1/cycles/{cycle.id}/dispatch/").status_code == 200

    eggs_line = OrderLine.objects.get(order_id=orders["G2"], offer=eggs)
    received = other_volunteer.post(
        f"/api/v1/groceries/{g2.id}/receptions/",
        {"cycle": cycle.id, "lines": [{"order_line": eggs_line.id, "received_quantity": "28"}]},
        format="json",
    )
    assert received.status_code == 201, received.json()
    assert coordinator_client.post(f"/api/v1/cycles/{cycle.id}/deliver/").status_code == 200
    cycle.refresh_from_db()
    return Scenario(
        cycle=cycle,
        producers=producers,
        groceries=[g1, g2],
        households=[h1, h2, h3, h4],
        funders=[f1, f2],
        envelopes=[market.envelope, f2_envelope],
        orders=orders,
    )


def settle(client, cycle, capture) -> dict:
    with capture(execute=True):
        response = client.post(f"/api/v1/cycles/{cycle.id}/settle/")
    assert response.status_code == 202, response.json()
    return client.get(f"/api/v1/tasks/{response.json()['task_id']}/").json()


def dispatch_in_full(client, world, cycle, capture, round_cost: str = "10.00") -> None:
    """Close the cycle, every producer confirming all it was asked; confirm it, plan one
    delivery round costing `round_cost`, dispatch it."""
    _response, task = close(client, cycle, capture)
    assert task["state"] == "SUCCESS", task
    for purchase_list in PurchaseList.objects.filter(cycle=cycle):
        user = factories.member(Role.PRODUCER, purchase_list.producer.organisation)
        with capture(execute=True):
            answer = client_for(user).post(
                f"/api/v1/purchase-lists/{purchase_list.id}/confirm/", {"lines": []}, format="json"
            )
        assert answer.status_code == 200, answer.json()
    with capture(execute=True):
        assert client.post(f"/api/v1/cycles/{cycle.id}/confirm/").status_code == 202
    factories.RoundFactory(
        cycle=cycle, kind="delivery", vehicle=world.vehicle, cost_eur=Decimal(round_cost)
    )
    assert client.post(f"/api/v1/cycles/{cycle.id}/dispatch/").status_code == 200


def enrolment(world, market, **overrides):
    today = timezone.localdate()
    return {
        "adults": 1,
        "children": 1,
        "valid_from": str(today - timedelta(days=1)),
        "valid_until": str(today + timedelta(days=120)),
        "tier": "T1",
        "pickup_grocery": world.grocery.id,
        "consent_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **overrides,
    }


def order_for_cofunded(ccas_client, volunteer_client, world, market, shares, offer, quantity):
    """A household enrolled with these (funder, share), and its order of one line."""
    body = enrolment(
        world, market, funders=[{"funder": f.id, "share": share} for f, share in shares]
    )
    household_id = ccas_client.post("/api/v1/households/", body, format="json").json()["id"]
    answer = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": household_id,
            "lines": [{"offer": offer.id, "quantity": quantity}],
        },
        format="json",
    )
    return household_id, answer

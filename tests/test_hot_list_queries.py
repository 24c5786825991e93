"""The lists people open every day answer in the same number of queries whatever their
length: an N+1 (a query per row) fails here."""

from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.services import RequestedLine, order_submit
from tests import factories
from tests.helpers import client_for, close


def queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return [query["sql"] for query in captured]


def assert_constant(client, path: str, add: Callable[[int], None], expected: int) -> None:
    add(2)
    few = queries(client, path)
    add(10)
    many = queries(client, path)
    assert len(few) == len(many) == expected, many


def household_orders(world, market, count: int) -> None:
    for _ in range(count):
        household = factories.enrol(world, funder=market.funder)
        order_submit(
            user=world.volunteer,
            cycle_id=market.cycle.id,
            household_id=household.id,
            lines=[
                RequestedLine(offer_id=market.offers[0].id, quantity=Decimal("1")),
                RequestedLine(offer_id=market.offers[1].id, quantity=Decimal("1")),
            ],
            now=timezone.now(),
        )


def test_orders(world, market):
    client = client_for(world.volunteer)

    assert_constant(
        client,
        f"/api/v1/orders/?cycle={market.cycle.id}",
        lambda count: household_orders(world, market, count),
        expected=5,  # the cycle, the count, the orders, their lines, their co-fundings
    )


def test_offers(world, market):
    def add(count: int) -> None:
        for _ in range(count):
            product = factories.ProductFactory(producer=factories.ProducerFactory())
            factories.OfferFactory(cycle=market.cycle, product=product)

    assert_constant(
        client_for(world.volunteer), f"/api/v1/offers/?cycle={market.cycle.id}", add, expected=3
    )


def test_households(world, market):
    def add(count: int) -> None:
        for _ in range(count):
            factories.enrol(world, funder=market.funder)

    # The count, the households, their co-funders.
    assert_constant(client_for(world.ccas_staff), "/api/v1/households/", add, expected=3)


def test_cycles(world):
    def add(count: int) -> None:
        for _ in range(count):
            factories.OrderCycleFactory(hub=world.hub)

    assert_constant(client_for(world.coordinator), "/api/v1/cycles/", add, expected=2)


def test_purchase_lists(world, market, django_capture_on_commit_callbacks):
    coordinator = client_for(world.coordinator)

    def closed_cycle_of(producers: int) -> str:
        cycle = factories.OrderCycleFactory(
            hub=world.hub,
            status="open",
            opens_at=market.cycle.opens_at,
            closes_at=market.cycle.closes_at,
            confirm_by=market.cycle.confirm_by,
            delivery_date=market.cycle.delivery_date,
        )
        lines = []
        for _ in range(producers):
            product = factories.ProductFactory(producer=factories.ProducerFactory())
            offer = factories.OfferFactory(cycle=cycle, product=product)
            lines.append(RequestedLine(offer_id=offer.id, quantity=Decimal("2")))
        order_submit(
            user=world.volunteer,
            cycle_id=cycle.id,
            grocery=world.grocery,
            lines=lines,
            now=timezone.now(),
        )
        _response, task = close(coordinator, cycle, django_capture_on_commit_callbacks)
        assert task["state"] == "SUCCESS", task
        return f"/api/v1/cycles/{cycle.id}/purchase-lists/"

    few = queries(coordinator, closed_cycle_of(2))
    many = queries(coordinator, closed_cycle_of(12))

    assert len(few) == len(many) == 4, many

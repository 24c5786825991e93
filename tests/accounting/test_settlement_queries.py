"""Settling runs a fixed number of queries, whatever the number of orders."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounting.settlement import cycle_settle
from orders.services import RequestedLine, order_submit
from supply.services import cycle_close, cycle_confirm, cycle_deliver, cycle_dispatch
from tests import factories


def _delivered_cycle(world, households: int):
    """A cycle of `households` household orders and two grouped orders, delivered."""
    now = timezone.now()
    today = timezone.localdate()
    cycle = factories.OrderCycleFactory(
        hub=world.hub,
        status="open",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(hours=1),
        confirm_by=now + timedelta(days=1),
        delivery_date=today + timedelta(days=3),
    )
    offer = factories.OfferFactory(cycle=cycle, product=world.product)
    line = [RequestedLine(offer_id=offer.id, quantity=Decimal("1"))]
    for index in range(households):
        household = factories.enrol(
            world,
            grocery=(world.grocery, world.other_grocery)[index % 2],
            funder=world.funder,
            children=0,
        )
        order_submit(
            user=world.volunteer, cycle_id=cycle.id, lines=line, now=now, household_id=household.id
        )
    for grocery in (world.grocery, world.other_grocery):
        order_submit(user=world.volunteer, cycle_id=cycle.id, lines=line, now=now, grocery=grocery)
    cycle_close(cycle_id=cycle.id, user=None, now=now)
    cycle.purchase_lists.update(status="confirmed")
    cycle_confirm(cycle_id=cycle.id, user=None, now=now)
    factories.RoundFactory(cycle=cycle, vehicle=world.vehicle)
    cycle_dispatch(cycle_id=cycle.id, user=None, now=now)
    cycle_deliver(cycle_id=cycle.id, user=None, now=now)
    return cycle


def test_settling_queries_do_not_grow_with_orders(world):
    warm_up, few, many = (_delivered_cycle(world, count) for count in (2, 2, 12))
    cycle_settle(cycle_id=warm_up.id, user=None, now=timezone.now())  # opens the accounts

    counts = []
    for cycle in (few, many):
        with CaptureQueriesContext(connection) as queries:
            cycle_settle(cycle_id=cycle.id, user=None, now=timezone.now())
        counts.append(len(queries))

    assert counts[0] == counts[1], counts

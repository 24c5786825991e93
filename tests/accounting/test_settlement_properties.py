"""Random cycles, from orders to settlement, through the services: the books always balance.

Each example is a new cycle with its own offers, households and orders, taken through close
(shortages), partial confirmations, receptions short of what was confirmed, two rounds,
dispatch, delivery and settlement. Examples share the test's database transaction, so
every property is checked per cycle, and the whole trial balance once more at the end.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounting import ledger
from accounting.models import Envelope
from accounting.settlement import cycle_settle, settlement_summary
from core.money import quantize_money
from orders.models import OrderLine, destination_grocery_id
from orders.quantities import served_quantity
from orders.services import RequestedLine, order_submit, reception_record
from supply.models import PurchaseList
from supply.services import (
    cycle_close,
    cycle_confirm,
    cycle_deliver,
    cycle_dispatch,
    purchase_list_confirm,
)
from tests import factories

PACKS = [Decimal("1"), Decimal("2.5"), Decimal("6")]
# Shares of the allocation a producer confirms, of the confirmed quantity a grocery receives.
RATIOS = [Decimal("1"), Decimal("1"), Decimal("0.9"), Decimal("0.5"), Decimal("0.33"), Decimal("0")]

offers_strategy = st.lists(
    st.tuples(
        st.integers(min_value=10, max_value=999),  # price in cents
        st.sampled_from(PACKS),
        st.integers(min_value=0, max_value=30),  # packs available
        st.integers(min_value=0, max_value=2),  # producer
    ),
    min_size=1,
    max_size=4,
)
orders_strategy = st.lists(
    st.tuples(
        st.sampled_from(["T1", "T2", "T3", "G0", "G1"]),  # a household's tier, or a grocery
        st.lists(st.integers(min_value=1, max_value=5), min_size=4, max_size=4),  # packs
        st.lists(st.sampled_from([True, True, False]), min_size=4, max_size=4),  # offers chosen
    ),
    min_size=1,
    max_size=7,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    offers=offers_strategy,
    orders=orders_strategy,
    confirm_ratio=st.lists(st.sampled_from(RATIOS), min_size=4, max_size=4),
    receive_ratio=st.sampled_from(RATIOS),
    round_costs=st.tuples(st.integers(0, 9999), st.integers(0, 9999)),
)
def test_random_cycles_settle_to_balanced_books(
    world, offers, orders, confirm_ratio, receive_ratio, round_costs
):
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
    producers = [world.producer, world.other_producer, factories.ProducerFactory()]
    offer_rows = [
        factories.OfferFactory(
            cycle=cycle,
            product=factories.ProductFactory(
                producer=producers[producer], pack_size=pack, unit_price_ht=Decimal(cents) / 100
            ),
            unit_price_ht=Decimal(cents) / 100,
            quantity_available=pack * available,
        )
        for cents, pack, available, producer in offers
    ]
    funder = factories.FunderFactory(kind="ccas", social_service=world.social_service)
    factories.EnvelopeFactory(
        funder=funder,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=30),
        amount=Decimal("100000.00"),
    )
    groceries = [world.grocery, world.other_grocery]
    grocery_ordered = set()
    for index, (who, packs, chosen) in enumerate(orders):
        lines = [
            RequestedLine(offer_id=offer.id, quantity=offer.product.pack_size * packs[position])
            for position, offer in enumerate(offer_rows)
            if chosen[position]
        ]
        if not lines:
            continue
        if who.startswith("G"):
            if who in grocery_ordered:
                continue
            grocery_ordered.add(who)
            order_submit(
                user=world.volunteer,
                cycle_id=cycle.id,
                lines=lines,
                now=now,
                grocery=groceries[int(who[1])],
            )
        else:
            household = factories.enrol(
                world,
                tier=who,
                grocery=groceries[index % 2],
                funder=funder,
                children=0,
                monthly_cap=Decimal("1000.00"),
            )
            order_submit(
                user=world.volunteer,
                cycle_id=cycle.id,
                lines=lines,
                now=now,
                household_id=household.id,
            )

    cycle_close(cycle_id=cycle.id, user=None, now=now)
    for purchase_list in PurchaseList.objects.filter(cycle=cycle).prefetch_related("lines"):
        confirmed = {}
        for line in purchase_list.lines.all():
            position = next(i for i, offer in enumerate(offer_rows) if offer.id == line.offer_id)
            pack = offer_rows[position].product.pack_size
            packs = int(line.allocated_quantity / pack * confirm_ratio[position])
            confirmed[line.offer_id] = pack * packs
        purchase_list_confirm(purchase_list=purchase_list, confirmed=confirmed, now=now)
    cycle_confirm(cycle_id=cycle.id, user=None, now=now)
    for kind, cents in zip(("collection", "delivery"), round_costs, strict=True):
        factories.RoundFactory(
            cycle=cycle, kind=kind, vehicle=world.vehicle, cost_eur=Decimal(cents) / 100
        )
    cycle_dispatch(cycle_id=cycle.id, user=None, now=now)
    for grocery in groceries:
        served = (
            OrderLine.objects.live()
            .filter(order__cycle=cycle)
            .annotate(place=destination_grocery_id(), served=served_quantity())
            .filter(place=grocery.id)
            .filter(served__gt=0)
            .values_list("id", "served")
        )
        received = {
            line_id: (quantity * receive_ratio).quantize(Decimal("0.001"))
            for line_id, quantity in served
        }
        if received:
            reception_record(
                grocery=grocery, cycle_id=cycle.id, user=world.volunteer, lines=received, now=now
            )
    cycle_deliver(cycle_id=cycle.id, user=None, now=now)
    preview = settlement_summary(cycle=cycle)

    result = cycle_settle(cycle_id=cycle.id, user=None, now=now)

    event(f"lines repriced on reception: {bool(result['repriced_lines'])}")
    event(f"orders: {len(preview['groceries']) + len(preview['funders']) > 0}")
    event(
        "shortage at close: "
        f"{OrderLine.objects.filter(order__cycle=cycle, allocated_quantity__isnull=False).exists()}"
    )

    cycle.refresh_from_db()
    summary = settlement_summary(cycle=cycle)
    trial = ledger.trial_balance(cycle_id=cycle.id)
    assert trial["total_debit"] == trial["total_credit"]
    assert summary["balanced"] is True
    producers_total = sum(Decimal(row["amount_ttc"]) for row in summary["producers"])
    paid = sum(row["goods_ttc"] + row["beneficiary_collected"] for row in summary["groceries"])
    paid += sum(row["subsidy_ttc"] for row in summary["funders"])
    assert producers_total == paid == summary["total_market_ttc"]
    lines_ttc = OrderLine.objects.live().filter(order__cycle=cycle).aggregate(total=Sum("line_ttc"))
    assert producers_total == quantize_money(lines_ttc["total"] or 0)
    if summary["groceries"]:  # some grocery received goods: it bears the rounds
        assert summary["logistics_total"] == Decimal(sum(round_costs)) / 100
    assert {**preview, "settled": True, "status": "settled"} == summary
    envelope = Envelope.objects.get(funder=funder)
    assert envelope.committed == 0
    assert envelope.spent == sum((row["subsidy_ttc"] for row in summary["funders"]), Decimal(0))
    assert ledger.trial_balance()["balanced"]

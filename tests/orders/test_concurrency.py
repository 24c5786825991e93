"""Caps and envelopes hold when orders arrive at the same moment (PostgreSQL row locks)."""

import functools
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounting.models import Envelope
from core.choices import Role
from core.errors import DomainError
from orders.households import household_enrol
from orders.models import Order, TariffTier
from orders.services import RequestedLine, order_cancel, order_replace_lines, order_submit
from tests import factories
from tests.postgres import row_locked

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
    ),
]


def run_together(jobs):
    """Start every job at the same instant, each on its own thread and connection."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = ("ok", job())
        except DomainError as error:
            outcomes[index] = (error.code, None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def setting_up(transactional_db):
    platform = factories.platform_organisation()
    tier, _ = TariffTier.objects.get_or_create(
        code="T1",
        defaults={
            "label": "T1",
            "beneficiary_rate": Decimal("0.10"),
            "max_reste_a_vivre": Decimal("4"),
        },
    )
    hub = factories.HubFactory(organisation=platform)
    grocery = factories.GroceryFactory()
    volunteer = factories.member(Role.GROCERY_VOLUNTEER, grocery.organisation)
    social_service = factories.SocialServiceFactory()
    staff = factories.member(Role.CCAS_STAFF, social_service.organisation)
    funder = factories.FunderFactory(kind="ccas", social_service=social_service)
    return tier, hub, grocery, volunteer, social_service, staff, funder


def open_cycle(hub, delivery_date, product):
    now = timezone.now()
    cycle = factories.OrderCycleFactory(
        hub=hub,
        status="open",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        confirm_by=now + timedelta(days=2),
        delivery_date=delivery_date,
    )
    return factories.OfferFactory(cycle=cycle, product=product, unit_price_ht=Decimal("2.00"))


def open_cycle_with_budget(hub, funder):
    """An open cycle delivered in five days, and its funder's envelope of 1 000 €."""
    delivery = timezone.localdate() + timedelta(days=5)
    offer = open_cycle(hub, delivery, factories.ProductFactory())
    factories.EnvelopeFactory(
        funder=funder,
        period_start=delivery - timedelta(days=40),
        period_end=delivery + timedelta(days=40),
        amount=Decimal("1000.00"),
    )
    return delivery, offer


def enrol(social_service, staff, tier, grocery, funder, delivery_date, monthly_cap=None):
    now = timezone.now()
    return household_enrol(
        social_service=social_service,
        user=staff,
        now=now,
        adults=1,
        children=0,
        valid_from=delivery_date - timedelta(days=30),
        valid_until=delivery_date + timedelta(days=90),
        tier=tier,
        pickup_grocery=grocery,
        funder=funder,
        consent_at=now,
        monthly_cap=monthly_cap,
        eligibility_reason="Plafond choisi par le test" if monthly_cap else "",
    )


def test_twenty_households_race_for_an_envelope_that_admits_five(transactional_db):
    tier, hub, grocery, volunteer, social_service, staff, funder = setting_up(transactional_db)
    delivery = timezone.localdate() + timedelta(days=5)
    offer = open_cycle(hub, delivery, factories.ProductFactory())
    # 4 kg × 2.00 € = 8.00 HT, 8.44 TTC; T1 pays 0.84, the funder 7.60.
    subsidy = Decimal("7.60")
    envelope = factories.EnvelopeFactory(
        funder=funder,
        period_start=delivery - timedelta(days=40),
        period_end=delivery + timedelta(days=40),
        amount=subsidy * 5 + Decimal("7.59"),
    )
    households = [enrol(social_service, staff, tier, grocery, funder, delivery) for _ in range(20)]

    outcomes = run_together(
        [
            lambda household=household: (
                order_submit(
                    user=volunteer,
                    cycle_id=offer.cycle_id,
                    household_id=household.id,
                    lines=[RequestedLine(offer.id, Decimal("4"))],
                    now=timezone.now(),
                ).subsidy_total
            )
            for household in households
        ]
    )

    codes = [code for code, _ in outcomes]
    assert codes.count("ok") == 5
    assert codes.count("envelope_exhausted") == 15
    assert Envelope.objects.get(pk=envelope.pk).committed == subsidy * 5
    assert Order.objects.count() == 5


def test_one_household_in_ten_cycles_its_cap_admits_three(transactional_db):
    tier, hub, grocery, volunteer, social_service, staff, funder = setting_up(transactional_db)
    delivery = timezone.localdate() + timedelta(days=5)
    product = factories.ProductFactory()
    offers = [open_cycle(hub, delivery + timedelta(days=index % 2), product) for index in range(10)]
    if len({offer.cycle.delivery_date.month for offer in offers}) > 1:
        offers = [open_cycle(hub, delivery, product) for _ in range(10)]
    factories.EnvelopeFactory(
        funder=funder,
        period_start=delivery - timedelta(days=40),
        period_end=delivery + timedelta(days=40),
        amount=Decimal("1000.00"),
    )
    # Each order is 8.44 € TTC; a cap of 30.00 € admits three (25.32 €), not four (33.76 €).
    household = enrol(
        social_service, staff, tier, grocery, funder, delivery, monthly_cap=Decimal("30.00")
    )

    outcomes = run_together(
        [
            lambda offer=offer: (
                order_submit(
                    user=volunteer,
                    cycle_id=offer.cycle_id,
                    household_id=household.id,
                    lines=[RequestedLine(offer.id, Decimal("4"))],
                    now=timezone.now(),
                ).total_ttc
            )
            for offer in offers
        ]
    )

    codes = [code for code, _ in outcomes]
    assert codes.count("ok") == 3
    assert codes.count("cap_exceeded") == 7
    assert Order.objects.filter(household=household).count() == 3


def test_orders_lock_only_their_own_rows(transactional_db):
    """Found by bench/load.py: a household order locked the tariff tier and the funder that
    every household shares, and a change of an order locked its cycle for update while other
    orders held it shared: two volunteers deadlocked. With the tier row and the cycle row held
    by other sessions (a coordinator's edit, another order in flight), orders still go through.
    """
    tier, hub, grocery, volunteer, social_service, staff, funder = setting_up(transactional_db)
    delivery, offer = open_cycle_with_budget(hub, funder)
    household = enrol(social_service, staff, tier, grocery, funder, delivery)
    grouped = order_submit(
        user=volunteer,
        cycle_id=offer.cycle_id,
        grocery=grocery,
        lines=[RequestedLine(offer.id, Decimal("4"))],
        now=timezone.now(),
    )
    with (
        row_locked("orders_tarifftier", tier.id),
        row_locked("accounting_funder", funder.id),
        row_locked("supply_ordercycle", offer.cycle_id, mode="SHARE"),
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # a wait would fail the test, not hang it
        try:
            household_order = order_submit(
                user=volunteer,
                cycle_id=offer.cycle_id,
                household_id=household.id,
                lines=[RequestedLine(offer.id, Decimal("2"))],
                now=timezone.now(),
            )
            changed = order_replace_lines(
                order=grouped, lines=[RequestedLine(offer.id, Decimal("6"))], now=timezone.now()
            )
            cancelled = order_cancel(order=household_order, now=timezone.now())
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")

    assert changed.lines.get().quantity == Decimal("6")
    assert cancelled.status == "cancelled"


def test_the_same_idempotency_key_twice_at_once_places_one_order(transactional_db):
    """The key is recorded with the answer, at the end: the second request collides on the
    key's unique index (or finds the order placed) and answers with the first order."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    tier, hub, grocery, volunteer, social_service, staff, funder = setting_up(transactional_db)
    delivery, offer = open_cycle_with_budget(hub, funder)
    households = [enrol(social_service, staff, tier, grocery, funder, delivery) for _ in range(3)]
    token = Token.objects.create(user=volunteer).key

    def post(body, key):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        return response.status_code, response.json()

    for household in households:
        body = {
            "cycle": offer.cycle_id,
            "household": household.id,
            "lines": [{"offer": offer.id, "quantity": "2"}],
        }
        key = f"tablet-{household.id}"
        outcomes = run_together([functools.partial(post, body, key)] * 2)

        answers = [answer for _, answer in outcomes]
        assert [status for status, _ in answers] == [201, 201], answers
        assert answers[0][1]["id"] == answers[1][1]["id"]
        assert Order.objects.filter(household=household).count() == 1


def test_two_grouped_orders_of_one_grocery_at_once_place_one(transactional_db):
    """The second loses on the unique constraint, raised at once and rolled back: a refusal
    (order_exists), never an error of a transaction left aborted."""
    _tier, hub, grocery, volunteer, *_others = setting_up(transactional_db)
    offer = open_cycle(hub, timezone.localdate() + timedelta(days=5), factories.ProductFactory())

    def place():
        return order_submit(
            user=volunteer,
            cycle_id=offer.cycle_id,
            grocery=grocery,
            lines=[RequestedLine(offer.id, Decimal("3"))],
            now=timezone.now(),
        ).id

    outcomes = run_together([place] * 4)

    assert sorted(code for code, _ in outcomes) == [
        "ok",
        "order_exists",
        "order_exists",
        "order_exists",
    ]
    assert Order.objects.filter(grocery=grocery, cycle_id=offer.cycle_id).count() == 1

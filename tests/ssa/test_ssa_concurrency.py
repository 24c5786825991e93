"""A member's credit holds when its orders arrive at the same moment (PostgreSQL row locks),
as caps and envelopes do (tests/orders/test_concurrency.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from orders.models import Order
from orders.services import RequestedLine, order_submit
from ssa import services
from ssa.models import Member
from ssa.selectors import balance
from tests import factories
from tests.orders.test_concurrency import enrol, open_cycle, run_together, setting_up
from tests.ssa.helpers import approve, join_by

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
    ),
]


def test_ten_orders_of_one_member_in_ten_cycles_its_credit_admits_two(transactional_db):
    tier, hub, grocery, volunteer, social_service, staff, funder = setting_up(transactional_db)
    delivery = timezone.localdate() + timedelta(days=5)
    product = factories.ProductFactory()
    offers = [open_cycle(hub, delivery, product) for _ in range(10)]
    household = enrol(social_service, staff, tier, grocery, funder, delivery)
    caisse = services.caisse_save(
        caisse=None,
        data={
            "name": "Caisse de Fives",
            "contribution_min": Decimal("1"),
            "contribution_max": Decimal("150"),
            "allocation_per_member": Decimal("100"),
            "quorum": 1,
            "committee": ["Aïcha B."],
        },
    )
    approve(caisse, product=product)
    join_by(
        staff,
        caisse,
        household,
        Decimal("10"),
        joined_on=delivery.replace(day=1) - timedelta(days=40),
    )
    services.month_credit(caisse=caisse, month=delivery, now=timezone.now())

    # Each order is 20 kg: 40.00 + 2.20 = 42.20 €; 100 € admit two (84.40 €), not three.
    outcomes = run_together(
        [
            lambda offer=offer: (
                order_submit(
                    user=volunteer,
                    cycle_id=offer.cycle_id,
                    household_id=household.id,
                    lines=[RequestedLine(offer.id, Decimal("20"))],
                    now=timezone.now(),
                    payment="ssa",
                ).total_ttc
            )
            for offer in offers
        ]
    )

    codes = [code for code, _ in outcomes]
    assert codes.count("ok") == 2, outcomes
    assert codes.count("ssa_credit_exhausted") == 8
    assert Order.objects.filter(payment="ssa").count() == 2
    member = Member.objects.annotate(credit=balance()).get()
    assert member.credit == Decimal("15.60")

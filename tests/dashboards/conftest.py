"""Snapshot rows built by hand for the dashboard tests (their refresh from real orders is
tested in tests/accounting/test_dashboard_snapshots.py).

Delivered 2026-11-05 (week of 2026-11-02) and 2026-11-12, in Lille and in Hellemmes (QPV
L'Épine):

  Lille: households A..F (6), persons 1+2+3+4+1+2 = 13; each order 20.00 € TTC (19.00 HT),
         share 2.00, subsidy 18.00, caps 30 €, 4 kg asked, 3 confirmed, 3 delivered;
         household A ordered twice (two cycles, same month: 40 € for a 30 € cap).
         One grouped order: 100.00 TTC (95.00 HT), 50 kg asked, 40 confirmed, 38 delivered.
  Hellemmes: households G, H (2): 10.00 TTC each, share 1.00, subsidy 9.00.
"""

from datetime import date
from decimal import Decimal

import pytest

from dashboards.models import OrderFact, ProducerFact
from dashboards.snapshots import household_months_rebuild
from logistics.models import Zone
from tests import factories

D = Decimal


@pytest.fixture
def facts(world):
    """Snapshot rows built by hand (their refresh from orders is tested apart)."""
    lille = world.grocery
    hellemmes = world.other_grocery
    hellemmes.organisation.commune = "Hellemmes"
    hellemmes.organisation.save()
    qpv = Zone.objects.create(
        code="test-epine", name="L'Épine", kind="qpv", commune="Hellemmes", geometry={}
    )
    cycles = [factories.OrderCycleFactory(hub=world.hub, status="settled") for _ in range(2)]
    rows = []

    def order(**target):
        return factories.order_row(
            cycle=target.pop("cycle", cycles[0]), user=world.volunteer, **target
        )

    for index, persons in enumerate([1, 2, 3, 4, 1, 2]):
        household = factories.household_row(world, persons=persons, cap=D("30.00"))
        for cycle in cycles if index == 0 else cycles[:1]:
            rows.append(
                OrderFact(
                    cycle=cycle,
                    order=order(cycle=cycle, household=household),
                    **factories.delivered_on(date(2026, 11, 5 + cycles.index(cycle) * 7)),
                    grocery=lille,
                    commune="Lille",
                    household=household,
                    funder=world.funder,
                    persons=persons,
                    monthly_cap=D("30.00"),
                    kg_asked=D("4"),
                    kg_confirmed=D("3"),
                    kg_delivered=D("3"),
                    value_ht=D("19.00"),
                    value_ttc=D("20.00"),
                    local_ht=D("19.00"),
                    organic_ht=D("0"),
                    beneficiary_paid=D("2.00"),
                    subsidy=D("18.00"),
                    distance_km=D("1.5"),
                )
            )
    rows.append(
        OrderFact(
            cycle=cycles[0],
            order=order(grocery=lille),
            **factories.delivered_on(date(2026, 11, 5)),
            grocery=lille,
            commune="Lille",
            kg_asked=D("50"),
            kg_confirmed=D("40"),
            kg_delivered=D("38"),
            value_ht=D("95.00"),
            value_ttc=D("100.00"),
            local_ht=D("47.50"),
            organic_ht=D("19.00"),
            distance_km=D("20"),
        )
    )
    for persons in (2, 3):
        household = factories.household_row(
            world, persons=persons, cap=D("20.00"), grocery=hellemmes
        )
        rows.append(
            OrderFact(
                cycle=cycles[0],
                order=order(household=household),
                **factories.delivered_on(date(2026, 11, 5)),
                grocery=hellemmes,
                commune="Hellemmes",
                zone=qpv,
                household=household,
                funder=world.funder,
                persons=persons,
                monthly_cap=D("20.00"),
                kg_asked=D("2"),
                kg_confirmed=D("2"),
                kg_delivered=D("2"),
                value_ht=D("9.50"),
                value_ttc=D("10.00"),
                local_ht=D("9.50"),
                organic_ht=D("9.50"),
                beneficiary_paid=D("1.00"),
                subsidy=D("9.00"),
            )
        )
    OrderFact.objects.bulk_create(rows)
    ProducerFact.objects.bulk_create(
        [
            ProducerFact(
                cycle=cycles[0],
                **factories.delivered_on(date(2026, 11, 5)),
                producer=world.producer,
                grocery=lille,
                commune="Lille",
                value_ttc=D("200.00"),
                kg_delivered=D("50"),
            ),
            ProducerFact(
                cycle=cycles[1],
                **factories.delivered_on(date(2026, 11, 12)),
                producer=world.other_producer,
                grocery=lille,
                commune="Lille",
                value_ttc=D("20.00"),
                kg_delivered=D("3"),
            ),
            ProducerFact(
                cycle=cycles[0],
                **factories.delivered_on(date(2026, 11, 5)),
                producer=world.producer,
                grocery=hellemmes,
                commune="Hellemmes",
                zone=qpv,
                value_ttc=D("20.00"),
                kg_delivered=D("4"),
            ),
        ]
    )
    household_months_rebuild(months={date(2026, 11, 1)})
    return qpv

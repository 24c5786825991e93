"""Each KPI on a hand-made set of snapshot rows, with exact values.

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

from dashboards.kpis import Scope, hidden_cells, kpis
from dashboards.models import OrderFact, ProducerFact
from dashboards.snapshots import household_months_rebuild
from logistics.models import Zone
from tests import factories
from tests.conftest import client_for

D = Decimal
NOVEMBER = Scope(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def facts(world):
    """Snapshot rows built by hand (their refresh from orders is tested apart)."""
    lille = world.grocery
    hellemmes = world.other_grocery
    hellemmes.commune = "Hellemmes"
    hellemmes.save()
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


def test_every_kpi_of_the_city(facts):
    figures = kpis(NOVEMBER)

    # Lille: 7 household orders of 20 € (A ordered twice) and the grouped order of 100 €;
    # Hellemmes: 2 orders of 10 €.
    assert figures == {
        "households_served": 8,
        "persons_served": 18,  # 13 + 5, A counted once
        "orders": 10,
        "kg_distributed": "63.000",  # 7 × 3 + 38 + 2 × 2
        "meal_equivalents": 126,
        "market_value_ttc": "260.00",
        "beneficiary_paid": "16.00",
        "subsidy_total": "144.00",
        "subsidy_per_household": "18.00",
        "producers_paid": "240.00",
        "producers_count": 2,
        "local_share": "0.808",  # (133 + 47.50 + 19) / (133 + 95 + 19) = 199.5 / 247
        "organic_share": "0.154",  # (19 + 2 × 9.50) / 247
        "distance_km": "30.5",  # 7 × 1.5 + 20
        "co2_kg": "7.6",  # 30.5 × 0.25 = 7.625
        "fill_rate": "0.793",  # (7 × 3 + 40 + 2 × 2) / (7 × 4 + 50 + 2 × 2) = 65 / 82
        "cap_usage": "0.727",  # (40 + 5 × 20 + 2 × 10) / (6 × 30 + 2 × 20) = 160 / 220
    }


def test_a_commune_of_two_households_is_hidden_and_so_is_the_next_smallest(facts):
    hellemmes = kpis(Scope(NOVEMBER.start, NOVEMBER.end, commune="Hellemmes"))
    lille = kpis(Scope(NOVEMBER.start, NOVEMBER.end, commune="Lille"))
    qpv = kpis(Scope(NOVEMBER.start, NOVEMBER.end, zone=facts))

    assert hellemmes["households_served"] == "<5"
    for key in ("persons_served", "beneficiary_paid", "subsidy_total", "subsidy_per_household"):
        assert hellemmes[key] is None
    assert hellemmes["orders"] == 2  # not about households: shown
    assert qpv["households_served"] == "<5"
    # Only two communes have households: the total minus Lille would give Hellemmes away.
    assert lille["households_served"] == "<5"


def test_secondary_suppression():
    assert hidden_cells({"Lille": 40, "Lomme": 12, "Hellemmes": 3}) == {"Hellemmes", "Lomme"}
    assert hidden_cells({"Lille": 40, "Lomme": 2, "Hellemmes": 3}) == {"Hellemmes", "Lomme"}
    assert hidden_cells({"Lille": 40, "Lomme": 12, "Hellemmes": 0}) == set()


def test_timeseries_by_week_and_month(facts, world):
    client = client_for(world.official)

    weeks = client.get(
        "/api/v1/dashboards/timeseries/",
        {
            "metric": "kg_distributed",
            "granularity": "week",
            "from": "2026-11-01",
            "to": "2026-11-30",
        },
    ).json()
    months = client.get(
        "/api/v1/dashboards/timeseries/",
        {
            "metric": "households_served",
            "granularity": "month",
            "from": "2026-11-01",
            "to": "2026-11-30",
        },
    ).json()

    assert weeks == [
        {"period": "2026-11-02", "value": "60.000"},  # 6 × 3 + 38 + 2 × 2
        {"period": "2026-11-09", "value": "3.000"},
    ]
    assert months == [{"period": "2026-11-01", "value": 8}]


def test_export_by_commune_and_month(facts, world):
    client = client_for(world.official)

    rows = client.get(
        "/api/v1/dashboards/export/", {"from": "2026-11-01", "to": "2026-11-30"}
    ).json()
    as_csv = client.get(
        "/api/v1/dashboards/export/", {"from": "2026-11-01", "to": "2026-11-30", "format": "csv"}
    )

    assert [(row["commune"], row["households_served"]) for row in rows] == [
        ("Hellemmes", "<5"),
        ("Lille", "<5"),
    ]
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "Hellemmes;<5" in as_csv.content.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
        ({"commune": "Roubaix"}, "commune"),
        ({"zone": 999999}, "zone"),
    ],
)
def test_bad_scopes_are_refused(world, query, field):
    response = client_for(world.official).get("/api/v1/dashboards/kpis/", query)

    assert response.status_code == 400
    assert field in response.json()["fields"]

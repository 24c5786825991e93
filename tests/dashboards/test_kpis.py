"""Each KPI on the hand-made snapshot rows of conftest.py, with exact values."""

from datetime import date
from decimal import Decimal

import pytest

from dashboards.kpis import Scope, hidden_cells, kpis
from tests.helpers import client_for

D = Decimal
NOVEMBER = Scope(date(2026, 11, 1), date(2026, 11, 30))


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
    lines = as_csv.content.decode("utf-8-sig").splitlines()
    # Each figure's French label names its column; the month and commune come first.
    assert lines[0].startswith("Mois;Commune;Foyers servis;Personnes servies;Commandes;")
    assert "Hellemmes;<5" in lines[1]


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


def test_an_empty_period_answers_zeros_and_nothing_to_divide(world):
    figures = kpis(Scope(date(2020, 1, 1), date(2020, 1, 31)))

    assert (figures["households_served"], figures["persons_served"], figures["orders"]) == (0, 0, 0)
    assert figures["market_value_ttc"] == "0.00"
    assert figures["subsidy_per_household"] is figures["fill_rate"] is figures["cap_usage"] is None

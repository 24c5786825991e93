"""The settled cycle of conftest.py reaches the dashboards' snapshots (figures in
test_settlement.py): refreshed by the settlement itself, to the cent."""

from decimal import Decimal

from django.db.models import Sum

from dashboards.kpis import Scope, kpis
from dashboards.models import HouseholdMonthFact, OrderFact, ProducerFact
from dashboards.snapshots import snapshots_refresh
from tests.accounting.conftest import settle


def test_settling_refreshes_the_snapshot(
    coordinator_client, delivered, django_capture_on_commit_callbacks
):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)

    facts = OrderFact.objects.filter(cycle=delivered.cycle)
    totals = facts.aggregate(
        value=Sum("value_ttc"),
        paid=Sum("beneficiary_paid"),
        subsidy=Sum("subsidy"),
        kg=Sum("kg_delivered"),
        km=Sum("distance_km"),
    )
    assert facts.count() == 6
    assert facts.filter(household__isnull=False).count() == 4
    assert (totals["value"], totals["paid"], totals["subsidy"]) == (
        Decimal("320.98"),
        Decimal("7.03"),
        Decimal("35.21"),
    )
    assert totals["kg"] == Decimal("148.900")  # G1 104.76 + G2 44.14
    assert abs(totals["km"] - Decimal("80")) < Decimal("0.01")  # two rounds of 40 km
    producers = ProducerFact.objects.filter(cycle=delivered.cycle)
    assert producers.aggregate(value=Sum("value_ttc"))["value"] == Decimal("320.98")
    assert producers.values("producer").distinct().count() == 3
    months = HouseholdMonthFact.objects.all()
    assert months.count() == 4  # one month for each of the 4 households
    assert months.aggregate(spent=Sum("spent"))["spent"] == Decimal("42.24")
    day = delivered.cycle.delivery_date
    figures = kpis(Scope(day, day))
    assert figures["households_served"] == "<5"  # 4 households
    assert figures["subsidy_total"] is None
    assert (figures["market_value_ttc"], figures["producers_count"]) == ("320.98", 3)


def test_a_refresh_replaces_rows_and_skips_cycles_not_counted(delivered, market, world):
    now = delivered.cycle.closes_at
    first = snapshots_refresh(now=now)
    again = snapshots_refresh(now=now, cycle_ids=[delivered.cycle.id])

    assert first["orders"] == again["orders"] == 6
    assert OrderFact.objects.count() == 6  # replaced, not added
    assert not OrderFact.objects.filter(cycle=world.draft_cycle).exists()

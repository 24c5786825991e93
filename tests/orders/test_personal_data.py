"""Retention (households inactive for 2 years are anonymised, figures kept) and the export of
one household's data for a subject access request."""

from datetime import timedelta
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from dashboards import kpis
from dashboards.snapshots import snapshots_refresh
from orders.choices import AccessAction
from orders.households import households_anonymise
from orders.models import Household, HouseholdAccessLog


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _with_contact(household: Household) -> Household:
    Household.objects.filter(pk=household.pk).update(
        contact_name="Mme Martin", contact_phone="06 12 34 56 78", eligibility_reason="Décision"
    )
    household.refresh_from_db()
    return household


def test_households_inactive_for_two_years_are_anonymised_and_the_figures_stay(
    world, confirmed, ordered, settings
):
    household = _with_contact(confirmed.household)  # ordered in the confirmed cycle
    snapshots_refresh(now=timezone.now())
    delivery = confirmed.cycle.delivery_date
    scope = kpis.Scope(start=delivery - timedelta(days=1), end=delivery + timedelta(days=1))
    before = kpis.kpis(scope)

    # A year later it still has an order within two years: untouched.
    with freeze_time(timezone.now() + timedelta(days=365)):
        assert households_anonymise(now=timezone.now(), years=2) == 0
    household.refresh_from_db()
    assert household.contact_name == "Mme Martin"

    # Three years later: no decision in force, no order for two years.
    with freeze_time(timezone.now() + timedelta(days=3 * 365)):
        assert households_anonymise(now=timezone.now(), years=2, dry_run=True) == 1
        call_command("households_anonymise")
        assert households_anonymise(now=timezone.now(), years=2) == 0  # once only
    household.refresh_from_db()
    assert (household.contact_name, household.contact_phone, household.eligibility_reason) == (
        "",
        "",
        "",
    )
    assert household.anonymised_at is not None
    assert household.reference and household.orders.count() == 1
    snapshots_refresh(now=timezone.now())
    assert kpis.kpis(scope) == before


def test_a_recent_household_is_not_anonymised(world, market):
    household = _with_contact(market.household)
    with freeze_time(timezone.now() + timedelta(days=400)):
        assert households_anonymise(now=timezone.now(), years=2) == 0
    household.refresh_from_db()
    assert household.contact_name == "Mme Martin"


def test_the_subject_access_export_holds_everything_and_is_logged(world, market, ordered):
    household = _with_contact(market.household)

    response = _client(world.ccas_staff).get(f"/api/v1/households/{household.id}/export/")

    assert response.status_code == 200
    assert f'filename="foyer-{household.reference}.json"' in response["Content-Disposition"]
    data = response.json()
    assert data["household"]["reference"] == household.reference
    assert data["household"]["contact_name"] == "Mme Martin"
    assert [order["total_ttc"] for order in data["orders"]] == ["12.13"]
    assert [line["product"] for line in data["orders"][0]["lines"]] == [
        market.offers[0].product.name,
        market.offers[2].product.name,
    ]
    latest = HouseholdAccessLog.objects.filter(household=household).latest("id")
    assert (latest.user, latest.action) == (world.ccas_staff, AccessAction.READ)
    assert data["access_log"][-1]["action"] == "read"


def test_the_export_is_for_the_households_ccas_only(world, market):
    path = f"/api/v1/households/{market.household.id}/export/"
    before = HouseholdAccessLog.objects.count()
    assert _client(world.other_ccas_staff).get(path).status_code == 404
    assert _client(world.volunteer).get(path).status_code == 403
    for user in (world.coordinator, world.producer_user, world.official):
        assert _client(user).get(path).status_code == 404
    assert HouseholdAccessLog.objects.count() == before
    assert Decimal(market.household.monthly_cap) > 0

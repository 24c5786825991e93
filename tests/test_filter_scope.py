"""The choices of every filter are scoped like the rows: the browsable API's drop-downs
listed the household references of all three CCAS (#19, item 7)."""

from django.utils import timezone
from rest_framework.test import APIClient

from orders.households import household_enrol
from orders.models import HouseholdAccessLog, TariffTier
from tests.helpers import client_for


def _browsable(user, path: str) -> str:
    client = APIClient()
    client.force_authenticate(user)
    return client.get(path, HTTP_ACCEPT="text/html").content.decode()


def _other_ccas_household(world, market):
    # One CCAS per commune: references are numbered per commune (LOM-…, HEL-…).
    world.other_social_service.organisation.commune = "Lomme"
    world.other_social_service.organisation.save()
    now = timezone.now()
    return household_enrol(
        social_service=world.other_social_service,
        user=world.other_ccas_staff,
        now=now,
        adults=1,
        children=0,
        valid_from=market.household.valid_from,
        valid_until=market.household.valid_until,
        tier=TariffTier.objects.get(code="T1"),
        pickup_grocery=world.other_grocery,
        funder=world.other_funder,
        consent_at=now,
    )


def test_the_access_log_filters_list_only_the_ccas_own_households(world, market):
    other = _other_ccas_household(world, market)
    HouseholdAccessLog.objects.create(
        household=market.household, user=world.ccas_staff, action="read", accessed_at=timezone.now()
    )

    page = _browsable(world.ccas_staff, "/api/v1/household-access-log/")
    refused = client_for(world.ccas_staff).get(
        "/api/v1/household-access-log/", {"household": other.id}
    )

    assert market.household.reference in page
    assert other.reference not in page
    assert world.other_ccas_staff.username not in page
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["household"]


def test_the_order_filters_list_only_the_grocery_s_own_households(
    world, market, ordered, volunteer_client
):
    other = _other_ccas_household(world, market)
    client_for(world.other_volunteer).post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": other.id,
            "lines": [{"offer": market.offers[1].id, "quantity": "1"}],
        },
        format="json",
    )

    page = _browsable(world.volunteer, "/api/v1/orders/")
    other_page = _browsable(world.other_volunteer, "/api/v1/orders/")

    assert market.household.reference in page
    assert other.reference not in page
    assert other.reference in other_page and market.household.reference not in other_page
    assert world.other_grocery.name not in page

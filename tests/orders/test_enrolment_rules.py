"""Enrolment asks a reason for a decision that departs from the rules; the calculator keeps
what was typed; households who cannot order come last and get no order form (#19, items 16
and 17)."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from orders.models import Household
from tests.helpers import client_for, enrolment_form


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_tier_other_than_the_suggested_one_needs_its_reason(world):
    browser = _browser(world.ccas_staff)

    refused = browser.post(
        "/ccas/foyers/nouveau/", enrolment_form(world, tier="T3", suggested_tier="T1")
    )
    above = browser.post("/ccas/foyers/nouveau/", enrolment_form(world, suggested_tier="none"))
    big_cap = browser.post("/ccas/foyers/nouveau/", enrolment_form(world, monthly_cap="80"))

    for response in (refused, above, big_cap):
        assert "s&#x27;écarte des règles" in response.content.decode()
    assert not Household.objects.exists()
    accepted = browser.post(
        "/ccas/foyers/nouveau/",
        enrolment_form(world, tier="T3", suggested_tier="T1", eligibility_reason="Dettes en cours"),
    )
    assert accepted.status_code == 302
    assert Household.objects.get().eligibility_reason == "Dettes en cours"


def test_the_api_asks_the_same_reason(ccas_client, world):
    body = {
        "adults": 1,
        "children": 0,
        "valid_from": str(timezone.localdate()),
        "valid_until": str(timezone.localdate() + timedelta(days=120)),
        "tier": "T2",
        "suggested_tier": "T1",
        "pickup_grocery": world.grocery.id,
        "funder": world.funder.id,
        "consent_at": timezone.now().isoformat(),
    }

    response = ccas_client.post("/api/v1/households/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["eligibility_reason"]
    assert not Household.objects.exists()


def test_calculating_keeps_what_was_already_typed(world):
    browser = _browser(world.ccas_staff)

    page = browser.post(
        "/ccas/foyers/nouveau/",
        {
            "calculate": "1",
            "monthly_resources": "900",
            "monthly_charges": "600",
            "persons": "3",
            "adults": "2",
            "children": "1",
            "contact_phone": "03 20 00 00 00",
            "eligibility_reason": "Suivi en cours",
        },
    ).content.decode()

    assert re.search(r'name="adults"[^>]*value="2"', page)
    assert re.search(r'name="children"[^>]*value="1"', page)
    assert 'value="03 20 00 00 00"' in page
    assert "Suivi en cours" in page
    assert re.search(r'name="suggested_tier"[^>]*value="T1"', page)
    assert not Household.objects.exists()


def test_households_who_cannot_order_come_last_and_get_no_order_form(world, market):
    expired = Household.objects.create(
        social_service=world.social_service,
        reference="HEL-2025-0001",
        adults=1,
        children=0,
        valid_from=market.cycle.delivery_date - timedelta(days=200),
        valid_until=market.cycle.delivery_date - timedelta(days=20),
        tier=market.household.tier,
        monthly_cap=market.household.monthly_cap,
        pickup_grocery=world.grocery,
        funder=market.funder,
        consent_at=timezone.now(),
    )
    volunteer = _browser(world.volunteer)
    path = f"/epicerie/cycles/{market.cycle.id}/foyers/"

    listing = volunteer.get(path).content.decode()
    chosen = volunteer.get(path, {"foyer": expired.id}).content.decode()

    assert listing.index(market.household.reference) < listing.index(expired.reference)
    assert "ne peut pas commander pour cette livraison" in chosen
    assert "order-form" not in chosen
    ccas = _browser(world.ccas_staff).get("/ccas/foyers/").content.decode()
    assert ccas.index(market.household.reference) < ccas.index(expired.reference)


def test_the_household_order_form_knows_what_is_left_of_the_cap(world, market):
    page = (
        _browser(world.volunteer)
        .get(f"/epicerie/cycles/{market.cycle.id}/foyers/", {"foyer": market.household.id})
        .content.decode()
    )

    # The household has spent nothing this month: its whole cap is left.
    assert 'data-cap-left="30.00"' in page  # 1 adult and 1 child: the default 30 €
    assert "data-cap-warning hidden" in page
    assert client_for(world.volunteer).get("/api/v1/me/").status_code == 200

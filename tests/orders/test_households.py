from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Household, HouseholdAccessLog, TariffTier
from tests.helpers import client_for


def enrolment(world, **overrides):
    today = timezone.localdate()
    return {
        "adults": 2,
        "children": 3,
        "valid_from": str(today),
        "valid_until": str(today + timedelta(days=120)),
        "tier": "T2",
        "pickup_grocery": world.grocery.id,
        "funder": world.funder.id,
        "consent_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "contact_name": "Mme Exemple",
        "contact_phone": "06 12 34 56 78",
        **overrides,
    }


def test_enrolment_gives_a_reference_and_the_default_cap(ccas_client, world):
    first = ccas_client.post("/api/v1/households/", enrolment(world), format="json")
    second = ccas_client.post(
        "/api/v1/households/", enrolment(world, adults=1, children=0), format="json"
    )

    assert first.status_code == 201, first.json()
    year = timezone.localdate().year
    assert first.json()["reference"] == f"HEL-{year}-0001"
    assert second.json()["reference"] == f"HEL-{year}-0002"
    # 5 persons: 30 € + 3 × 5 € = 45 €; one person: 20 €.
    assert first.json()["monthly_cap"] == "45.00"
    assert second.json()["monthly_cap"] == "20.00"
    assert first.json()["status"] == "active"
    assert first.json()["social_service"] == world.social_service.id
    assert HouseholdAccessLog.objects.filter(action="create").count() == 2


def test_cap_is_at_most_fifty_euros_and_configurable_per_ccas(ccas_client, world):
    large = ccas_client.post(
        "/api/v1/households/", enrolment(world, adults=2, children=8), format="json"
    )
    world.social_service.cap_one_person = Decimal("25.00")
    world.social_service.save()
    single = ccas_client.post(
        "/api/v1/households/", enrolment(world, adults=1, children=0), format="json"
    )

    assert large.json()["monthly_cap"] == "50.00"
    assert single.json()["monthly_cap"] == "25.00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_until": "{today+30}"}, "valid_until"),  # shorter than 3 months
        ({"valid_until": "{today+200}"}, "valid_until"),  # longer than 6 months
        ({"tier": "T9"}, "tier"),
        ({"adults": 0}, "adults"),
        ({"children": -1}, "children"),
        ({"pickup_grocery": 999999}, "pickup_grocery"),
        ({"funder": "{other_funder}"}, "funder"),  # another CCAS's funder
        ({"monthly_cap": "-5"}, "monthly_cap"),
        ({"consent_at": "{tomorrow}"}, "consent_at"),
        ({"contact_phone": "appelez-moi"}, "contact_phone"),
    ],
)
def test_bad_enrolment_is_refused(ccas_client, world, overrides, field):
    today = timezone.localdate()
    names = {
        "{today+30}": str(today + timedelta(days=30)),
        "{today+200}": str(today + timedelta(days=200)),
        "{other_funder}": world.other_funder.id,
        "{tomorrow}": (timezone.now() + timedelta(days=1)).isoformat(),
    }
    body = enrolment(world, **{key: names.get(value, value) for key, value in overrides.items()})

    response = ccas_client.post("/api/v1/households/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert not Household.objects.exists()
    assert not HouseholdAccessLog.objects.exists()


def test_ccas_staff_read_every_field_and_each_read_is_logged(ccas_client, world):
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()

    response = ccas_client.get(f"/api/v1/households/{created['id']}/")
    log = ccas_client.get("/api/v1/household-access-log/").json()

    assert response.json()["contact_name"] == "Mme Exemple"
    assert response.json()["contact_phone"] == "06 12 34 56 78"
    assert [(entry["action"], entry["household"]) for entry in log["results"]] == [
        ("read", created["reference"]),
        ("create", created["reference"]),
    ]
    assert log["results"][0]["user"] == world.ccas_staff.username


def test_ccas_list_has_no_contact_fields_and_logs_nothing(ccas_client, world):
    ccas_client.post("/api/v1/households/", enrolment(world), format="json")
    logged = HouseholdAccessLog.objects.count()

    rows = ccas_client.get("/api/v1/households/").json()["results"]

    assert "contact_name" not in rows[0] and "contact_phone" not in rows[0]
    assert HouseholdAccessLog.objects.count() == logged


def test_volunteer_of_the_pickup_grocery_sees_limited_fields(ccas_client, volunteer_client, world):
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()
    logged = HouseholdAccessLog.objects.count()

    response = volunteer_client.get(f"/api/v1/households/{created['id']}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": created["id"],
        "reference": created["reference"],
        "tier": "T2",
        "status": "active",
        "valid_until": created["valid_until"],
        "monthly_cap": "45.00",
        "month_spent": "0.00",
        "month_remaining": "45.00",
    }
    assert HouseholdAccessLog.objects.count() == logged


@pytest.mark.parametrize(
    ("who", "renew_status"),
    [
        ("producer_user", 404),
        ("official", 404),
        ("other_volunteer", 403),  # volunteers may never renew, whoever the household
        ("other_ccas_staff", 404),
        ("coordinator", 404),
    ],
)
def test_a_household_is_404_outside_its_ccas_and_pickup_grocery(
    ccas_client, world, who, renew_status
):
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()
    client = client_for(getattr(world, who))

    detail = client.get(f"/api/v1/households/{created['id']}/")
    renew = client.post(
        f"/api/v1/households/{created['id']}/renew/", {"valid_until": "2030-01-01"}, format="json"
    )

    assert detail.status_code == 404
    assert renew.status_code == renew_status
    assert set(detail.json()) == {"code", "message"}


@pytest.mark.parametrize("who", ["producer_user", "official"])
def test_producers_and_officials_get_404_on_every_household_path(world, who):
    client = client_for(getattr(world, who))

    assert client.get("/api/v1/households/").status_code == 404
    assert client.post("/api/v1/households/", enrolment(world), format="json").status_code == 404


def test_renewal_continues_from_the_end_of_the_period(ccas_client, world):
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()
    end = date.fromisoformat(created["valid_until"])

    too_long = ccas_client.post(
        f"/api/v1/households/{created['id']}/renew/",
        {"valid_until": str(end + timedelta(days=250))},
        format="json",
    )
    renewed = ccas_client.post(
        f"/api/v1/households/{created['id']}/renew/",
        {"valid_until": str(end + timedelta(days=120))},
        format="json",
    )

    assert too_long.status_code == 400
    assert renewed.status_code == 200
    assert renewed.json()["valid_until"] == str(end + timedelta(days=120))
    assert renewed.json()["valid_from"] == created["valid_from"]


def test_renewal_waits_for_the_waiting_period(ccas_client, world):
    world.social_service.renewal_waiting_days = 30
    world.social_service.save()
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()
    end = date.fromisoformat(created["valid_until"])

    response = ccas_client.post(
        f"/api/v1/households/{created['id']}/renew/",
        {"valid_until": str(end + timedelta(days=120))},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "renewal_waiting_period"
    assert Household.objects.get().valid_until == end


def test_expired_household_renewed_starts_again_today(ccas_client, world):
    created = ccas_client.post("/api/v1/households/", enrolment(world), format="json").json()
    today = timezone.localdate()
    Household.objects.filter(pk=created["id"]).update(
        valid_from=today - timedelta(days=200), valid_until=today - timedelta(days=10)
    )

    response = ccas_client.post(
        f"/api/v1/households/{created['id']}/renew/",
        {"valid_until": str(today + timedelta(days=100))},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["valid_from"] == str(today)
    assert response.json()["status"] == "active"


@pytest.mark.parametrize(
    ("resources", "charges", "persons", "rav", "tier", "eligible"),
    [
        ("900.00", "600.00", "3", "3.33", "T1", True),  # (900-600)/3/30 = 3.33
        ("1200.00", "600.00", "2", "10.00", "T3", True),
        ("1500.00", "900.00", "4", "5.00", "T2", True),
        ("2000.00", "500.00", "2", "25.00", None, False),
        ("400.00", "600.00", "1", "-6.67", "T1", True),  # charges above resources
    ],
)
def test_tariff_suggestion_stores_nothing(
    ccas_client, world, resources, charges, persons, rav, tier, eligible
):
    before = (Household.objects.count(), HouseholdAccessLog.objects.count())

    response = ccas_client.post(
        "/api/v1/tariff/suggest/",
        {"monthly_resources": resources, "monthly_charges": charges, "persons": persons},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "reste_a_vivre_per_day": rav,
        "suggested_tier": tier,
        "eligible": eligible,
    }
    assert (Household.objects.count(), HouseholdAccessLog.objects.count()) == before


def test_tariff_suggestion_refuses_bad_input(ccas_client, world):
    response = ccas_client.post(
        "/api/v1/tariff/suggest/",
        {"monthly_resources": "-1", "monthly_charges": "10", "persons": 0},
        format="json",
    )

    assert response.status_code == 400
    assert {"monthly_resources", "persons"} <= set(response.json()["fields"])


def test_coordinator_replaces_the_tiers_and_orders_keep_their_rate(
    coordinator_client, ccas_client, market, volunteer_client
):
    volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": market.household.id,
            "lines": [{"offer": market.offers[0].id, "quantity": "1"}],
        },
        format="json",
    )
    tiers = [
        {"code": "T1", "label": "Tranche 1", "beneficiary_rate": "0.15", "max_reste_a_vivre": "5"},
        {"code": "T2", "label": "Tranche 2", "beneficiary_rate": "0.25", "max_reste_a_vivre": "9"},
        {"code": "T3", "label": "Tranche 3", "beneficiary_rate": "0.35", "max_reste_a_vivre": None},
    ]

    response = coordinator_client.put("/api/v1/tariff/tiers/", tiers, format="json")
    read = ccas_client.get("/api/v1/tariff/tiers/")

    assert response.status_code == 200
    assert read.json()[0] == {
        "code": "T1",
        "label": "Tranche 1",
        "beneficiary_rate": "0.150",
        "max_reste_a_vivre": "5.00",
    }
    assert TariffTier.objects.get(code="T1").beneficiary_rate == Decimal("0.15")
    line = volunteer_client.get("/api/v1/orders/").json()["results"][0]["lines"][0]
    assert line["tier_rate"] == "0.100"


@pytest.mark.parametrize(
    "tiers",
    [
        [{"code": "T1", "label": "a", "beneficiary_rate": "1.5", "max_reste_a_vivre": "4"}],
        [
            {"code": "T1", "label": "a", "beneficiary_rate": "0.1", "max_reste_a_vivre": "8"},
            {"code": "T2", "label": "b", "beneficiary_rate": "0.2", "max_reste_a_vivre": "4"},
        ],
        [
            {"code": "T1", "label": "a", "beneficiary_rate": "0.1", "max_reste_a_vivre": "4"},
            {"code": "T1", "label": "b", "beneficiary_rate": "0.2", "max_reste_a_vivre": "8"},
        ],
        [],
    ],
)
def test_bad_tiers_are_refused(coordinator_client, world, tiers):
    before = list(TariffTier.objects.values())

    response = coordinator_client.put("/api/v1/tariff/tiers/", tiers, format="json")

    assert response.status_code == 400
    assert list(TariffTier.objects.values()) == before


def test_a_tier_in_use_cannot_be_removed(coordinator_client, market):
    before = list(TariffTier.objects.values())

    response = coordinator_client.put(
        "/api/v1/tariff/tiers/",
        [{"code": "T2", "label": "b", "beneficiary_rate": "0.2", "max_reste_a_vivre": "8"}],
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "tier_in_use"
    assert list(TariffTier.objects.values()) == before


def test_month_spent_follows_orders(volunteer_client, market):
    volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "household": market.household.id,
            "lines": [{"offer": market.offers[0].id, "quantity": "3"}],
        },
        format="json",
    )

    household = volunteer_client.get(f"/api/v1/households/{market.household.id}/").json()

    if market.cycle.delivery_date.month == timezone.localdate().month:
        assert (household["month_spent"], household["month_remaining"]) == ("6.33", "23.67")
    else:  # the delivery falls next month: this month is untouched
        assert (household["month_spent"], household["month_remaining"]) == ("0.00", "30.00")


def test_suspension_stops_orders_and_reinstatement_restores_them(
    ccas_client, volunteer_client, market
):
    path = f"/api/v1/households/{market.household.id}"
    body = {
        "cycle": market.cycle.id,
        "household": market.household.id,
        "lines": [{"offer": market.offers[0].id, "quantity": "1"}],
    }

    without_reason = ccas_client.post(f"{path}/suspend/")
    suspended = ccas_client.post(
        f"{path}/suspend/", {"reason": "Déménagement hors commune"}, format="json"
    )
    refused = volunteer_client.post("/api/v1/orders/", body, format="json")
    reinstated = ccas_client.post(f"{path}/reinstate/")
    accepted = volunteer_client.post("/api/v1/orders/", body, format="json")
    log = ccas_client.get("/api/v1/household-access-log/").json()["results"]

    assert without_reason.status_code == 400
    assert list(without_reason.json()["fields"]) == ["reason"]
    assert suspended.json()["status"] == "suspended"
    assert refused.status_code == 409 and refused.json()["code"] == "household_inactive"
    assert reinstated.json()["status"] == "active"
    assert accepted.status_code == 201
    # The log says which step it was, and why the household was suspended.
    assert [(entry["action"], entry["reason"]) for entry in log[:2]] == [
        ("resume", None),
        ("suspend", "Déménagement hors commune"),
    ]


def test_a_renewal_is_logged_as_a_renewal(ccas_client, market):
    ccas_client.post(
        f"/api/v1/households/{market.household.id}/renew/",
        {"valid_until": str(market.household.valid_until + timedelta(days=120))},
        format="json",
    )

    log = ccas_client.get("/api/v1/household-access-log/").json()["results"]

    assert log[0]["action"] == "renew"

"""Every endpoint × every role (+ anonymous): the expected status of each pair.

403 means the role may never do this; 404 means the object is outside the caller's scope.
"""

import pytest

from tests.helpers import client_for

ANON, COORD, VOL, PROD, CCAS, OFF = (
    None,
    "coordinator",
    "grocery_volunteer",
    "producer",
    "ccas_staff",
    "official",
)
ROLES = [ANON, COORD, VOL, PROD, CCAS, OFF]


def expect(coordinator, volunteer, producer, ccas, official, anonymous=401):
    return {
        ANON: anonymous,
        COORD: coordinator,
        VOL: volunteer,
        PROD: producer,
        CCAS: ccas,
        OFF: official,
    }


def bodies(world, role):
    return {
        "organisation": {"kind": "city", "name": "Ville de Lomme", "commune": "Lomme"},
        "user": {
            "username": f"nouvel.{role}",
            "password": "Un-mot-de-passe-solide-42",
            "email": "nouvel@example.invalid",
            "role": "official",
            "organisation_id": world.city.id,
        },
        "social_service": {"name": "CCAS de test", "commune": "Lomme"},
        "funder": {"name": f"Région {role}", "kind": "region"},
        "envelope": {
            "funder": world.funder.id,
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
            "amount": "500.00",
        },
        "producer": {
            "name": "Ferme de Bouvines",
            "commune": "Bouvines",
            "latitude": "50.5794",
            "longitude": "3.1886",
        },
        "product": {
            "producer": world.producer.id,
            "name": "Navets",
            "category": "legumes",
            "unit": "kg",
            "unit_weight_kg": "1",
            "unit_price_ht": "1.50",
        },
        "grocery": {
            "name": "Épicerie nouvelle",
            "commune": "Lomme",
            "latitude": "50.644",
            "longitude": "2.990",
            "opens_at_time": "09:00",
            "closes_at_time": "17:00",
        },
        "hub": {"name": "Hub 2", "latitude": "50.63", "longitude": "3.05"},
        "vehicle": {"name": "Van 3", "capacity_kg": "900", "cost_per_km": "0.30"},
        "patch_producer": {"is_organic": True},
        "patch_product": {"unit_price_ht": "2.10"},
        "patch_grocery": {"closes_at_time": "18:00"},
        "patch_hub": {"name": "Hub renommé"},
        "cycle": {
            "name": "Cycle de test",
            "opens_at": "2030-01-06T08:00:00+01:00",
            "closes_at": "2030-01-08T20:00:00+01:00",
            "confirm_by": "2030-01-09T12:00:00+01:00",
            "delivery_date": "2030-01-10",
            "hub": world.hub.id,
        },
        "offer": {
            "cycle": world.draft_cycle.id,
            "product": world.product.id,
            "quantity_available": "50",
        },
        "household": {
            "adults": 1,
            "valid_from": "2026-11-01",
            "valid_until": "2027-03-31",
            "tier": "T1",
            "pickup_grocery": world.grocery.id,
            "funder": world.funder.id,
            "consent_at": "2026-11-01T10:00:00+01:00",
        },
        "suggest": {"monthly_resources": "900", "monthly_charges": "600", "persons": 3},
        "tiers": [
            {"code": "T1", "label": "T1", "beneficiary_rate": "0.1", "max_reste_a_vivre": "4"},
            {"code": "T2", "label": "T2", "beneficiary_rate": "0.2", "max_reste_a_vivre": "8"},
            {"code": "T3", "label": "T3", "beneficiary_rate": "0.3", "max_reste_a_vivre": "12"},
        ],
        "confirmation": {"lines": []},
        "plan": {"vehicles": [world.vehicle.id]},
        "reception": {
            "cycle": world.open_offer.cycle_id,
            "lines": [{"order_line": 1, "received_quantity": "1"}],
        },
        "order": {
            "cycle": world.open_offer.cycle_id,
            "grocery": world.grocery.id,
            "lines": [{"offer": world.open_offer.id, "quantity": "1"}],
        },
    }


# (method, path, body key or None, expected statuses by role)
MATRIX = [
    ("get", "/api/v1/me/", None, expect(200, 200, 200, 200, 200)),
    ("get", "/api/v1/organisations/", None, expect(200, 403, 403, 403, 403)),
    ("post", "/api/v1/organisations/", "organisation", expect(201, 403, 403, 403, 403)),
    ("post", "/api/v1/users/", "user", expect(201, 403, 403, 403, 403)),
    ("get", "/api/v1/social-services/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/social-services/{social_service}/", None, expect(200, 403, 403, 200, 403)),
    (
        "get",
        "/api/v1/social-services/{other_social_service}/",
        None,
        expect(200, 403, 403, 404, 403),
    ),
    ("post", "/api/v1/social-services/", "social_service", expect(201, 403, 403, 403, 403)),
    ("get", "/api/v1/funders/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/funders/{funder}/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/funders/{other_funder}/", None, expect(200, 403, 403, 404, 403)),
    ("post", "/api/v1/funders/", "funder", expect(201, 403, 403, 403, 403)),
    ("get", "/api/v1/envelopes/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/envelopes/{envelope}/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/envelopes/{other_envelope}/", None, expect(200, 403, 403, 404, 403)),
    ("post", "/api/v1/envelopes/", "envelope", expect(201, 403, 403, 403, 403)),
    ("get", "/api/v1/producers/", None, expect(200, 403, 200, 403, 403)),
    ("get", "/api/v1/producers/{producer}/", None, expect(200, 403, 200, 403, 403)),
    ("get", "/api/v1/producers/{other_producer}/", None, expect(200, 403, 404, 403, 403)),
    ("post", "/api/v1/producers/", "producer", expect(201, 403, 403, 403, 403)),
    ("patch", "/api/v1/producers/{producer}/", "patch_producer", expect(200, 403, 200, 403, 403)),
    (
        "patch",
        "/api/v1/producers/{other_producer}/",
        "patch_producer",
        expect(200, 403, 404, 403, 403),
    ),
    ("get", "/api/v1/products/", None, expect(200, 403, 200, 403, 403)),
    ("get", "/api/v1/products/{product}/", None, expect(200, 403, 200, 403, 403)),
    ("get", "/api/v1/products/{other_product}/", None, expect(200, 403, 404, 403, 403)),
    ("post", "/api/v1/products/", "product", expect(201, 403, 201, 403, 403)),
    ("patch", "/api/v1/products/{product}/", "patch_product", expect(200, 403, 200, 403, 403)),
    (
        "patch",
        "/api/v1/products/{other_product}/",
        "patch_product",
        expect(200, 403, 404, 403, 403),
    ),
    ("get", "/api/v1/groceries/", None, expect(200, 200, 403, 200, 200)),
    ("get", "/api/v1/groceries/{grocery}/", None, expect(200, 200, 403, 200, 200)),
    ("get", "/api/v1/groceries/{other_grocery}/", None, expect(200, 404, 403, 200, 200)),
    ("post", "/api/v1/groceries/", "grocery", expect(201, 403, 403, 403, 403)),
    ("patch", "/api/v1/groceries/{grocery}/", "patch_grocery", expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/hubs/", None, expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/hubs/{hub}/", None, expect(200, 403, 403, 403, 403)),
    ("post", "/api/v1/hubs/", "hub", expect(201, 403, 403, 403, 403)),
    ("patch", "/api/v1/hubs/{hub}/", "patch_hub", expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/vehicles/", None, expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/vehicles/{vehicle}/", None, expect(200, 403, 403, 403, 403)),
    ("post", "/api/v1/vehicles/", "vehicle", expect(201, 403, 403, 403, 403)),
    ("get", "/api/v1/zones/", None, expect(200, 200, 200, 200, 200)),
    ("get", "/api/v1/schema/", None, expect(200, 200, 200, 200, 200, anonymous=200)),
    ("get", "/api/v1/cycles/", None, expect(200, 200, 200, 200, 200)),
    ("get", "/api/v1/cycles/{draft_cycle}/", None, expect(200, 200, 200, 200, 200)),
    ("post", "/api/v1/cycles/", "cycle", expect(201, 403, 403, 403, 403)),
    ("post", "/api/v1/cycles/{draft_cycle}/open/", None, expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/offers/", None, expect(200, 200, 200, 403, 403)),
    ("get", "/api/v1/offers/{open_offer}/", None, expect(200, 200, 200, 403, 403)),
    ("post", "/api/v1/offers/", "offer", expect(201, 403, 201, 403, 403)),
    ("get", "/api/v1/households/", None, expect(404, 200, 404, 200, 404)),
    ("post", "/api/v1/households/", "household", expect(404, 403, 404, 201, 404)),
    ("get", "/api/v1/household-access-log/", None, expect(403, 403, 403, 200, 403)),
    ("post", "/api/v1/tariff/suggest/", "suggest", expect(403, 403, 403, 200, 403)),
    ("get", "/api/v1/tariff/tiers/", None, expect(200, 403, 403, 200, 403)),
    ("put", "/api/v1/tariff/tiers/", "tiers", expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/orders/", None, expect(200, 200, 403, 403, 403)),
    ("post", "/api/v1/orders/", "order", expect(403, 201, 403, 403, 403)),
    ("post", "/api/v1/cycles/{draft_cycle}/close/", None, expect(409, 403, 403, 403, 403)),
    ("post", "/api/v1/cycles/{draft_cycle}/confirm/", None, expect(409, 403, 403, 403, 403)),
    (
        "get",
        "/api/v1/cycles/{open_cycle}/purchase-lists/",
        None,
        expect(200, 403, 200, 403, 403),
    ),
    (
        "get",
        "/api/v1/cycles/{open_cycle}/packing-lists/",
        None,
        expect(200, 200, 403, 403, 403),
    ),
    ("get", "/api/v1/purchase-lists/{purchase_list}/", None, expect(200, 403, 200, 403, 403)),
    (
        "get",
        "/api/v1/purchase-lists/{other_purchase_list}/",
        None,
        expect(200, 403, 404, 403, 403),
    ),
    (
        "post",
        "/api/v1/purchase-lists/{purchase_list}/confirm/",
        "confirmation",
        # The coordinator may type a producer's answer given by phone: 409, the cycle is open.
        expect(409, 403, 409, 403, 403),
    ),
    ("get", "/api/v1/cycles/{open_cycle}/routes/", None, expect(200, 200, 200, 403, 403)),
    (
        "post",
        "/api/v1/cycles/{open_cycle}/routes/plan/",
        "plan",
        expect(409, 403, 403, 403, 403),
    ),
    (
        "post",
        "/api/v1/groceries/{grocery}/receptions/",
        "reception",
        expect(403, 409, 403, 403, 403),
    ),
    ("post", "/api/v1/cycles/{draft_cycle}/dispatch/", None, expect(409, 403, 403, 403, 403)),
    ("post", "/api/v1/cycles/{draft_cycle}/deliver/", None, expect(409, 403, 403, 403, 403)),
    ("post", "/api/v1/cycles/{draft_cycle}/settle/", None, expect(409, 403, 403, 403, 403)),
    ("get", "/api/v1/cycles/{draft_cycle}/settlement/", None, expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/ledger/trial-balance/", None, expect(200, 403, 403, 403, 403)),
    ("get", "/api/v1/funders/{funder}/statement/", None, expect(200, 403, 403, 200, 403)),
    ("get", "/api/v1/funders/{other_funder}/statement/", None, expect(200, 403, 403, 404, 403)),
    ("get", "/api/v1/producers/{producer}/statement/", None, expect(200, 403, 200, 403, 403)),
    (
        "get",
        "/api/v1/producers/{other_producer}/statement/",
        None,
        expect(200, 403, 404, 403, 403),
    ),
    ("get", "/api/v1/groceries/{grocery}/statement/", None, expect(200, 200, 403, 403, 403)),
    (
        "get",
        "/api/v1/groceries/{other_grocery}/statement/",
        None,
        expect(200, 404, 403, 403, 403),
    ),
    ("get", "/api/v1/dashboards/kpis/", None, expect(200, 403, 403, 403, 200)),
    ("get", "/api/v1/dashboards/timeseries/?metric=orders", None, expect(200, 403, 403, 403, 200)),
    ("get", "/api/v1/dashboards/export/", None, expect(200, 403, 403, 403, 200)),
    ("get", "/api/v1/dashboards/definitions/", None, expect(200, 403, 403, 403, 200)),
    (
        "get",
        "/api/v1/tasks/00000000-0000-0000-0000-000000000000/",
        None,
        expect(404, 404, 404, 404, 404),
    ),
]


def resolve(path: str, world) -> str:
    names = {
        name: getattr(world, name).id
        for name in (
            "social_service",
            "other_social_service",
            "funder",
            "other_funder",
            "envelope",
            "other_envelope",
            "producer",
            "other_producer",
            "product",
            "other_product",
            "grocery",
            "other_grocery",
            "hub",
            "vehicle",
            "draft_cycle",
            "open_offer",
            "purchase_list",
            "other_purchase_list",
        )
    }
    names["open_cycle"] = world.open_offer.cycle_id
    return path.format(**names)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    MATRIX,
    ids=[f"{method.upper()} {path}" for method, path, _body, _expected in MATRIX],
)
def test_permission_matrix(world, role, method, path, body, expected):
    client = client_for(world.user(role))
    payload = bodies(world, role)[body] if body else None

    response = getattr(client, method)(resolve(path, world), payload, format="json")

    assert response.status_code == expected[role], response.content[:500]
    if response.status_code in (401, 403, 404):
        assert set(response.json()) == {"code", "message"}


def test_officials_never_reach_a_single_household_or_order(world, market, ordered):
    household_order, grouped_order = ordered
    official = client_for(world.official)
    line = household_order["lines"][0]["id"]
    paths = [
        f"/api/v1/households/{market.household.id}/",
        "/api/v1/households/",
        f"/api/v1/orders/{household_order['id']}/",
        f"/api/v1/orders/{grouped_order['id']}/",
        "/api/v1/orders/",
        "/api/v1/household-access-log/",
        f"/api/v1/cycles/{market.cycle.id}/packing-lists/",
        f"/api/v1/cycles/{market.cycle.id}/settlement/",
        f"/api/v1/funders/{market.funder.id}/statement/",
    ]

    statuses = {path: official.get(path).status_code for path in paths}
    refused = official.post(
        f"/api/v1/groceries/{world.grocery.id}/receptions/",
        {"cycle": market.cycle.id, "lines": [{"order_line": line, "received_quantity": "1"}]},
        format="json",
    )

    # Household paths do not exist for them (404, no enumeration); the rest is a role's refusal.
    assert statuses == {path: 404 if "/households/" in path else 403 for path in paths}
    assert refused.status_code == 403

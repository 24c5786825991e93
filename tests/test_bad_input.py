"""Every write endpoint refuses bad input with the contract's 400 body and stores nothing."""

import json

import pytest
from django.test import Client

from accounting.models import Envelope, Funder
from core.models import IdempotencyRecord, Organisation, User
from logistics.models import Hub, Vehicle
from orders.models import Grocery, SocialService
from producers.models import Producer, Product
from tests.helpers import client_for


def snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Organisation,
            User,
            Producer,
            Product,
            Grocery,
            SocialService,
            Funder,
            Envelope,
            Hub,
            Vehicle,
            IdempotencyRecord,
        )
    }


GROCERY = {
    "name": "Épicerie nouvelle",
    "commune": "Lomme",
    "latitude": "50.644",
    "longitude": "2.990",
    "opens_at_time": "09:00",
    "closes_at_time": "17:00",
}
PRODUCER = {"name": "Ferme", "commune": "Bouvines", "latitude": "50.5794", "longitude": "3.1886"}
PRODUCT = {
    "name": "Navets",
    "category": "legumes",
    "unit": "kg",
    "unit_weight_kg": "1",
    "unit_price_ht": "1.50",
}
VEHICLE = {"name": "Van", "capacity_kg": "900", "cost_per_km": "0.30"}
HUB = {"name": "Hub", "latitude": "50.63", "longitude": "3.05"}
BIG = "x" * (1024 * 1024)
DEEP = json.loads("[" * 30 + "]" * 30)

# (method, path, body, field expected in "fields")
CASES = [
    ("post", "/api/v1/groceries/", {**GROCERY, "commune": "Roubaix"}, "commune"),
    ("post", "/api/v1/groceries/", {**GROCERY, "latitude": "91"}, "latitude"),
    ("post", "/api/v1/groceries/", {**GROCERY, "longitude": "-181"}, "longitude"),
    ("post", "/api/v1/groceries/", {**GROCERY, "latitude": "nord"}, "latitude"),
    # Marseille: on the map, but 800 km from the hub.
    (
        "post",
        "/api/v1/groceries/",
        {**GROCERY, "latitude": "43.2965", "longitude": "5.3698"},
        "latitude",
    ),
    ("post", "/api/v1/groceries/", {**GROCERY, "closes_at_time": "08:00"}, "closes_at_time"),
    ("post", "/api/v1/groceries/", {**GROCERY, "opens_at_time": "25:00"}, "opens_at_time"),
    ("post", "/api/v1/groceries/", {**GROCERY, "name": ""}, "name"),
    ("post", "/api/v1/groceries/", {**GROCERY, "latitude": None}, "latitude"),
    ("post", "/api/v1/groceries/", {**GROCERY, "name": BIG}, "payload_too_large"),
    ("post", "/api/v1/producers/", {**PRODUCER, "siret": "123"}, "siret"),
    ("post", "/api/v1/producers/", {**PRODUCER, "latitude": "200"}, "latitude"),
    (
        "post",
        "/api/v1/producers/",
        {"name": "Ferme", "commune": "Bouvines", "latitude": "50.6"},
        "latitude",
    ),
    ("post", "/api/v1/producers/", {**PRODUCER, "is_organic": "peut-être"}, "is_organic"),
    ("post", "/api/v1/producers/", [PRODUCER], "non_field_errors"),
    ("post", "/api/v1/products/", {**PRODUCT, "unit_price_ht": "-1.00"}, "unit_price_ht"),
    ("post", "/api/v1/products/", {**PRODUCT, "unit_price_ht": "1.234"}, "unit_price_ht"),
    ("post", "/api/v1/products/", {**PRODUCT, "vat_rate": "1.5"}, "vat_rate"),
    ("post", "/api/v1/products/", {**PRODUCT, "vat_rate": "-0.1"}, "vat_rate"),
    ("post", "/api/v1/products/", {**PRODUCT, "unit": "tonne"}, "unit"),
    ("post", "/api/v1/products/", {**PRODUCT, "category": "bonbons"}, "category"),
    ("post", "/api/v1/products/", {**PRODUCT, "pack_size": "0"}, "pack_size"),
    ("post", "/api/v1/products/", {**PRODUCT, "unit_weight_kg": "-2"}, "unit_weight_kg"),
    ("post", "/api/v1/products/", {**PRODUCT, "producer": 999999}, "producer"),
    ("post", "/api/v1/vehicles/", {**VEHICLE, "capacity_kg": "0"}, "capacity_kg"),
    ("post", "/api/v1/vehicles/", {**VEHICLE, "cost_per_km": "-0.1"}, "cost_per_km"),
    ("post", "/api/v1/vehicles/", {**VEHICLE, "cold_capacity_kg": "100"}, "cold_capacity_kg"),
    (
        "post",
        "/api/v1/vehicles/",
        {**VEHICLE, "is_refrigerated": True, "cold_capacity_kg": "901"},
        "cold_capacity_kg",
    ),
    ("post", "/api/v1/vehicles/", {**VEHICLE, "fixed_cost_eur": "-1"}, "fixed_cost_eur"),
    ("post", "/api/v1/vehicles/", {**VEHICLE, "max_shift_min": 10}, "max_shift_min"),
    (
        "post",
        "/api/v1/vehicles/",
        {**VEHICLE, "available_from": "18:00", "available_until": "07:00"},
        "available_until",
    ),
    ("post", "/api/v1/hubs/", {**HUB, "latitude": "-95"}, "latitude"),
    ("post", "/api/v1/organisations/", {"kind": "ville", "name": "X"}, "kind"),
    (
        "post",
        "/api/v1/organisations/",
        {"kind": "grocery", "name": "X", "commune": "Paris"},
        "commune",
    ),
    ("post", "/api/v1/organisations/", {"kind": "platform", "name": "Autre"}, "kind"),
    ("post", "/api/v1/social-services/", {"name": "CCAS", "commune": "Roubaix"}, "commune"),
    ("post", "/api/v1/funders/", {"name": "F", "kind": "banque"}, "kind"),
    (
        "post",
        "/api/v1/funders/",
        {"name": "F", "kind": "city", "social_service": 999999},
        "social_service",
    ),
    (
        "post",
        "/api/v1/envelopes/",
        {
            "funder": 999999,
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
            "amount": "10.00",
        },
        "funder",
    ),
    (
        "post",
        "/api/v1/envelopes/",
        {
            "funder": "{funder}",
            "period_start": "2027-03-31",
            "period_end": "2027-01-01",
            "amount": "10.00",
        },
        "period_end",
    ),
    (
        "post",
        "/api/v1/envelopes/",
        {
            "funder": "{funder}",
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
            "amount": "-10.00",
        },
        "amount",
    ),
    (
        "post",
        "/api/v1/envelopes/",
        {
            "funder": "{funder}",
            "period_start": "2026-12-01",
            "period_end": "2027-03-31",
            "amount": "10.00",
        },
        "period_start",
    ),
    (
        "post",
        "/api/v1/users/",
        {
            "username": "x",
            "password": "Un-mot-de-passe-solide-42",
            "role": "official",
            "organisation_id": "{grocery_organisation}",
        },
        "organisation_id",
    ),
    (
        "post",
        "/api/v1/users/",
        {"username": "x", "password": "123", "role": "official", "organisation_id": "{city}"},
        "password",
    ),
    (
        "post",
        "/api/v1/users/",
        {
            "username": "coordination",
            "password": "Un-mot-de-passe-solide-42",
            "role": "official",
            "organisation_id": "{city}",
        },
        "username",
    ),
    (
        "post",
        "/api/v1/users/",
        {
            "username": "x",
            "password": "Un-mot-de-passe-solide-42",
            "role": "maire",
            "organisation_id": "{city}",
        },
        "role",
    ),
    ("patch", "/api/v1/groceries/{grocery_id}/", {"closes_at_time": "06:00"}, "closes_at_time"),
    ("patch", "/api/v1/groceries/{grocery_id}/", {"commune": "Tourcoing"}, "commune"),
    ("patch", "/api/v1/producers/{producer_id}/", {"latitude": "-100"}, "latitude"),
    (
        "patch",
        "/api/v1/producers/{producer_id}/",
        {"available_until_time": "05:00"},
        "available_until_time",
    ),
    ("patch", "/api/v1/products/{product_id}/", {"unit_price_ht": "-3"}, "unit_price_ht"),
    ("patch", "/api/v1/hubs/{hub_id}/", {"longitude": "abc"}, "longitude"),
]


def fill(value, world):
    names = {
        "{funder}": world.funder.id,
        "{grocery_organisation}": world.grocery.organisation_id,
        "{city}": world.city.id,
    }
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    return names.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(("method", "path", "body", "field"), CASES)
def test_bad_input_is_refused_and_nothing_changes(
    coordinator_client, world, method, path, body, field
):
    path = path.format(
        grocery_id=world.grocery.id,
        producer_id=world.producer.id,
        product_id=world.product.id,
        hub_id=world.hub.id,
    )
    before = snapshot()

    response = getattr(coordinator_client, method)(
        path, fill(body, world), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    error = response.json()
    if field == "payload_too_large":  # refused before it is read: 413, no field to name
        assert (response.status_code, set(error)) == (413, {"code", "message"})
    else:
        assert response.status_code == 400, response.content[:300]
        assert set(error) == {"code", "message", "fields"}
        if field is not None:
            assert field in error["fields"], error
    assert error["message"]
    assert snapshot() == before


def test_integer_price_is_accepted(coordinator_client, world):
    # JSON numbers are accepted where a string is expected, and answered as strings.
    response = coordinator_client.post(
        "/api/v1/products/",
        {**PRODUCT, "producer": world.producer.id, "unit_price_ht": 12},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["unit_price_ht"] == "12.00"


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"name": "Ferme", ', 400, "malformed_json"),
        (b"\xff\xfe\x00", 400, "malformed_json"),
        (json.dumps({**PRODUCER, "name": BIG}).encode(), 413, "payload_too_large"),
        # Python's parser gives up at about a thousand levels: that was a 500.
        (b"[" * 5000 + b"]" * 5000, 400, "json_too_deep"),
        (json.dumps({**PRODUCER, "siret": DEEP}).encode(), 400, "json_too_deep"),
    ],
)
def test_unreadable_bodies_are_refused(coordinator_client, world, raw, status, code):
    before = snapshot()

    response = coordinator_client.generic(
        "POST", "/api/v1/producers/", raw, content_type="application/json"
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    keys = {"code", "message", "fields"} if status == 400 else {"code", "message"}
    assert set(response.json()) == keys
    assert snapshot() == before


def test_form_encoded_body_is_unsupported(coordinator_client, world):
    response = coordinator_client.post("/api/v1/producers/", PRODUCER)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "pdf"])
def test_a_refused_file_download_answers_the_json_error_body(world, file_format):
    """Found by schemathesis: a bad filter with ?format=xlsx answered 500."""
    client = client_for(world.coordinator)
    path = (
        "/api/v1/dashboards/export/"
        if file_format != "pdf"
        else (f"/api/v1/funders/{world.funder.id}/statement/")
    )
    response = client.get(f"{path}?format={file_format}&from=2026-13-01&zone=0")
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"code", "message", "fields"}


HOSTILE_TEXT = "<script>alert('x')</script>'; DROP TABLE producers_product; --"


def test_sql_and_html_in_text_are_kept_as_text_and_escaped_on_screens(world):
    """Stored as typed (the ORM binds parameters), shown escaped (Django's autoescape)."""
    api = client_for(world.producer_user)
    products_before = Product.objects.count()
    response = api.post("/api/v1/products/", {**PRODUCT, "name": HOSTILE_TEXT}, format="json")
    assert response.status_code == 201
    assert Product.objects.get(pk=response.json()["id"]).name == HOSTILE_TEXT

    screens = Client()
    screens.force_login(world.producer_user)
    page = screens.get("/producteur/catalogue/").content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert(" not in page
    assert Product.objects.count() == products_before + 1  # the table is still there

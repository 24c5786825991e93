"""What schemathesis (tools/fuzz_api.py) found where the schema and the server disagreed:
each case here was answered otherwise before (#19, item 13)."""

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from orders.models import SocialService


@pytest.fixture
def schema(db):
    return yaml.safe_load(APIClient().get("/api/v1/schema/").content)


def test_list_reads_that_validate_their_filters_document_a_400(schema):
    for path in ["/api/v1/orders/", "/api/v1/cycles/", "/api/v1/dashboards/kpis/"]:
        assert "400" in schema["paths"][path]["get"]["responses"], path


def test_detail_reads_document_no_filter_they_ignore(schema):
    for path in [
        "/api/v1/cycles/{id}/events/",
        "/api/v1/cycles/{id}/purchase-lists/",
        "/api/v1/cycles/{id}/packing-lists/",
        "/api/v1/households/{id}/access-log/",
    ]:
        names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        assert not names & {"status", "delivery_date", "pickup_grocery", "tier__code"}, path


def test_an_order_patch_requires_its_lines_in_the_schema_as_on_the_server(
    schema, volunteer_client, market, world
):
    body = schema["paths"]["/api/v1/orders/{id}/"]["patch"]["requestBody"]
    component = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    order = volunteer_client.post(
        "/api/v1/orders/",
        {
            "cycle": market.cycle.id,
            "grocery": world.grocery.id,
            "lines": [{"offer": market.offers[0].id, "quantity": "1"}],
        },
        format="json",
    ).json()

    refused = volunteer_client.patch(f"/api/v1/orders/{order['id']}/", {}, format="json")

    assert schema["components"]["schemas"][component]["required"] == ["lines"]
    assert refused.status_code == 400 and "lines" in refused.json()["fields"]


def test_a_number_is_not_a_name(coordinator_client, world):
    count = SocialService.objects.count()

    response = coordinator_client.post(
        "/api/v1/social-services/", {"name": 0, "commune": "Lille"}, format="json"
    )

    assert response.status_code == 400 and "name" in response.json()["fields"]
    assert SocialService.objects.count() == count


@pytest.mark.parametrize("page_size", ["null", "abc", "0", "-3", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_is_refused(coordinator_client, page_size):
    response = coordinator_client.get(f"/api/v1/cycles/?page_size={page_size}")

    assert response.status_code == 400
    assert "page_size" in response.json()["fields"]


def test_an_empty_date_is_refused(client, world):
    client.force_login(world.official)

    response = client.get("/api/v1/dashboards/kpis/?from=2026-01-01&to=")

    assert response.status_code == 400 and "to" in response.json()["fields"]


def test_an_unknown_api_path_is_a_json_404_even_with_a_session_and_no_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.coordinator)

    response = browser.patch("/api/v1/hubs/%C2%84/", "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_form_sent_without_its_token_gets_a_french_page(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.coordinator)

    response = browser.post("/coordination/cycles/", {}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert "<main" in response.content.decode()


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/producers/?is_organic=oui", "is_organic"),
        ("/api/v1/vehicles/?is_refrigerated=1", "is_refrigerated"),
        ("/api/v1/cycles/?delivery_date=12/01/2026", "delivery_date"),
    ],
)
def test_booleans_and_dates_are_read_as_the_schema_writes_them(coordinator_client, path, field):
    response = coordinator_client.get(path)

    assert response.status_code == 400 and field in response.json()["fields"]


def test_a_boolean_filter_still_filters(coordinator_client, world):
    world.producer.is_organic = True
    world.producer.save(update_fields=["is_organic"])

    organic = coordinator_client.get("/api/v1/producers/?is_organic=true").json()["results"]
    other = coordinator_client.get("/api/v1/producers/?is_organic=false").json()["results"]

    assert [producer["id"] for producer in organic] == [world.producer.id]
    assert world.producer.id not in [producer["id"] for producer in other]


@pytest.mark.parametrize(
    "path", ["/api/v1/cycles/?delivery_date=", "/api/v1/producers/?is_organic="]
)
def test_a_filter_given_empty_is_refused(coordinator_client, path):
    assert coordinator_client.get(path).status_code == 400


def test_the_token_endpoint_documents_its_429(schema):
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]

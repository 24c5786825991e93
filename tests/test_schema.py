import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from rest_framework.test import APIClient


def test_schema_is_valid_openapi_and_documents_errors(db):
    response = APIClient().get("/api/v1/schema/")

    schema = yaml.safe_load(response.content)
    validate(schema)
    create_grocery = schema["paths"]["/api/v1/groceries/"]["post"]["responses"]
    assert set(create_grocery) >= {"201", "400", "401", "403", "409"}
    error = schema["components"]["schemas"]["ValidationError"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"code", "message"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/producers/"]["post"]["parameters"]}
    assert "Idempotency-Key" in parameters


def test_schema_names_every_contract_path(db):
    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)

    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/organisations/",
        "/api/v1/users/",
        "/api/v1/social-services/",
        "/api/v1/funders/",
        "/api/v1/envelopes/",
        "/api/v1/producers/",
        "/api/v1/products/",
        "/api/v1/groceries/",
        "/api/v1/hubs/",
        "/api/v1/vehicles/",
    ]:
        assert path in schema["paths"], path


def test_docs_page_uses_local_assets_only(db):
    response = APIClient().get("/api/v1/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    # Hosts, not the bare letters: the page's CSRF token once held "cdn".
    assert not any(host in page.lower() for host in ("cdn.", "unpkg.", "jsdelivr."))
    assert "http://" not in page and "https://" not in page
    # The bundle's default validator is an outside host (validator.swagger.io): turned off.
    assert '"validatorUrl": null' in page


def test_there_is_no_redoc_page(db):
    """The one documentation page is Swagger UI, served from here. drf-spectacular's Redoc
    page asked fonts.googleapis.com for its fonts, and Redoc's bundle draws its badge from
    cdn.redoc.ly: neither is reachable from the platform's networks."""
    assert APIClient().get("/api/v1/redoc/").status_code == 404


def _validate_against_schema(schema: dict, path: str, response, media_type="application/json"):
    """The answer matches what the served schema says of this path's 200, as a client that
    validates (schemathesis, a generated client) would check it."""
    operation = schema["paths"][path]["get"]
    body_schema = operation["responses"]["200"]["content"][media_type]["schema"]
    validator = OAS30Validator(
        {**body_schema, "components": schema["components"]},
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == [], (path, errors)


def test_answers_with_empty_values_and_times_of_day_match_the_schema(world, coordinator_client):
    """Found by schemathesis: a producer outside every zone (zone null), a cycle opened by
    the scheduler (actor null), opening hours "09:00:00" (no offset: not RFC 3339 "time")."""
    from supply.services import cycle_transition

    cycle_transition(
        cycle_id=world.draft_cycle.id, to_status="open", user=None, now=world.draft_cycle.opens_at
    )
    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    producer = coordinator_client.get(f"/api/v1/producers/{world.producer.id}/")
    assert producer.json()["zone"] is None
    events = coordinator_client.get(f"/api/v1/cycles/{world.draft_cycle.id}/events/")
    assert events.json()[0]["actor"] is None
    grocery = coordinator_client.get(f"/api/v1/groceries/{world.grocery.id}/")
    assert grocery.json()["opens_at_time"] == "09:00:00"

    _validate_against_schema(schema, "/api/v1/producers/{id}/", producer)
    _validate_against_schema(schema, "/api/v1/cycles/{id}/events/", events)
    _validate_against_schema(schema, "/api/v1/groceries/{id}/", grocery)


def test_errors_are_documented_as_json_whatever_format_was_asked(db):
    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation.get("responses", {}).items():
                if code >= "400" and "content" in response:
                    assert list(response["content"]) == ["application/json"], (method, path, code)
    rounds = schema["paths"]["/api/v1/cycles/{cycle_id}/routes/"]["get"]["responses"]["200"]
    assert set(rounds["content"]) == {"application/json", "application/geo+json"}

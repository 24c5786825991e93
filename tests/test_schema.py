import yaml
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
    assert "cdn" not in page.lower()
    assert "http://" not in page and "https://" not in page

from rest_framework.test import APIClient

from tests.factories import TEST_PASSWORD


def test_token_then_me(world):
    client = APIClient()

    token = client.post(
        "/api/v1/auth/token/",
        {"username": "coordination", "password": TEST_PASSWORD},
        format="json",
    )
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    me = client.get("/api/v1/me/")

    assert token.status_code == 200
    assert me.status_code == 200
    assert me.json() == {
        "username": "coordination",
        "role": "coordinator",
        "organisation": {
            "id": world.coordinator.membership.organisation_id,
            "kind": "platform",
            "name": "Appro Solidaire",
        },
    }


def test_wrong_password_is_a_400_in_french(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "coordination", "password": "faux"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["message"] == "Identifiant inconnu ou mot de passe erroné."
    assert "password" in body["fields"]


def test_wrong_password_in_english_on_request(world):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "coordination", "password": "faux"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.json()["message"] == "Unknown username or wrong password."


def test_bad_token_is_401_with_contract_body(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_login_works_for_the_api(world, client):
    client.force_login(world.official)

    response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["role"] == "official"


def test_superuser_without_membership_is_a_coordinator(platform, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "a@example.invalid", "x")
    client = APIClient()
    client.force_authenticate(admin)

    me = client.get("/api/v1/me/")
    organisations = client.get("/api/v1/organisations/")

    assert me.json()["role"] == "coordinator"
    assert me.json()["organisation"]["kind"] == "platform"
    assert organisations.status_code == 200

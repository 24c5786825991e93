"""The database unreachable: 503 with the contract's error body, never a bare 500."""

from unittest import mock

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from rest_framework.authtoken.models import Token

from core.api.views import MeView


def database_down():
    """Every new query fails as it does while PostgreSQL restarts."""
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError('connection to server at "127.0.0.1", port 5432 failed'),
    )


def test_api_answers_503_with_the_error_body_when_the_database_is_unreachable(world):
    token = Token.objects.create(user=world.volunteer)
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/api/v1/orders/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "code": "service_unavailable",
        "message": "Le service est momentanément indisponible. Réessayez dans quelques instants.",
    }


def test_screens_answer_a_french_page_with_503_when_the_database_is_unreachable(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.volunteer)
    with database_down():
        response = client.get("/")

    assert response.status_code == 503
    assert "Le service est momentanément indisponible" in response.content.decode()


def test_an_unexpected_error_in_the_api_is_a_500_in_the_contract_body(world, monkeypatch):
    def fail(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(MeView, "get", fail)
    client = Client(raise_request_exception=False)
    client.force_login(world.volunteer)

    response = client.get("/api/v1/me/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "Retry-After" not in response

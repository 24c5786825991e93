"""Throttling of the token endpoint, lockout after repeated failures, and an access log that
no interface can edit."""

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from core.models import AppendOnlyViolation, User
from orders.models import HouseholdAccessLog

PASSWORD = "Un-Mot-De-Passe-Solide-2026"


@pytest.fixture
def volunteer(world):
    world.volunteer.set_password(PASSWORD)
    world.volunteer.save()
    return world.volunteer


def _token(client, username, password):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(volunteer, settings):
    client = APIClient()
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT):
        assert _token(client, volunteer.username, "faux").status_code == 400

    locked = _token(client, volunteer.username, PASSWORD)

    assert locked.status_code == 429
    assert locked.json() == {
        "code": "too_many_attempts",
        "message": "Trop d'essais manqués pour ce compte : réessayez dans 15 minutes.",
    }
    # The login page refuses it too, and another account is not affected.
    page = Client().post("/connexion/", {"username": volunteer.username, "password": PASSWORD})
    assert page.status_code == 200 and "_auth_user_id" not in page.client.session


def test_a_success_before_the_limit_clears_the_failures(volunteer, settings):
    client = APIClient()
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT - 1):
        _token(client, volunteer.username, "faux")
    assert _token(client, volunteer.username, PASSWORD).status_code == 200
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT - 1):
        _token(client, volunteer.username, "faux")
    assert _token(client, volunteer.username, PASSWORD).status_code == 200


def test_the_lockout_counts_the_login_page_too(volunteer, settings):
    browser = Client()
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT):
        browser.post("/connexion/", {"username": volunteer.username, "password": "faux"})
    assert _token(APIClient(), volunteer.username, PASSWORD).status_code == 429


def test_the_token_endpoint_is_throttled_per_address(world, monkeypatch):
    # DRF reads the rates once, at import: the test lowers them where they are kept.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    client = APIClient()
    answers = [_token(client, f"inconnu{index}", "faux").status_code for index in range(4)]
    assert answers == [400, 400, 400, 429]
    throttled = _token(client, "inconnu9", "faux")
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0


def test_the_access_log_cannot_be_changed_or_removed(world, market):
    entry = HouseholdAccessLog.objects.create(
        household=market.household, user=world.ccas_staff, action="read", accessed_at=timezone.now()
    )
    entry.action = "update"
    with pytest.raises(AppendOnlyViolation):
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        HouseholdAccessLog.objects.filter(pk=entry.pk).update(action="update")
    entry.refresh_from_db()
    assert entry.action == "read"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_api_route_edits_the_access_log(world, market, method):
    entry = HouseholdAccessLog.objects.create(
        household=market.household, user=world.ccas_staff, action="read", accessed_at=timezone.now()
    )
    client = APIClient()
    client.force_authenticate(world.ccas_staff)
    response = getattr(client, method)(
        f"/api/v1/household-access-log/{entry.pk}/", {"action": "update"}, format="json"
    )
    assert response.status_code == 404  # the log has no detail route at all
    assert HouseholdAccessLog.objects.get(pk=entry.pk).action == "read"


def test_the_admin_has_no_page_for_the_access_log(world, platform):
    admin = User.objects.create_superuser("admin-test", "a@example.invalid", PASSWORD)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/orders/householdaccesslog/").status_code == 404


def test_wrong_passwords_lock_their_address_out_not_the_owner(volunteer, settings):
    """Anyone could lock anyone out with 5 wrong passwords: now only from their address."""
    attacker = APIClient(REMOTE_ADDR="203.0.113.7")
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT):
        assert _token(attacker, volunteer.username, "faux").status_code == 400

    assert _token(attacker, volunteer.username, PASSWORD).status_code == 429
    owner = APIClient(REMOTE_ADDR="198.51.100.20")
    assert _token(owner, volunteer.username, PASSWORD).status_code == 200
    page = Client(REMOTE_ADDR="198.51.100.20")
    page.post("/connexion/", {"username": volunteer.username, "password": PASSWORD})
    assert "_auth_user_id" in page.session


def test_many_addresses_together_lock_the_account_for_everyone(volunteer, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 12
    for attempt in range(12):
        guesser = APIClient(REMOTE_ADDR=f"203.0.113.{attempt + 1}")
        assert _token(guesser, volunteer.username, "faux").status_code == 400

    owner = APIClient(REMOTE_ADDR="198.51.100.20")
    assert _token(owner, volunteer.username, PASSWORD).status_code == 429


def test_a_forged_forwarded_for_neither_dodges_the_throttle_nor_the_lockout(
    volunteer, settings, monkeypatch
):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    answers = [
        _token(
            APIClient(HTTP_X_FORWARDED_FOR=f"10.0.0.{index}"), f"inconnu{index}", "faux"
        ).status_code
        for index in range(4)
    ]
    assert answers == [400, 400, 400, 429]

    for index in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT):
        client = APIClient(HTTP_X_FORWARDED_FOR=f"10.1.0.{index}", REMOTE_ADDR="192.0.2.1")
        client.post("/connexion/", {"username": volunteer.username, "password": "faux"})
    page = Client(HTTP_X_FORWARDED_FOR="10.9.9.9", REMOTE_ADDR="192.0.2.1")
    page.post("/connexion/", {"username": volunteer.username, "password": PASSWORD})
    assert "_auth_user_id" not in page.session


def test_behind_a_trusted_proxy_the_address_is_the_one_it_wrote(volunteer, settings):
    # DRF reloads its settings when the test changes them (setting_changed).
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.1"  # REMOTE_ADDR: it appended the address it saw after the forged one
    attacker = APIClient(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR=proxy)
    owner = APIClient(HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20", REMOTE_ADDR=proxy)
    for _attempt in range(settings.LOGIN_FAILURES_BEFORE_LOCKOUT):
        _token(attacker, volunteer.username, "faux")

    assert _token(attacker, volunteer.username, PASSWORD).status_code == 429
    assert _token(owner, volunteer.username, PASSWORD).status_code == 200

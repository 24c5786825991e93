"""Accounts by e-mail (DESIGN.md §11): a forgotten password, an invitation. The answer never
says whether an address exists; the link works once, for 72 hours, and opens a locked
account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from core import lockout
from core.models import User
from notifications.choices import Kind
from notifications.models import Notification
from tests.helpers import client_for

LINK = re.compile(r"http://[^\s\"<]+/(?:mot-de-passe|invitation)/[^\s\"<]+/")


def link_in(message) -> str:
    (link,) = set(LINK.findall(message.body))
    return link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else link


def choose_password(link: str, password: str):
    """What a person does with the link: open it, type the password twice."""
    browser = Client()
    page = browser.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    return page, browser.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_reset_answer_is_the_same_for_a_known_and_an_unknown_address(
    world, anonymous_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = anonymous_client.post(
            "/api/v1/auth/password-reset/", {"email": world.volunteer.email.upper()}, format="json"
        )
        unknown = anonymous_client.post(
            "/api/v1/auth/password-reset/", {"email": "personne@example.invalid"}, format="json"
        )

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [message.to for message in mail.outbox] == [[world.volunteer.email]]
    # The screen: the same page after either address.
    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            Client().post("/mot-de-passe/oublie/", {"email": address}, follow=True)
            for address in (world.other_volunteer.email, "personne@example.invalid")
        ]
    assert [page.redirect_chain for page in pages] == [[("/mot-de-passe/envoye/", 302)]] * 2
    assert pages[0].content == pages[1].content
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [world.other_volunteer.email]
    assert not Notification.objects.filter(url__contains="mot-de-passe").exists()  # no token kept


def test_the_reset_link_works_once_and_unlocks_a_locked_account(
    world, anonymous_client, django_capture_on_commit_callbacks, settings
):
    user = world.producer_user
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        lockout.failure_record(user.username, "203.0.113.9")
    assert lockout.is_locked(user.username, "198.51.100.1")  # locked from everywhere
    with django_capture_on_commit_callbacks(execute=True):
        anonymous_client.post("/api/v1/auth/password-reset/", {"email": user.email}, format="json")
    (message,) = mail.outbox
    assert message.subject == "Appro Solidaire — Réinitialiser votre mot de passe"
    link = link_in(message)

    page, saved = choose_password(link, "Poireaux-et-Navets-2027")

    assert "Choisir un nouveau mot de passe" in page.content.decode()
    assert saved.status_code == 302 and saved.url == "/mot-de-passe/enregistre/"
    assert not lockout.is_locked(user.username, "198.51.100.1")
    token = anonymous_client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "Poireaux-et-Navets-2027"},
        format="json",
    )
    assert token.status_code == 200, token.json()
    # The same link again: it no longer works, and the password stays.
    again, _answer = choose_password(link, "Autre-Mot-De-Passe-2027")
    assert "Ce lien ne fonctionne plus" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password("Poireaux-et-Navets-2027")


def test_a_bad_reset_request_is_refused_and_sends_nothing(anonymous_client, world):
    for body in ({"email": "pas-une-adresse"}, {}, {"email": "a" * 300 + "@example.invalid"}):
        answer = anonymous_client.post("/api/v1/auth/password-reset/", body, format="json")
        assert answer.status_code == 400
        assert answer.json()["code"] == "invalid"
    assert mail.outbox == [] and not Notification.objects.exists()


def test_asking_again_and_again_sends_one_link_per_five_minutes(
    world, anonymous_client, django_capture_on_commit_callbacks
):
    with freeze_time("2027-03-01 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            anonymous_client.post(
                "/api/v1/auth/password-reset/", {"email": world.volunteer.email}, format="json"
            )
    assert len(mail.outbox) == 1


def test_an_invited_person_chooses_a_password_within_72_hours(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    with freeze_time("2027-03-01 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        created = coordinator_client.post(
            "/api/v1/users/",
            {
                "username": "nouvelle.benevole",
                "email": "nouvelle@example.invalid",
                "role": "grocery_volunteer",
                "organisation_id": world.grocery.organisation_id,
            },
            format="json",
        )
    assert created.status_code == 201, created.json()
    user = User.objects.get(username="nouvelle.benevole")
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.subject == "Appro Solidaire — Votre invitation à Appro Solidaire"
    assert "nouvelle.benevole" in message.body
    link = link_in(message)
    assert "/invitation/" in link

    with freeze_time("2027-03-04 09:00:00"):  # 71 hours later
        page, saved = choose_password(link, "Epicerie-Solidaire-2027")
    assert "Bienvenue sur Appro Solidaire" in page.content.decode()
    assert saved.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Epicerie-Solidaire-2027")
    assert Client().login(username="nouvelle.benevole", password="Epicerie-Solidaire-2027")


def test_an_invitation_link_expires_after_72_hours_and_the_coordinator_invites_again(
    world, coordinator_client, django_capture_on_commit_callbacks
):
    with freeze_time("2027-03-01 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            "/api/v1/users/",
            {
                "username": "tardif",
                "email": "tardif@example.invalid",
                "role": "producer",
                "organisation_id": world.producer.organisation_id,
            },
            format="json",
        )
    link = link_in(mail.outbox[0])
    with freeze_time("2027-03-04 10:01:00"):
        page, _saved = choose_password(link, "Trop-Tard-Pour-2027")
    assert "Ce lien ne fonctionne plus" in page.content.decode()
    user = User.objects.get(username="tardif")
    assert not user.has_usable_password()

    coordinator = Client()
    with freeze_time("2027-03-04 10:05:00"), django_capture_on_commit_callbacks(execute=True):
        coordinator.force_login(world.coordinator)
        people = coordinator.get("/coordination/personnes/")
        assert "tardif" in people.content.decode()
        answer = coordinator.post("/coordination/personnes/", {"reinvite": user.id}, follow=True)
    assert "Nouvelle invitation envoyée à tardif@example.invalid" in answer.content.decode()
    assert len(mail.outbox) == 2
    with freeze_time("2027-03-04 11:00:00"):
        _page, saved = choose_password(link_in(mail.outbox[1]), "A-Temps-Cette-Fois-2027")
    assert saved.status_code == 302
    assert Notification.objects.filter(kind=Kind.INVITATION, recipient=user).count() == 2


def test_a_person_without_password_nor_address_is_not_created(world, coordinator_client):
    answer = coordinator_client.post(
        "/api/v1/users/",
        {
            "username": "fantome",
            "role": "producer",
            "organisation_id": world.producer.organisation_id,
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "email" in answer.json()["fields"]
    assert not User.objects.filter(username="fantome").exists()


def test_someone_who_logged_in_is_not_invited_again(world, coordinator_client):
    user = world.volunteer
    user.last_login = timezone.now() - timedelta(days=1)
    user.save()
    answer = coordinator_client.post(f"/api/v1/users/{user.id}/invite/")
    assert answer.status_code == 409 and answer.json()["code"] == "already_active"
    assert not Notification.objects.exists()


@pytest.mark.parametrize("path", ["/coordination/personnes/", "/coordination/envois/"])
def test_people_and_outbox_screens_are_the_coordinators(world, path):
    volunteer = Client()
    volunteer.force_login(world.volunteer)
    assert volunteer.get(path).status_code == 403
    assert (
        client_for(world.volunteer).post(f"/api/v1/users/{world.volunteer.id}/invite/").status_code
        == 403
    )

"""The outbox (DESIGN.md §11): one row per kind, object and person; sent after commit;
transient errors retried with backoff, permanent ones failed at once; the coordinator sees
and resends; each person reads their own messages only."""

import smtplib
from datetime import timedelta

import pytest
from celery import current_app
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.utils import timezone

from notifications.choices import Kind, Status
from notifications.models import Notification
from notifications.services import lost_requeue, notify
from tests.helpers import client_for


class FlakyBackend(EmailBackend):
    """Refuses the first `failures` sends with `error`, then delivers (to mail.outbox)."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise FlakyBackend.error
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    """Celery's own retries, run at once: in-process tasks that do not raise (a worker's
    retry raises nothing out of `delay`)."""
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.calls = 0
    propagates = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    yield FlakyBackend
    current_app.conf.task_eager_propagates = propagates


def tell(user, capture, key="cycle:1"):
    with capture(execute=True):
        return notify(
            kind=Kind.CYCLE_OPENED,
            object_key=key,
            recipients=[user],
            subject="Les commandes sont ouvertes",
            paragraphs=["Le cycle est ouvert."],
            url="/epicerie/",
        )


def test_a_transient_failure_is_retried_until_sent(
    world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures, flaky.error = 2, smtplib.SMTPServerDisconnected("closed")

    assert tell(world.volunteer, django_capture_on_commit_callbacks) == 1

    row = Notification.objects.get()
    assert (row.status, row.attempts, row.error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.volunteer.email]


def test_a_send_that_keeps_failing_is_marked_failed_after_the_last_retry(
    world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures, flaky.error = 100, smtplib.SMTPResponseException(421, b"Try again later")

    tell(world.volunteer, django_capture_on_commit_callbacks)

    row = Notification.objects.get()
    assert row.status == Status.FAILED
    assert row.attempts == 9  # the first try and eight retries, 30 s to 30 min apart
    assert "421" in row.error and "Try again later" in row.error
    assert mail.outbox == []


def test_a_permanent_refusal_fails_at_once_and_the_coordinator_resends_it(
    world, flaky, coordinator_client, django_capture_on_commit_callbacks
):
    flaky.failures = 1
    flaky.error = smtplib.SMTPRecipientsRefused({world.volunteer.email: (550, b"No such user")})
    tell(world.volunteer, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Status.FAILED, 1)

    listed = coordinator_client.get("/api/v1/outbox/?status=failed").json()["results"]
    assert [(item["id"], item["recipient"], item["kind"]) for item in listed] == [
        (row.id, world.volunteer.username, "cycle_opened")
    ]
    assert "550" in listed[0]["error"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = coordinator_client.post(f"/api/v1/outbox/{row.id}/resend/")
    assert answer.status_code == 200, answer.json()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_the_same_message_is_written_once_whatever_calls_it_again(
    world, django_capture_on_commit_callbacks
):
    assert tell(world.volunteer, django_capture_on_commit_callbacks) == 1
    assert tell(world.volunteer, django_capture_on_commit_callbacks) == 0
    assert tell(world.volunteer, django_capture_on_commit_callbacks, key="cycle:2") == 1
    assert Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_a_queued_message_whose_task_was_lost_is_sent_by_beat(
    world, django_capture_on_commit_callbacks
):
    notify(  # written, but its transaction's on_commit never ran (the broker was down)
        kind=Kind.CYCLE_OPENED,
        object_key="cycle:1",
        recipients=[world.volunteer],
        subject="Les commandes sont ouvertes",
        paragraphs=["Le cycle est ouvert."],
    )
    assert lost_requeue(now=timezone.now()) == 0  # too early: its task may still come
    with django_capture_on_commit_callbacks(execute=True):
        assert lost_requeue(now=timezone.now() + timedelta(minutes=40)) == 1
    assert Notification.objects.get().status == Status.SENT


def test_a_kind_turned_off_is_listed_but_not_mailed_and_needed_ones_cannot_be(
    world, volunteer_client, producer_client, django_capture_on_commit_callbacks
):
    answer = volunteer_client.patch(
        "/api/v1/me/preferences/", {"email_off": ["cycle_opened"]}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["email_off"] == ["cycle_opened"]
    tell(world.volunteer, django_capture_on_commit_callbacks)
    assert Notification.objects.get().status == Status.SKIPPED
    assert mail.outbox == []
    assert [
        item["kind"] for item in volunteer_client.get("/api/v1/notifications/").json()["results"]
    ] == ["cycle_opened"]

    refused = producer_client.patch(
        "/api/v1/me/preferences/", {"email_off": ["purchase_list"]}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert "email_off" in refused.json()["fields"]
    assert producer_client.get("/api/v1/me/preferences/").json()["email_off"] == []
    unknown = producer_client.patch(
        "/api/v1/me/preferences/", {"email_off": ["everything"]}, format="json"
    )
    assert unknown.status_code == 400


def test_each_person_reads_and_marks_only_their_own_messages(
    world, volunteer_client, django_capture_on_commit_callbacks
):
    tell(world.volunteer, django_capture_on_commit_callbacks)
    tell(world.other_volunteer, django_capture_on_commit_callbacks)
    mine, theirs = Notification.objects.order_by(
        "recipient_id" if world.volunteer.id < world.other_volunteer.id else "-recipient_id"
    )

    listed = volunteer_client.get("/api/v1/notifications/").json()["results"]
    assert [item["id"] for item in listed] == [mine.id]
    assert set(listed[0]) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    assert listed[0]["read_at"] is None
    assert volunteer_client.post(f"/api/v1/notifications/{theirs.id}/read/").status_code == 404
    read = volunteer_client.post(f"/api/v1/notifications/{mine.id}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_only_the_coordinator_sees_the_outbox(world, volunteer_client, coordinator_client):
    assert volunteer_client.get("/api/v1/outbox/").status_code == 403
    assert client_for(None).get("/api/v1/outbox/").status_code in (401, 403)
    assert coordinator_client.get("/api/v1/outbox/").status_code == 200


def test_a_message_in_flight_cannot_be_resent(world, coordinator_client):
    row = Notification.objects.create(
        recipient=world.volunteer,
        kind=Kind.CYCLE_OPENED,
        object_key="cycle:9",
        subject="Ouvert",
        status=Status.QUEUED,
    )
    answer = coordinator_client.post(f"/api/v1/outbox/{row.id}/resend/")
    assert answer.status_code == 409 and answer.json()["code"] == "not_resendable"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.QUEUED, 0)


def test_the_outbox_screen_shows_failures_and_sends_them_again(
    world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 2
    flaky.error = smtplib.SMTPDataError(554, b"Message refused")
    tell(world.volunteer, django_capture_on_commit_callbacks)
    tell(world.other_volunteer, django_capture_on_commit_callbacks)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.FAILED}
    coordinator = Client()
    coordinator.force_login(world.coordinator)

    page = coordinator.get("/coordination/envois/", {"status": "failed"}).content.decode()
    assert "2 messages en échec." in page
    assert "Message refused" in page and world.other_volunteer.username in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = coordinator.post(
            "/coordination/envois/?status=failed", {"resend_failed": "1"}, follow=True
        )
    assert "2 messages de nouveau en attente" in answer.content.decode()
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [world.volunteer.email, world.other_volunteer.email]
    )

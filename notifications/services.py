"""The outbox (DESIGN.md §11): each message is a row written in the transaction of the step
that causes it, sent by a task once that transaction commits, retried on transient errors,
and never sent twice.
"""

import smtplib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.choices import Role
from core.errors import InvalidInput, StateConflict
from core.models import User

from . import registry
from .choices import ACCOUNT_KINDS, NEEDED_TO_ACT, ROLE_KINDS, Kind, Status
from .models import Notification, Preference

# A message whose send is lost (a worker gone, the broker down at commit) is queued again
# after this long; longer than the longest wait between two retries.
SEND_RETRY_DELAYS_S = (30, 60, 120, 240, 480, 960, 1800, 1800)
LOST_AFTER = timedelta(minutes=35)


def organisation_users(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """The active people of these organisations."""
    return User.objects.filter(
        membership__organisation_id__in=list(organisation_ids), is_active=True
    ).order_by("id")


def coordinators() -> QuerySet[User]:
    return User.objects.filter(membership__role=Role.COORDINATOR, is_active=True).order_by("id")


def _emails_off(user_ids: list[int]) -> dict[int, set[str]]:
    return {
        user_id: set(kinds)
        for user_id, kinds in Preference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "email_off"
        )
    }


def notify(
    *,
    kind: str,
    object_key: str,
    recipients: Iterable[User],
    subject: str,
    paragraphs: Sequence[str],
    url: str = "",
    action: str = "",
    table: dict[str, Any] | None = None,
    attachments: Sequence[tuple[str, str]] = (),
) -> int:
    """Write one message per recipient, unless it was written already (the unique row), and
    send them once the caller's transaction commits. Answers how many rows are new.

    `paragraphs`, `action` (the link's label) and `table` ({"head": [...], "rows": [[...]]})
    are French text, made by the caller under translation.override; they go into the
    e-mail and, for the first paragraph, into the screens.
    """
    people = {user.id: user for user in recipients if user.is_active}
    # Those told already are left out here, so that the answer counts only new rows; the
    # unique row still keeps out a concurrent writer.
    for user_id in Notification.objects.filter(
        kind=kind, object_key=object_key, recipient_id__in=list(people)
    ).values_list("recipient_id", flat=True):
        del people[user_id]
    if not people:
        return 0
    emails_off = _emails_off(list(people))
    context = {"paragraphs": list(paragraphs), "action": action, "table": table}
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            object_key=object_key,
            subject=subject,
            summary=paragraphs[0] if paragraphs else subject,
            url=url,
            context=context,
            attachments=[list(item) for item in attachments],
            status=(
                Status.SKIPPED
                if not user.email
                or (kind not in NEEDED_TO_ACT and kind in emails_off.get(user.id, ()))
                else Status.QUEUED
            ),
        )
        for user in people.values()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: queued_send(kind=kind, object_key=object_key), robust=True)
    return len(rows)


def _message_send_later(notification_id: int) -> None:
    # The task is looked up by name: notifications.tasks imports this module.
    current_app.tasks["notifications.message_send"].delay(notification_id=notification_id)


def queued_send(*, kind: str, object_key: str) -> None:
    ids = Notification.objects.filter(
        kind=kind, object_key=object_key, status=Status.QUEUED
    ).values_list("id", flat=True)
    for notification_id in list(ids):
        _message_send_later(notification_id)


def _is_transient(error: Exception) -> bool:
    """A 4xx answer, a dropped connection or a network error may pass later; a 5xx will not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path else ""


def account_link(user: User, kind: str) -> str:
    """The link that lets this person choose a password: made when the message is sent and
    valid PASSWORD_RESET_TIMEOUT (72 h), once (Django's token changes with the password)."""
    name = "invitation-confirm" if kind == Kind.INVITATION else "password-reset-confirm"
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse(name, kwargs={"uidb64": uid, "token": token}))


def email_build(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    link = (
        account_link(user, notification.kind)
        if notification.kind in ACCOUNT_KINDS
        else _absolute(notification.url)
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **notification.context,
            "subject": notification.subject,
            "name": user.get_full_name() or user.username,
            "username": user.username,
            "link": link,
            "preferences_link": _absolute(reverse("notification-preferences")),
            "can_turn_off": notification.kind not in NEEDED_TO_ACT,
        }
        text = render_to_string(f"{notification.template}.txt", context)
        html = render_to_string(f"{notification.template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"Appro Solidaire — {notification.subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    for name, argument in notification.attachments:
        message.attach(*registry.ATTACHMENTS[name](argument, user))
    return message


def message_deliver(*, notification_id: int, final: bool) -> str:
    """Send one queued message: "sent"; "retry" after a transient error (it stays queued);
    "failed" after a permanent one or the last try; "skipped" when another send holds it or
    it was sent already."""
    now = timezone.now()
    claimed = Notification.objects.filter(id=notification_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(id=notification_id)
    rows = Notification.objects.filter(id=notification_id)
    if not notification.recipient.email or not notification.recipient.is_active:
        rows.update(status=Status.SKIPPED, updated_at=now)
        return "skipped"
    try:
        email_build(notification).send(fail_silently=False)
    except Exception as error:  # any failure is recorded on the row
        retry = _is_transient(error) and not final
        rows.update(
            status=Status.QUEUED if retry else Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            updated_at=timezone.now(),
        )
        return "retry" if retry else "failed"
    rows.update(status=Status.SENT, sent_at=timezone.now(), error="", updated_at=timezone.now())
    return "sent"


def lost_requeue(*, now: datetime) -> int:
    """Queue again what no task is sending any more: queued rows whose task was lost, rows
    left `sending` by a worker that died."""
    Notification.objects.filter(status=Status.SENDING, updated_at__lt=now - LOST_AFTER).update(
        status=Status.QUEUED, updated_at=now
    )
    ids = list(
        Notification.objects.filter(
            status=Status.QUEUED, updated_at__lt=now - LOST_AFTER
        ).values_list("id", flat=True)
    )
    for notification_id in ids:
        _message_send_later(notification_id)
    return len(ids)


@transaction.atomic
def notification_resend(*, notification: Notification) -> Notification:
    """The coordinator sends a failed (or sent) message again, once it knows why it failed."""
    if notification.status not in (Status.FAILED, Status.SENT):
        raise StateConflict(
            _("Only a failed or sent message can be sent again."), code="not_resendable"
        )
    if not notification.recipient.email:
        raise StateConflict(_("This person has no e-mail address."), code="no_email_address")
    Notification.objects.filter(id=notification.id).update(
        status=Status.QUEUED, error="", updated_at=timezone.now()
    )
    transaction.on_commit(
        lambda: queued_send(kind=notification.kind, object_key=notification.object_key),
        robust=True,
    )
    notification.refresh_from_db()
    return notification


@transaction.atomic
def failed_resend() -> int:
    """Every failed message to someone with an address, queued again (the mail server is
    back): one update, one task each after commit."""
    ids = list(
        Notification.objects.filter(status=Status.FAILED)
        .exclude(recipient__email="")
        .values_list("id", flat=True)
    )
    Notification.objects.filter(id__in=ids).update(
        status=Status.QUEUED, error="", updated_at=timezone.now()
    )

    def send() -> None:
        for notification_id in ids:
            _message_send_later(notification_id)

    transaction.on_commit(send, robust=True)
    return len(ids)


def notifications_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark this person's notifications read: those of `ids`, or all."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(id__in=list(ids))
    return rows.update(read_at=timezone.now())


def kinds_for(user: User) -> tuple[str, ...]:
    membership = getattr(user, "membership", None)
    role = membership.role if membership else Role.COORDINATOR
    return ROLE_KINDS.get(role, ())


def preferences_update(*, user: User, email_off: list[str]) -> Preference:
    known = set(Kind.values)
    unknown = sorted(set(email_off) - known)
    if unknown:
        raise InvalidInput(
            _("Unknown kinds of message: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            fields={"email_off": [_("Unknown kind.")]},
        )
    needed = sorted(set(email_off) & NEEDED_TO_ACT)
    if needed:
        labels = ", ".join(str(Kind(kind).label) for kind in needed)
        raise InvalidInput(
            _("These messages are needed to act and cannot be turned off: %(kinds)s.")
            % {"kinds": labels},
            fields={"email_off": [_("Needed to act.")]},
        )
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"email_off": sorted(set(email_off))}
    )
    return preference


def emails_off(user: User) -> list[str]:
    preference = Preference.objects.filter(user=user).first()
    return preference.email_off if preference else []


def reminders_run(*, now: datetime) -> dict[str, int]:
    """Beat's pass: every registered reminder, each in its own transaction."""
    sent = {}
    for name, reminder in registry.REMINDERS.items():
        with transaction.atomic():
            sent[name] = reminder(now)
    return sent

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status


class Notification(models.Model):
    """One message to one person: what the screens list as new for them, and the outbox row
    its e-mail is sent from (DESIGN.md §11).

    Unique per (kind, object, recipient): a step or a reminder run again finds the row and
    sends nothing more. The e-mail is rendered when it is sent, from `template` and `context`
    (plain values, already in French), with its attachments made then by the app that owns
    them (notifications.attachments). No household name or contact is ever put here, except
    in what goes to the household's own CCAS.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # What the message is about, as "<model>:<id>" and what makes it distinct ("cycle:12",
    # "envelope:3:95"): with the kind and the recipient, what is sent only once.
    object_key = models.CharField(_("object"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200)
    summary = models.TextField(_("summary"))
    # The screen where the person acts (a path on this site).
    url = models.CharField(_("link"), max_length=500, blank=True)
    template = models.CharField(max_length=100, default="notifications/email/message")
    context = models.JSONField(default=dict, blank=True)
    # [[renderer, argument], ...], rendered at send time (notifications.attachments).
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                name="notification_once_per_object_and_recipient",
                fields=["kind", "object_key", "recipient"],
            ),
        ]
        indexes = [
            models.Index(name="notification_unread", fields=["recipient", "read_at"]),
            models.Index(name="notification_outbox", fields=["status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"


class Preference(models.Model):
    """The kinds a person does not want by e-mail (still listed in the screens)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_off = models.JSONField(_("e-mails turned off"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)

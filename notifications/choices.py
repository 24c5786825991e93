from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a message is about (DESIGN.md §11), in the order of a cycle."""

    CYCLE_OPENED = "cycle_opened", _("A cycle is open for orders")
    CLOSING_SOON = "closing_soon", _("Orders close within 24 hours")
    STANDING_REFUSED = "standing_refused", _("A standing order could not be placed")
    PURCHASE_LIST = "purchase_list", _("Purchase order to confirm")
    CONFIRM_REMINDER = "confirm_reminder", _("Reminder: purchase order to confirm")
    DEADLINE_MISSED = "deadline_missed", _("A deadline was missed")
    QUANTITIES_CONFIRMED = "quantities_confirmed", _("Quantities confirmed")
    ROUNDS_PLANNED = "rounds_planned", _("Rounds planned")
    STATEMENT_READY = "statement_ready", _("Settlement statement")
    DECISION_ENDING = "decision_ending", _("A household's decision ends soon")
    ENVELOPE_USED = "envelope_used", _("An envelope is nearly used")
    CAISSE_MONTH = "caisse_month", _("A caisse alimentaire's month is credited")
    INVITATION = "invitation", _("Invitation to the platform")
    PASSWORD_RESET = "password_reset", _("Password reset")


# What a person needs to act on: it cannot be turned off.
NEEDED_TO_ACT = frozenset(
    {
        Kind.PURCHASE_LIST,
        Kind.CONFIRM_REMINDER,
        Kind.DEADLINE_MISSED,
        Kind.INVITATION,
        Kind.PASSWORD_RESET,
    }
)

# Account messages carry a link that opens the account: it is made when the message is sent,
# never stored, and these messages are not listed in the screens.
ACCOUNT_KINDS = frozenset({Kind.INVITATION, Kind.PASSWORD_RESET})


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Kept for the screens only: the person turned this kind off, or has no address.
    SKIPPED = "skipped", _("Not sent by e-mail")


# What each role may receive, for the preferences screen (core.choices.Role values).
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    "coordinator": (Kind.DEADLINE_MISSED, Kind.ENVELOPE_USED, Kind.CAISSE_MONTH),
    "grocery_volunteer": (
        Kind.CYCLE_OPENED,
        Kind.CLOSING_SOON,
        Kind.STANDING_REFUSED,
        Kind.QUANTITIES_CONFIRMED,
        Kind.ROUNDS_PLANNED,
    ),
    "producer": (
        Kind.CYCLE_OPENED,
        Kind.PURCHASE_LIST,
        Kind.CONFIRM_REMINDER,
        Kind.ROUNDS_PLANNED,
        Kind.STATEMENT_READY,
    ),
    "ccas_staff": (
        Kind.STATEMENT_READY,
        Kind.DECISION_ENDING,
        Kind.ENVELOPE_USED,
        Kind.CAISSE_MONTH,
    ),
    "official": (),
}

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # dates set, producers publish offers
    OPEN = "open", _("Open")  # groceries and households order
    CLOSED = "closed", _("Closed")  # orders and prices frozen, consolidation runs
    CONFIRMED = "confirmed", _("Confirmed")  # producers confirmed or the deadline passed
    DISPATCHED = "dispatched", _("Dispatched")  # rounds planned, sheets printed
    DELIVERED = "delivered", _("Delivered")  # groceries recorded what they received
    SETTLED = "settled", _("Settled")  # ledger posted, read-only


# The one transition table: states move one way only (DESIGN.md §2).
CYCLE_TRANSITIONS: dict[str, str] = {
    CycleStatus.DRAFT: CycleStatus.OPEN,
    CycleStatus.OPEN: CycleStatus.CLOSED,
    CycleStatus.CLOSED: CycleStatus.CONFIRMED,
    CycleStatus.CONFIRMED: CycleStatus.DISPATCHED,
    CycleStatus.DISPATCHED: CycleStatus.DELIVERED,
    CycleStatus.DELIVERED: CycleStatus.SETTLED,
}


class AllocationRule(models.TextChoices):
    PROPORTIONAL = "proportional", _("Proportional")  # largest remainder, households first
    FIRST_COME = "first_come", _("First come")  # earliest submitted orders first


class PurchaseListStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # sent to the producer, awaiting its confirmation
    CONFIRMED = "confirmed", _("Confirmed")  # the producer supplies everything allocated
    PARTIAL = "partial", _("Partly confirmed")  # the producer supplies less on some lines
    MISSED = "missed", _("No confirmation")  # the deadline passed: counted as zero

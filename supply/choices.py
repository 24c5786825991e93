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
    # A draft the coordinator called off (a schedule's week not needed): kept, so that the
    # schedule does not make it again.
    CANCELLED = "cancelled", _("Cancelled")


# The one transition table: states move one way only (DESIGN.md §2).
CYCLE_TRANSITIONS: dict[str, str] = {
    CycleStatus.DRAFT: CycleStatus.OPEN,
    CycleStatus.OPEN: CycleStatus.CLOSED,
    CycleStatus.CLOSED: CycleStatus.CONFIRMED,
    CycleStatus.CONFIRMED: CycleStatus.DISPATCHED,
    CycleStatus.DISPATCHED: CycleStatus.DELIVERED,
    CycleStatus.DELIVERED: CycleStatus.SETTLED,
}


# Off that line: only a draft may be called off (a schedule's week not needed), for good.
CANCELLABLE = frozenset({CycleStatus.DRAFT})


def transition_allowed(status: str, to_status: str) -> bool:
    if to_status == CycleStatus.CANCELLED:
        return status in CANCELLABLE
    return CYCLE_TRANSITIONS.get(status) == to_status


# What each state allows: the one place every app asks (DESIGN.md §2). A state may be in a
# set so that a re-run of the step it names answers without changing anything.
TAKES_OFFERS = frozenset({CycleStatus.DRAFT, CycleStatus.OPEN})
# Once open, groceries order at the offer's price: it no longer moves.
OFFER_PRICES_EDITABLE = frozenset({CycleStatus.DRAFT})
TAKES_ORDERS = frozenset({CycleStatus.OPEN})
# Producers answer their purchase lists between close and confirmation.
TAKES_CONFIRMATIONS = frozenset({CycleStatus.CLOSED})
# Groceries record what they received from confirmation until settlement.
TAKES_RECEPTIONS = frozenset({CycleStatus.CONFIRMED, CycleStatus.DISPATCHED, CycleStatus.DELIVERED})
# Marked delivered once dispatched; marking a delivered cycle again changes nothing.
DELIVERABLE = frozenset({CycleStatus.DISPATCHED, CycleStatus.DELIVERED})
# Rounds are planned (and planned again) once the quantities are known, until delivery.
PLANNABLE = frozenset({CycleStatus.CONFIRMED, CycleStatus.DISPATCHED})
# Settled once delivered; settling a settled cycle again posts nothing.
SETTLEABLE = frozenset({CycleStatus.DELIVERED, CycleStatus.SETTLED})
# Dashboards count from confirmation on: quantities are known (confirmed, then received).
COUNTED_IN_DASHBOARDS = frozenset(
    {CycleStatus.CONFIRMED, CycleStatus.DISPATCHED, CycleStatus.DELIVERED, CycleStatus.SETTLED}
)
# Past the last step: the cycle is read-only.
FINISHED = frozenset({CycleStatus.SETTLED})

# The step the coordinator can take next, by state (the button of the cycle's panel).
NEXT_STEP: dict[str, str] = {
    CycleStatus.DRAFT: "open",
    CycleStatus.OPEN: "close",
    CycleStatus.CLOSED: "confirm",
    CycleStatus.CONFIRMED: "plan",
    CycleStatus.DISPATCHED: "deliver",
    CycleStatus.DELIVERED: "settle",
}


# The states in the order they are reached; a cancelled cycle is off this line.
STATUS_ORDER = [status for status in CycleStatus.values if status != CycleStatus.CANCELLED]


def status_reached(status: str, step: str) -> bool:
    """Whether a cycle in `status` is at `step` or past it (states only move forward). A
    cancelled cycle has reached nothing but its cancellation: every other step refuses it
    as an invalid move."""
    if CycleStatus.CANCELLED in (status, step):
        return status == step
    return STATUS_ORDER.index(status) >= STATUS_ORDER.index(step)


class AllocationRule(models.TextChoices):
    PROPORTIONAL = "proportional", _("Proportional")  # largest remainder, households first
    FIRST_COME = "first_come", _("First come")  # earliest submitted orders first


class PurchaseListStatus(models.TextChoices):
    SENT = "sent", _("Sent")  # sent to the producer, awaiting its confirmation
    CONFIRMED = "confirmed", _("Confirmed")  # the producer supplies everything allocated
    PARTIAL = "partial", _("Partly confirmed")  # the producer supplies less on some lines
    DECLINED = "declined", _("Nothing supplied")  # the producer answered it supplies nothing
    MISSED = "missed", _("No confirmation")  # the deadline passed: counted as zero


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # lines being agreed, not yet signed by both sides
    SIGNED = "signed", _("Signed")  # signed by the coordinator and the producer: in force
    ENDED = "ended", _("Ended")  # past its last delivery


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from logistics.models import Hub

from .choices import CYCLE_TRANSITIONS, AllocationRule, CycleStatus
from .models import CycleEvent, OrderCycle

ORDER = list(CycleStatus.values)


def _check_dates(*, opens_at, closes_at, confirm_by, delivery_date) -> None:
    if opens_at >= closes_at:
        message = _("The cycle must open before it closes.")
        raise InvalidInput(message, fields={"closes_at": [message]})
    if confirm_by < closes_at:
        message = _("Producers confirm after the cycle closes.")
        raise InvalidInput(message, fields={"confirm_by": [message]})
    if delivery_date < confirm_by.date():
        message = _("Delivery comes after the producers' confirmation deadline.")
        raise InvalidInput(message, fields={"delivery_date": [message]})


@transaction.atomic
def cycle_create(
    *,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    confirm_by: datetime,
    delivery_date: date,
    hub: Hub,
    allocation_rule: str = AllocationRule.PROPORTIONAL,
) -> OrderCycle:
    _check_dates(
        opens_at=opens_at, closes_at=closes_at, confirm_by=confirm_by, delivery_date=delivery_date
    )
    return OrderCycle.objects.create(
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        confirm_by=confirm_by,
        delivery_date=delivery_date,
        hub=hub,
        allocation_rule=allocation_rule,
    )


# While open, only the name and the end of ordering may move (orders already placed keep
# their delivery date, which decides caps and envelopes).
EDITABLE_WHILE_OPEN = {"name", "closes_at", "confirm_by"}


@transaction.atomic
def cycle_update(*, cycle: OrderCycle, now: datetime, **fields) -> OrderCycle:
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == CycleStatus.OPEN:
        frozen = set(fields) - EDITABLE_WHILE_OPEN
        if frozen:
            raise StateConflict(
                _("While the cycle is open, only its name, closing and confirmation dates change."),
                code="cycle_not_editable",
            )
        if "closes_at" in fields and fields["closes_at"] <= now:
            message = _("The new closing time is already past.")
            raise InvalidInput(message, fields={"closes_at": [message]})
    elif cycle.status != CycleStatus.DRAFT:
        raise StateConflict(_("This cycle can no longer be changed."), code="cycle_not_editable")
    for name, value in fields.items():
        setattr(cycle, name, value)
    _check_dates(
        opens_at=cycle.opens_at,
        closes_at=cycle.closes_at,
        confirm_by=cycle.confirm_by,
        delivery_date=cycle.delivery_date,
    )
    cycle.save()
    return cycle


def cycle_transition(*, cycle_id: int, to_status: str, actor, now: datetime) -> bool:
    """Move a cycle one step forward, with an event row. Must run inside a transaction.

    Answers False, changing nothing, when the cycle is already at or past `to_status`
    (a re-run after a crash, or the scheduler and a coordinator acting at the same time).
    """
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle_id)
    if ORDER.index(cycle.status) >= ORDER.index(to_status):
        return False
    if CYCLE_TRANSITIONS.get(cycle.status) != to_status:
        raise StateConflict(
            _("A cycle in state %(from)s cannot move to %(to)s.")
            % {"from": cycle.get_status_display(), "to": CycleStatus(to_status).label},
            code="invalid_transition",
        )
    CycleEvent.objects.create(
        cycle=cycle,
        from_status=cycle.status,
        to_status=to_status,
        actor=actor,
        occurred_at=now,
    )
    OrderCycle.objects.filter(pk=cycle_id).update(status=to_status)
    return True


@transaction.atomic
def cycle_open(*, cycle_id: int, actor, now: datetime) -> OrderCycle:
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle_id)
    if cycle.status == CycleStatus.DRAFT and cycle.closes_at <= now:
        raise StateConflict(
            _("This cycle's closing time is past; change its dates before opening it."),
            code="cycle_closing_past",
        )
    if cycle.status != CycleStatus.DRAFT and cycle.status != CycleStatus.OPEN:
        raise StateConflict(_("This cycle is already closed."), code="invalid_transition")
    cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.OPEN, actor=actor, now=now)
    return OrderCycle.objects.get(pk=cycle_id)


def cycle_check_closable(*, cycle: OrderCycle) -> None:
    """Refuse at once what the close task would refuse, so the caller gets a 409, not a task."""
    if cycle.status == CycleStatus.DRAFT:
        raise StateConflict(_("A cycle that never opened cannot close."), code="cycle_not_open")


@transaction.atomic
def cycle_close(*, cycle_id: int, actor, now: datetime, progress=None) -> dict:
    """Freeze orders and prices. Consolidation and allocation follow in the same task."""
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle_id)
    cycle_check_closable(cycle=cycle)
    moved = cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.CLOSED, actor=actor, now=now)
    return {"cycle": cycle_id, "status": CycleStatus.CLOSED, "moved": moved}


def cycles_advance_due(*, now: datetime) -> dict:
    """The scheduler's pass: open the cycles whose time has come, close those that are due.

    Each cycle moves in its own transaction; a cycle already moved is left alone.
    """
    opened, closed = [], []
    due_to_open = OrderCycle.objects.filter(
        status=CycleStatus.DRAFT, opens_at__lte=now, closes_at__gt=now
    ).values_list("id", flat=True)
    for cycle_id in list(due_to_open):
        with transaction.atomic():
            if cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.OPEN, actor=None, now=now):
                opened.append(cycle_id)
    due_to_close = OrderCycle.objects.filter(
        status=CycleStatus.OPEN, closes_at__lte=now
    ).values_list("id", flat=True)
    for cycle_id in list(due_to_close):
        if cycle_close(cycle_id=cycle_id, actor=None, now=now)["moved"]:
            closed.append(cycle_id)
    return {"opened": opened, "closed": closed}

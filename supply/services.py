from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.formats import format_datetime, format_quantity
from core.models import User
from core.services import model_update
from logistics.models import Hub
from orders import locks
from orders.choices import OrderStatus
from orders.models import Order
from orders.services import cycle_orders_advance
from orders.standing import standing_orders_place

from . import consolidation, contracts, notifications
from .choices import (
    DELIVERABLE,
    TAKES_CONFIRMATIONS,
    AllocationRule,
    CycleStatus,
    PurchaseListStatus,
    status_reached,
    transition_allowed,
)
from .models import CycleEvent, OrderCycle, PurchaseList, PurchaseListLine


def check_dates(
    *, opens_at: datetime, closes_at: datetime, confirm_by: datetime, delivery_date: date
) -> None:
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
    check_dates(
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
def cycle_update(*, cycle: OrderCycle, now: datetime, **fields: Any) -> OrderCycle:
    cycle = locks.cycle_lock(cycle.pk)
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
    return model_update(
        cycle,
        fields,
        check=lambda cycle: check_dates(
            opens_at=cycle.opens_at,
            closes_at=cycle.closes_at,
            confirm_by=cycle.confirm_by,
            delivery_date=cycle.delivery_date,
        ),
    )


def cycle_transition(*, cycle_id: int, to_status: str, user: User | None, now: datetime) -> bool:
    """Move a cycle one step forward, with an event row. Must run inside a transaction.

    Answers False, changing nothing, when the cycle is already at or past `to_status`
    (a re-run after a crash, or the scheduler and a coordinator acting at the same time).
    """
    cycle = locks.cycle_lock(cycle_id)
    if status_reached(cycle.status, to_status):
        return False
    if not transition_allowed(cycle.status, to_status):
        raise StateConflict(
            _("A cycle in state %(from)s cannot move to %(to)s.")
            % {"from": cycle.get_status_display(), "to": CycleStatus(to_status).label},
            code="invalid_transition",
        )
    CycleEvent.objects.create(
        cycle=cycle,
        from_status=cycle.status,
        to_status=to_status,
        user=user,
        occurred_at=now,
    )
    OrderCycle.objects.filter(pk=cycle_id).update(status=to_status)
    return True


@transaction.atomic
def cycle_open(*, cycle_id: int, user: User | None, now: datetime) -> OrderCycle:
    cycle = locks.cycle_lock(cycle_id)
    if cycle.status == CycleStatus.DRAFT and cycle.closes_at <= now:
        raise StateConflict(
            _("This cycle's closing time is past; change its dates before opening it."),
            code="cycle_closing_past",
        )
    if status_reached(cycle.status, CycleStatus.CLOSED):
        raise StateConflict(_("This cycle is already closed."), code="invalid_transition")
    if cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.OPEN, user=user, now=now):
        _at_opening(cycle_id=cycle_id, now=now)
    return OrderCycle.objects.get(pk=cycle_id)


def _at_opening(*, cycle_id: int, now: datetime) -> None:
    """What a cycle gets as it opens (DESIGN.md §10): its season contracts' orders, then the
    standing orders, each placed whole or reported to its grocery; then everyone who orders
    or offers is told (§11)."""
    cycle = OrderCycle.objects.get(pk=cycle_id)
    contracts.contract_orders_place(cycle=cycle, now=now)
    standing_orders_place(cycle=cycle, now=now)
    notifications.cycle_opened(cycle=cycle)


def cycle_check_closable(*, cycle: OrderCycle) -> None:
    """Refuse at once what the close task would refuse, so the caller gets a 409, not a task."""
    if cycle.status == CycleStatus.DRAFT:
        raise StateConflict(_("A cycle that never opened cannot close."), code="cycle_not_open")


@transaction.atomic
def cycle_close(
    *,
    cycle_id: int,
    user: User | None,
    now: datetime,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """Freeze orders and prices, allocate shortages, build one purchase list per producer.

    One transaction: a crash leaves the cycle open with nothing written, and a re-run on a
    cycle already closed builds the same lists again without duplicates.
    """
    progress = progress or (lambda percent: None)
    cycle = locks.cycle_lock(cycle_id)
    cycle_check_closable(cycle=cycle)
    if status_reached(cycle.status, CycleStatus.CONFIRMED):
        return {"cycle": cycle_id, "status": cycle.status, "moved": False}
    moved = cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.CLOSED, user=user, now=now)
    cycle.refresh_from_db()
    cycle_orders_advance(cycle_id=cycle_id, to_status=OrderStatus.ALLOCATED)
    progress(5)
    figures = consolidation.cycle_allocate(cycle=cycle, progress=progress)
    lists = consolidation.purchase_lists_build(cycle=cycle, now=now)
    progress(95)
    notifications.purchase_lists_sent(cycle=cycle)
    return {
        "cycle": cycle_id,
        "status": CycleStatus.CLOSED,
        "moved": moved,
        "purchase_lists": lists,
        **figures,
    }


def _check_confirmation_open(purchase_list: PurchaseList, now: datetime) -> None:
    if purchase_list.cycle.status not in TAKES_CONFIRMATIONS:
        raise StateConflict(
            _("Purchase lists are confirmed while the cycle is closed, before delivery."),
            code="cycle_not_closed",
        )
    if now > purchase_list.cycle.confirm_by:
        raise StateConflict(
            _("The confirmation deadline (%(deadline)s) has passed.")
            % {"deadline": format_datetime(purchase_list.cycle.confirm_by)},
            code="confirmation_closed",
        )


@transaction.atomic
def purchase_list_confirm(
    *,
    purchase_list: PurchaseList,
    confirmed: dict[int, Decimal],
    now: datetime,
    user: User | None = None,
    on_behalf: bool = False,
) -> PurchaseList:
    """The producer says what it will supply (or the coordinator types what it said by phone,
    `on_behalf`, recorded as such). Lines it does not name are confirmed in full.

    A quantity below the allocation is shared again among the orders (DESIGN.md §4.3);
    order totals and envelope commitments follow. The producer may answer again until the
    deadline: each answer starts again from the quantities originally asked.
    """
    locks.cycle_lock(purchase_list.cycle_id)
    purchase_list = locks.purchase_list_lock(purchase_list.pk)
    _check_confirmation_open(purchase_list, now)
    lines = {line.offer_id: line for line in purchase_list.lines.select_related("offer__product")}
    errors = {}
    for index, (offer_id, quantity) in enumerate(confirmed.items()):
        line = lines.get(offer_id)
        if line is None:
            errors[f"lines.{index}.offer"] = [_("This offer is not on this purchase list.")]
        elif quantity < 0 or quantity > line.allocated_quantity:
            errors[f"lines.{index}.confirmed_quantity"] = [
                _("Between 0 and the allocated quantity (%(allocated)s).")
                % {"allocated": format_quantity(line.allocated_quantity)}
            ]
        elif quantity % line.offer.product.pack_size != 0:
            errors[f"lines.{index}.confirmed_quantity"] = [
                _("A multiple of %(pack)s.")
                % {"pack": format_quantity(line.offer.product.pack_size)}
            ]
    if errors:
        raise InvalidInput(_("Some confirmed quantities are not valid."), fields=errors)
    answers = {
        offer_id: confirmed.get(offer_id, line.allocated_quantity)
        for offer_id, line in lines.items()
    }
    for offer_id, line in lines.items():
        line.confirmed_quantity = answers[offer_id]
    PurchaseListLine.objects.bulk_update(lines.values(), ["confirmed_quantity"])
    consolidation.confirmed_reallocate(cycle=purchase_list.cycle, confirmations=answers)
    complete = all(line.confirmed_quantity == line.allocated_quantity for line in lines.values())
    if complete:
        purchase_list.status = PurchaseListStatus.CONFIRMED
    elif any(line.confirmed_quantity for line in lines.values()):
        purchase_list.status = PurchaseListStatus.PARTIAL
    else:  # not "partly confirmed": nothing at all
        purchase_list.status = PurchaseListStatus.DECLINED
    purchase_list.confirmed_at = now
    purchase_list.answered_by = user
    purchase_list.on_behalf = on_behalf
    purchase_list.save(update_fields=["status", "confirmed_at", "answered_by", "on_behalf"])
    return purchase_list


def cycle_check_confirmable(
    *, cycle: OrderCycle, now: datetime, missing_as_zero: bool = False
) -> None:
    """Before the deadline, a cycle is confirmed once every producer answered, or when the
    coordinator says so (`missing_as_zero`): the lists without an answer count as zero."""
    if not status_reached(cycle.status, CycleStatus.CLOSED):
        raise StateConflict(_("Close the cycle before confirming it."), code="cycle_not_closed")
    waiting = cycle.purchase_lists.filter(status=PurchaseListStatus.SENT).count()
    early = cycle.status == CycleStatus.CLOSED and now <= cycle.confirm_by
    if early and waiting and not missing_as_zero:
        raise StateConflict(
            _("%(count)d producers have not answered yet; wait for them or for the deadline.")
            % {"count": waiting},
            code="confirmations_pending",
        )


@transaction.atomic
def cycle_confirm(
    *,
    cycle_id: int,
    user: User | None,
    now: datetime,
    progress: Callable[[float], None] | None = None,
    missing_as_zero: bool = False,
) -> dict:
    """Every producer answered, the deadline passed, or the coordinator confirms without the
    missing answers (`missing_as_zero`): silence counts as zero."""
    progress = progress or (lambda percent: None)
    cycle = locks.cycle_lock(cycle_id)
    cycle_check_confirmable(cycle=cycle, now=now, missing_as_zero=missing_as_zero)
    if cycle.status != CycleStatus.CLOSED:
        return {"cycle": cycle_id, "status": cycle.status, "moved": False}
    silent = list(
        cycle.purchase_lists.filter(status=PurchaseListStatus.SENT).select_related("producer")
    )
    if silent:
        offers = list(
            PurchaseListLine.objects.filter(purchase_list__in=silent).values_list(
                "offer_id", flat=True
            )
        )
        PurchaseListLine.objects.filter(purchase_list__in=silent).update(confirmed_quantity=0)
        consolidation.confirmed_reallocate(
            cycle=cycle, confirmations=dict.fromkeys(offers, Decimal("0"))
        )
        PurchaseList.objects.filter(id__in=[item.id for item in silent]).update(
            status=PurchaseListStatus.MISSED
        )
        if not missing_as_zero:  # the coordinator who confirmed without them knows
            notifications.deadline_missed(cycle=cycle, missed=silent)
    contracts.contract_shortfalls_record(cycle=cycle, now=now)
    progress(80)
    cycle_orders_advance(cycle_id=cycle_id, to_status=OrderStatus.CONFIRMED)
    cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.CONFIRMED, user=user, now=now)
    notifications.quantities_confirmed(cycle=cycle)
    return {
        "cycle": cycle_id,
        "status": CycleStatus.CONFIRMED,
        "moved": True,
        "missed_lists": len(silent),
    }


@transaction.atomic
def cycle_dispatch(*, cycle_id: int, user: User | None, now: datetime) -> OrderCycle:
    """Rounds planned and sheets printed: the vans leave (DESIGN.md §2, step 5)."""
    cycle = locks.cycle_lock(cycle_id)
    if cycle.status == CycleStatus.CONFIRMED:
        has_goods = Order.objects.live().filter(cycle=cycle, total_ttc__gt=0).exists()
        if has_goods and not cycle.rounds.exists():
            raise StateConflict(
                _("Plan the collection and delivery rounds before dispatching."),
                code="rounds_not_planned",
            )
    elif cycle.status != CycleStatus.DISPATCHED:
        raise StateConflict(_("Only a confirmed cycle is dispatched."), code="cycle_not_confirmed")
    cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.DISPATCHED, user=user, now=now)
    return OrderCycle.objects.get(pk=cycle_id)


@transaction.atomic
def cycle_deliver(*, cycle_id: int, user: User | None, now: datetime) -> OrderCycle:
    """The goods reached the groceries; receptions may still be recorded until settlement."""
    cycle = locks.cycle_lock(cycle_id)
    if cycle.status not in DELIVERABLE:
        raise StateConflict(_("Only a dispatched cycle is delivered."), code="cycle_not_dispatched")
    if cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.DELIVERED, user=user, now=now):
        cycle_orders_advance(cycle_id=cycle_id, to_status=OrderStatus.DELIVERED)
    return OrderCycle.objects.get(pk=cycle_id)


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
            if cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.OPEN, user=None, now=now):
                _at_opening(cycle_id=cycle_id, now=now)
                opened.append(cycle_id)
    due_to_close = OrderCycle.objects.filter(
        status=CycleStatus.OPEN, closes_at__lte=now
    ).values_list("id", flat=True)
    for cycle_id in list(due_to_close):
        if cycle_close(cycle_id=cycle_id, user=None, now=now)["moved"]:
            closed.append(cycle_id)
    confirmed = []
    past_deadline = OrderCycle.objects.filter(
        status=CycleStatus.CLOSED, confirm_by__lt=now
    ).values_list("id", flat=True)
    for cycle_id in list(past_deadline):
        if cycle_confirm(cycle_id=cycle_id, user=None, now=now)["moved"]:
            confirmed.append(cycle_id)
    return {"opened": opened, "closed": closed, "confirmed": confirmed}

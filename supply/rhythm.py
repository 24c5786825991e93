"""The weekly rhythm (DESIGN.md §10): schedules that make the coming cycles, copies of a
cycle, and the standing offers each new cycle gets again.

A schedule makes at most one cycle per delivery date (a database constraint): generating
twice, or two beat runs at once, make each week's cycle once.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

import holidays
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.formats import format_date
from core.models import User
from core.services import model_update
from logistics.models import Hub
from orders import locks
from orders.choices import OrderStatus
from producers.models import Offer, Product

from . import contracts
from .choices import CANCELLABLE, CycleStatus
from .models import CycleSchedule, OrderCycle
from .services import check_dates, cycle_transition

WEEKDAYS = 7


def _moment(days_before: int, at: time) -> tuple[int, time]:
    """A schedule's instant relative to delivery, in an order that compares."""
    return (-days_before, at)


def _excluded(raw: Any) -> list[str]:
    if not isinstance(raw, list) or len(raw) > 200:
        message = _("A list of at most 200 dates (YYYY-MM-DD).")
        raise InvalidInput(message, fields={"excluded_dates": [message]})
    days = []
    for value in raw:
        try:
            days.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError as error:
            message = _("« %(value)s » is not a date (YYYY-MM-DD).") % {"value": value}
            raise InvalidInput(message, fields={"excluded_dates": [message]}) from error
    return sorted({day.isoformat() for day in days})


def _check_schedule(schedule: CycleSchedule) -> None:
    opens = _moment(schedule.opens_days_before, schedule.opens_at_time)
    closes = _moment(schedule.closes_days_before, schedule.closes_at_time)
    confirms = _moment(schedule.confirm_days_before, schedule.confirm_at_time)
    if not opens < closes:
        message = _("Ordering must open before it closes.")
        raise InvalidInput(message, fields={"closes_days_before": [message]})
    if not closes <= confirms:
        message = _("Producers confirm after ordering closes.")
        raise InvalidInput(message, fields={"confirm_days_before": [message]})
    if not 0 <= schedule.delivery_weekday < WEEKDAYS:
        message = _("A weekday from 0 (Monday) to 6 (Sunday).")
        raise InvalidInput(message, fields={"delivery_weekday": [message]})
    if not 1 <= schedule.weeks_ahead <= 26:
        message = _("Between 1 and 26 weeks.")
        raise InvalidInput(message, fields={"weeks_ahead": [message]})
    schedule.excluded_dates = _excluded(schedule.excluded_dates)
    if schedule.is_active:
        overlapping = CycleSchedule.objects.filter(
            hub=schedule.hub, delivery_weekday=schedule.delivery_weekday, is_active=True
        ).exclude(pk=schedule.pk)
        other = overlapping.first()
        if other is not None:
            message = _(
                "The schedule « %(name)s » already delivers from this hub on this weekday."
            ) % {"name": other.name}
            raise InvalidInput(message, fields={"delivery_weekday": [message]})


@transaction.atomic
def schedule_create(*, hub: Hub, **fields: Any) -> CycleSchedule:
    schedule = CycleSchedule(hub=hub, **fields)
    _check_schedule(schedule)
    try:
        with transaction.atomic():
            schedule.save()
    except IntegrityError as error:  # the same weekday made active by someone else meanwhile
        message = _("Another schedule already delivers from this hub on this weekday.")
        raise InvalidInput(message, fields={"delivery_weekday": [message]}) from error
    return schedule


@transaction.atomic
def schedule_update(*, schedule: CycleSchedule, **fields: Any) -> CycleSchedule:
    """Change a schedule; the cycles it already made keep their dates (edit them one by one)."""
    schedule = CycleSchedule.objects.select_for_update().get(pk=schedule.pk)
    return model_update(schedule, fields, check=_check_schedule, also=["excluded_dates"])


def schedule_delete(*, schedule: CycleSchedule) -> None:
    """A schedule that made cycles is kept (they name it): it is turned off instead."""
    if schedule.cycles.exists():
        schedule.is_active = False
        schedule.save(update_fields=["is_active"])
    else:
        schedule.delete()


def schedule_instants(schedule: CycleSchedule, delivery: date) -> dict[str, datetime]:
    """A delivery date's opening, closing and confirmation instants, in the operating zone."""

    def at(days_before: int, moment: time) -> datetime:
        return timezone.make_aware(datetime.combine(delivery - timedelta(days=days_before), moment))

    return {
        "opens_at": at(schedule.opens_days_before, schedule.opens_at_time),
        "closes_at": at(schedule.closes_days_before, schedule.closes_at_time),
        "confirm_by": at(schedule.confirm_days_before, schedule.confirm_at_time),
    }


def schedule_dates(schedule: CycleSchedule, today: date) -> list[date]:
    """The delivery weekdays of the next `weeks_ahead` weeks, from today on."""
    first = today + timedelta(days=(schedule.delivery_weekday - today.weekday()) % WEEKDAYS)
    return [first + timedelta(weeks=week) for week in range(schedule.weeks_ahead)]


def _skip_reason(schedule: CycleSchedule, day: date, now: datetime) -> str | None:
    holiday = holidays.France(years=day.year, language="fr").get(day)
    if holiday:
        return _("Public holiday: %(name)s") % {"name": holiday}
    if day.isoformat() in schedule.excluded_dates:
        return _("Excluded by the coordinator")
    if schedule_instants(schedule, day)["closes_at"] <= now:
        return _("Ordering would already be closed")
    return None


def schedule_generate(*, schedule: CycleSchedule, now: datetime) -> dict:
    """Make the schedule's missing cycles up to `weeks_ahead`, as drafts with the standing
    offers and the season contracts' offers. Answers the cycles made and the dates left out
    with their reason; a date that already has its cycle (made earlier, by a concurrent run,
    or cancelled since) is passed over."""
    today = timezone.localdate(now)
    existing = set(schedule.cycles.values_list("delivery_date", flat=True))
    created, skipped = [], []
    for day in schedule_dates(schedule, today):
        if day in existing:
            continue
        reason = _skip_reason(schedule, day, now)
        if reason:
            skipped.append({"date": day, "reason": reason})
            continue
        cycle = _generate_one(schedule, day)
        if cycle is not None:
            created.append(cycle.id)
    return {"created": created, "skipped": skipped}


@transaction.atomic
def _generate_one(schedule: CycleSchedule, day: date) -> OrderCycle | None:
    instants = schedule_instants(schedule, day)
    check_dates(delivery_date=day, **instants)
    try:
        with transaction.atomic():
            cycle = OrderCycle.objects.create(
                name=f"{schedule.name} — {format_date(day)}",
                delivery_date=day,
                hub=schedule.hub,
                schedule=schedule,
                **instants,
            )
    except IntegrityError:
        return None  # a concurrent run made it first
    standing_offers_copy(cycle=cycle)
    contracts.contract_offers_ensure(cycle=cycle)
    return cycle


def schedules_generate_due(*, now: datetime) -> dict:
    """Beat's daily pass over every active schedule."""
    created: list[int] = []
    for schedule in CycleSchedule.objects.filter(is_active=True).order_by("id"):
        created.extend(schedule_generate(schedule=schedule, now=now)["created"])
    return {"created": created}


def schedule_coming(*, schedule: CycleSchedule, now: datetime) -> list[dict]:
    """The coming weeks of a schedule as the coordinator reads them: each date, its cycle
    (with its offers and orders counted) or why it has none."""
    today = timezone.localdate(now)
    cycles = {
        cycle.delivery_date: cycle
        for cycle in OrderCycle.objects.filter(
            schedule=schedule, delivery_date__gte=today
        ).annotate(
            offer_count=Count("offers", distinct=True),
            order_count=Count(
                "orders", filter=~Q(orders__status=OrderStatus.CANCELLED), distinct=True
            ),
        )
    }
    weeks = []
    for day in sorted(set(schedule_dates(schedule, today)) | set(cycles)):
        cycle = cycles.get(day)
        weeks.append(
            {
                "date": day,
                "cycle": cycle,
                "offers": cycle.offer_count if cycle else 0,
                "orders": cycle.order_count if cycle else 0,
                "reason": None if cycle else _skip_reason(schedule, day, now),
            }
        )
    return weeks


# --- Copies and standing offers -----------------------------------------------------------


@transaction.atomic
def cycle_copy(
    *,
    cycle: OrderCycle,
    delivery_date: date,
    opens_at: datetime,
    closes_at: datetime,
    confirm_by: datetime,
    name: str = "",
) -> OrderCycle:
    """A new draft cycle with the same offers (quantity and price) on another date; offers of
    products no longer active are left out."""
    check_dates(
        opens_at=opens_at, closes_at=closes_at, confirm_by=confirm_by, delivery_date=delivery_date
    )
    copy = OrderCycle.objects.create(
        name=name or _("Delivery on %(date)s") % {"date": format_date(delivery_date)},
        opens_at=opens_at,
        closes_at=closes_at,
        confirm_by=confirm_by,
        delivery_date=delivery_date,
        hub=cycle.hub,
        allocation_rule=cycle.allocation_rule,
    )
    Offer.objects.bulk_create(
        Offer(
            cycle=copy,
            product_id=offer.product_id,
            quantity_available=offer.quantity_available,
            unit_price_ht=offer.unit_price_ht,
            is_standing=offer.is_standing,
        )
        for offer in cycle.offers.filter(product__is_active=True)
    )
    contracts.contract_offers_ensure(cycle=copy)
    return copy


def standing_offers_copy(*, cycle: OrderCycle) -> int:
    """Give a new cycle each product's standing offer: a product whose latest offer before
    this delivery is standing gets the same quantity again, at the product's current price."""
    latest = (
        Offer.objects.filter(product=OuterRef("pk"), cycle__delivery_date__lt=cycle.delivery_date)
        .exclude(cycle__status=CycleStatus.CANCELLED)
        .order_by("-cycle__delivery_date", "-id")
    )
    products = (
        Product.objects.filter(is_active=True)
        .exclude(offers__cycle=cycle)
        .annotate(latest_offer=Subquery(latest.values("id")[:1]))
        .filter(latest_offer__isnull=False)
    )
    wanted = {product.latest_offer: product for product in products}
    standing = Offer.objects.filter(id__in=list(wanted), is_standing=True)
    offers = [
        Offer(
            cycle=cycle,
            product=wanted[offer.id],
            quantity_available=offer.quantity_available,
            unit_price_ht=wanted[offer.id].unit_price_ht,
            is_standing=True,
        )
        for offer in standing
    ]
    Offer.objects.bulk_create(offers)
    return len(offers)


def standing_offers_spread(*, offers: list[Offer]) -> int:
    """A producer just marked these offers standing: the drafts its schedules already made
    after them get the offer too (same quantity, the product's price), where the product is
    not offered yet. Later changes stay the producer's, cycle by cycle."""
    standing = [offer for offer in offers if offer.is_standing]
    if not standing:
        return 0
    drafts = list(
        OrderCycle.objects.filter(
            status=CycleStatus.DRAFT,
            schedule__isnull=False,
            delivery_date__gt=min(offer.cycle.delivery_date for offer in standing),
        )
    )
    offered = set(
        Offer.objects.filter(
            cycle__in=drafts, product_id__in=[offer.product_id for offer in standing]
        ).values_list("cycle_id", "product_id")
    )
    spread = Offer.objects.bulk_create(
        Offer(
            cycle=cycle,
            product_id=offer.product_id,
            quantity_available=offer.quantity_available,
            unit_price_ht=offer.product.unit_price_ht,
            is_standing=True,
        )
        for offer in standing
        for cycle in drafts
        if cycle.delivery_date > offer.cycle.delivery_date
        and (cycle.id, offer.product_id) not in offered
    )
    return len(spread)


@transaction.atomic
def cycle_cancel(*, cycle_id: int, user: User | None, now: datetime) -> OrderCycle:
    """Call off a draft (a week not needed): kept as cancelled, so its schedule does not
    make it again; its offers stay on record."""
    cycle = locks.cycle_lock(cycle_id)
    if cycle.status not in CANCELLABLE | {CycleStatus.CANCELLED}:  # cancelling twice: as is
        raise StateConflict(
            _("Only a draft cycle is cancelled; this one is %(status)s.")
            % {"status": cycle.get_status_display().lower()},
            code="cycle_not_draft",
        )
    cycle_transition(cycle_id=cycle_id, to_status=CycleStatus.CANCELLED, user=user, now=now)
    return OrderCycle.objects.get(pk=cycle_id)

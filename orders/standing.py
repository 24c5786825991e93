"""Orders that repeat (DESIGN.md §10): the same order as last time, and standing orders
placed by themselves when a cycle opens.

Both go through `services.order_submit` / `order_replace_lines`, so caps, envelopes, pack
sizes and shortage warnings hold as for an order typed by a volunteer. A standing order is
placed whole or not at all: what stops it is written on its run, for its grocery to read.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError, InvalidInput, StateConflict
from core.models import User
from producers.models import Offer, Product, ordered_quantity_refusal
from supply.choices import TAKES_ORDERS
from supply.models import OrderCycle

from . import notifications, services
from .models import Grocery, Household, Order, StandingOrder, StandingOrderLine, StandingOrderRun


@dataclass(frozen=True)
class ProductLine:
    product: Product
    quantity: Decimal


def _check_lines(lines: list[ProductLine]) -> None:
    errors: dict[str, list[str]] = {}
    if not lines:
        errors["lines"] = [_("An order has at least one line.")]
    if len({line.product.pk for line in lines}) != len(lines):
        errors["lines"] = [_("Each product appears on one line only.")]
    for index, line in enumerate(lines):
        refusal = ordered_quantity_refusal(line.product, line.quantity)
        if not line.product.is_active:
            errors[f"lines.{index}.product"] = [_("This product is no longer offered.")]
        elif refusal:
            errors[f"lines.{index}.quantity"] = [refusal]
    if errors:
        raise InvalidInput(_("Some lines of the standing order are not valid."), fields=errors)


@transaction.atomic
def standing_order_create(
    *,
    user: User,
    grocery: Grocery,
    lines: list[ProductLine],
    now: datetime,
    household: Household | None = None,
    is_active: bool = True,
) -> StandingOrder:
    _check_lines(lines)
    if household is not None and household.pickup_grocery_id != grocery.pk:
        message = _("This household picks up at another grocery.")
        raise InvalidInput(message, fields={"household": [message]})
    try:
        with transaction.atomic():
            standing = StandingOrder.objects.create(
                grocery=grocery,
                household=household,
                is_active=is_active,
                created_by=user,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError as error:
        message = _("There is already an active standing order for it; change that one.")
        raise InvalidInput(
            message, fields={"household" if household else "grocery": [message]}
        ) from error
    _lines_write(standing, lines)
    return standing


def _lines_write(standing: StandingOrder, lines: list[ProductLine]) -> None:
    StandingOrderLine.objects.bulk_create(
        StandingOrderLine(standing_order=standing, product=line.product, quantity=line.quantity)
        for line in lines
    )


@transaction.atomic
def standing_order_update(
    *,
    standing: StandingOrder,
    now: datetime,
    lines: list[ProductLine] | None = None,
    is_active: bool | None = None,
) -> StandingOrder:
    standing = StandingOrder.objects.select_for_update().get(pk=standing.pk)
    if lines is not None:
        _check_lines(lines)
        standing.lines.all().delete()
        _lines_write(standing, lines)
    if is_active is not None:
        standing.is_active = is_active
    standing.updated_at = now
    try:
        with transaction.atomic():
            standing.save(update_fields=["is_active", "updated_at"])
    except IntegrityError as error:
        message = _("There is already an active standing order for it; change that one.")
        raise InvalidInput(message, fields={"is_active": [message]}) from error
    return standing


def _cycle_offers(cycle: OrderCycle) -> dict[int, int]:
    """The cycle's offer id for each product offered."""
    return dict(Offer.objects.filter(cycle=cycle).values_list("product_id", "id"))


def _offer_lines(
    lines: list[tuple[int, str, Decimal]], offers: dict[int, int]
) -> tuple[list[services.RequestedLine], list[str]]:
    """Lines named by product, as lines of the cycle's offers (`offers`: product id → offer
    id); and what is missing."""
    requested, missing = [], []
    for product_id, name, quantity in lines:
        if product_id in offers:
            requested.append(services.RequestedLine(offer_id=offers[product_id], quantity=quantity))
        else:
            missing.append(name)
    return requested, missing


def standing_orders_place(*, cycle: OrderCycle, now: datetime) -> dict[str, int]:
    """Place the active standing orders in a cycle that just opened. Runs inside the
    opening's transaction; each order in its own savepoint, so that one refused (cap,
    envelope, a product not on offer) changes nothing and does not stop the others."""
    done = StandingOrderRun.objects.filter(cycle=cycle).values("standing_order_id")
    standing_orders = (
        StandingOrder.objects.filter(is_active=True)
        .exclude(id__in=done)
        .select_related("created_by", "grocery")
        .prefetch_related("lines__product")
        .order_by("id")
    )
    outcomes = {
        StandingOrderRun.PLACED: 0,
        StandingOrderRun.REFUSED: 0,
        StandingOrderRun.SKIPPED: 0,
    }
    # Read once for the cycle: who already ordered, and what is on offer.
    live = Order.objects.live().filter(cycle=cycle)
    ordered = {
        "households": set(
            live.filter(household__isnull=False).values_list("household_id", flat=True)
        ),
        "groceries": set(
            live.filter(household__isnull=True, contract__isnull=True).values_list(
                "grocery_id", flat=True
            )
        ),
    }
    offers = _cycle_offers(cycle)
    for standing in standing_orders:
        run = _place_one(standing, cycle, now, ordered=ordered, offers=offers)
        outcomes[run.outcome] += 1
        if run.outcome == StandingOrderRun.REFUSED:
            notifications.standing_refused(run=run, cycle=cycle)
    return outcomes


def _place_one(
    standing: StandingOrder,
    cycle: OrderCycle,
    now: datetime,
    *,
    ordered: dict[str, set[int]],
    offers: dict[int, int],
) -> StandingOrderRun:
    run = StandingOrderRun(standing_order=standing, cycle=cycle, ran_at=now)
    already = (
        standing.household_id in ordered["households"]
        if standing.household_id is not None
        else standing.grocery_id in ordered["groceries"]
    )
    if already:
        run.outcome = StandingOrderRun.SKIPPED
        run.message = _("An order was already placed for this cycle; it was left as it is.")
        run.save()
        return run
    lines, missing = _offer_lines(
        [(line.product_id, line.product.name, line.quantity) for line in standing.lines.all()],
        offers,
    )
    if missing:
        run.outcome = StandingOrderRun.REFUSED
        run.message = _("Standing order not placed: not on offer in this cycle: %(products)s.") % {
            "products": ", ".join(missing)
        }
        run.save()
        return run
    owner = (
        {"household_id": standing.household_id}
        if standing.household_id
        else {"grocery": standing.grocery}
    )
    try:
        with transaction.atomic():
            order = services.order_submit(
                user=standing.created_by, cycle_id=cycle.id, lines=lines, now=now, **owner
            )
    except DomainError as error:
        run.outcome = StandingOrderRun.REFUSED
        run.message = _("Standing order not placed: %(reason)s") % {"reason": error.message}
    else:
        run.outcome, run.order = StandingOrderRun.PLACED, order
        run.message = " ".join(warning["message"] for warning in order.shortage_warnings)
    run.save()
    return run


# --- The same order as last time ----------------------------------------------------------


@dataclass
class Repeated:
    order: Order
    warnings: list[dict]


def last_order(
    *, cycle: OrderCycle, grocery: Grocery | None = None, household_id: int | None = None
) -> Order | None:
    """The grocery's (or household's) latest order of an earlier cycle, to repeat."""
    orders = Order.objects.live().filter(
        cycle__delivery_date__lt=cycle.delivery_date, contract__isnull=True
    )
    if household_id is not None:
        orders = orders.filter(household_id=household_id)
    else:
        orders = orders.filter(grocery=grocery, household__isnull=True)
    return orders.order_by("-cycle__delivery_date", "-id").first()


def order_repeat(
    *,
    order: Order,
    cycle_id: int,
    user: User,
    now: datetime,
    households: QuerySet[Household] | None = None,
) -> Repeated:
    """Put the lines of `order` (an earlier cycle's) into the open cycle `cycle_id`, by
    product: into the grocery's or household's order there if it has one (lines already
    in it are kept as they are), else as a new order. A line whose product is not on offer
    there is reported in the warnings, never silently dropped."""
    if order.contract_id is not None:
        raise StateConflict(
            _("A season contract's order repeats by itself with its contract."),
            code="contract_order",
        )
    cycle = OrderCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise InvalidInput(_("Unknown cycle."), fields={"cycle": [_("Unknown cycle.")]})
    if cycle.pk == order.cycle_id:
        message = _("Choose another cycle than the order's own.")
        raise InvalidInput(message, fields={"cycle": [message]})
    if cycle.status not in TAKES_ORDERS:
        raise StateConflict(
            _("The cycle « %(name)s » is not open for orders (state: %(status)s).")
            % {"name": cycle.name, "status": cycle.get_status_display()},
            code="cycle_not_open",
        )
    source = [
        (line.offer.product_id, line.offer.product.name, line.quantity)
        for line in order.lines.select_related("offer__product")
    ]
    lines, missing = _offer_lines(source, _cycle_offers(cycle))
    warnings: list[dict] = [
        {
            "code": "not_on_offer",
            "message": _("« %(product)s » is not on offer in this cycle: not repeated.")
            % {"product": name},
        }
        for name in missing
    ]
    there = Order.objects.live().filter(cycle=cycle, contract__isnull=True)
    existing = (
        there.filter(household_id=order.household_id)
        if order.household_id
        else there.filter(grocery_id=order.grocery_id)
    ).first()
    if existing is not None:
        kept = {line.offer_id: line.quantity for line in existing.lines.all()}
        names = dict(Offer.objects.filter(id__in=list(kept)).values_list("id", "product__name"))
        for line in lines:
            if line.offer_id in kept:
                warnings.append(
                    {
                        "offer": line.offer_id,
                        "code": "already_ordered",
                        "message": _("« %(product)s » is already in the order: kept as it was.")
                        % {"product": names[line.offer_id]},
                    }
                )
        lines = [
            *(services.RequestedLine(offer_id, quantity) for offer_id, quantity in kept.items()),
            *(line for line in lines if line.offer_id not in kept),
        ]
    if not lines:
        raise InvalidInput(
            _("No line of this order can be repeated in this cycle."),
            fields={"lines": [warning["message"] for warning in warnings]},
        )
    if existing is not None:
        repeated = services.order_replace_lines(order=existing, lines=lines, now=now)
    elif order.household_id:
        repeated = services.order_submit(
            user=user,
            cycle_id=cycle.id,
            lines=lines,
            now=now,
            household_id=order.household_id,
            households=households,
            # Paid as the order repeated was: at the social tariff, or by the same caisse.
            payment=order.payment,
            caisse_id=order.ssa_member.caisse_id if order.ssa_member else None,
        )
    else:
        repeated = services.order_submit(
            user=user, cycle_id=cycle.id, lines=lines, now=now, grocery=order.grocery
        )
    return Repeated(repeated, warnings + repeated.shortage_warnings)

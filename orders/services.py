from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounting.models import Envelope, FunderProgramme
from accounting.services import envelope_adjust_commitment, envelope_commit
from core.choices import OrganisationKind
from core.errors import InvalidInput, StateConflict
from core.formats import format_date, format_euros, format_quantity
from core.models import Organisation, User
from core.services import model_update, profile_update
from logistics.services import PLACE_FIELDS, place_locate, place_relocate
from producers.models import Offer, Product, whole_pieces_refusal
from ssa import spending
from supply.choices import TAKES_ORDERS, TAKES_RECEPTIONS
from supply.models import OrderCycle

from . import funding, locks, pricing
from .choices import ORDER_TRANSITIONS, HouseholdStatus, OrderPayment, OrderStatus
from .households import household_month_orders, household_status
from .models import (
    Grocery,
    Household,
    Order,
    OrderFunding,
    OrderLine,
    Reception,
    ReceptionLine,
    SocialService,
    destination_grocery_id,
    offer_demand_subquery,
)
from .quantities import served_quantity

MAX_LINES_PER_ORDER = 300


def _check_opening_hours(opens_at_time: time, closes_at_time: time) -> None:
    if opens_at_time >= closes_at_time:
        message = _("The grocery must open before it closes.")
        raise InvalidInput(message, fields={"closes_at_time": [message]})


@transaction.atomic
def grocery_create(
    *,
    name: str,
    commune: str,
    opens_at_time: time,
    closes_at_time: time,
    address: str = "",
    phone: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Grocery:
    _check_opening_hours(opens_at_time, closes_at_time)
    location = place_locate(address=address, latitude=latitude, longitude=longitude)
    organisation = Organisation.objects.create(
        kind=OrganisationKind.GROCERY, name=name, commune=commune
    )
    return Grocery.objects.create(
        organisation=organisation,
        address=address,
        phone=phone,
        latitude=location.latitude,
        longitude=location.longitude,
        opens_at_time=opens_at_time,
        closes_at_time=closes_at_time,
        zone=location.zone,
    )


@transaction.atomic
def grocery_update(*, grocery: Grocery, **fields: Any) -> Grocery:
    """Change a grocery; its name and commune are its organisation's."""

    def check(grocery: Grocery) -> None:
        _check_opening_hours(grocery.opens_at_time, grocery.closes_at_time)
        place_relocate(place=grocery, changed=set(fields))

    return profile_update(grocery, fields, check=check, also=PLACE_FIELDS)


@transaction.atomic
def social_service_create(*, name: str, commune: str, **settings: Any) -> SocialService:
    organisation = Organisation.objects.create(
        kind=OrganisationKind.CCAS, name=name, commune=commune
    )
    return SocialService.objects.create(organisation=organisation, **settings)


# --- Orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestedLine:
    offer_id: int
    quantity: Decimal


def _lock_cycle_open(cycle_id: int) -> OrderCycle:
    """Read the cycle under a shared lock, so that closing waits for orders in flight and
    orders wait for a close in flight, while orders do not wait for each other."""
    cycle = locks.cycle_lock_shared(cycle_id)
    if cycle is None:
        raise InvalidInput(_("Unknown cycle."), fields={"cycle": [_("Unknown cycle.")]})
    if cycle.status not in TAKES_ORDERS:
        raise StateConflict(
            _("The cycle « %(name)s » is not open for orders (state: %(status)s).")
            % {"name": cycle.name, "status": cycle.get_status_display()},
            code="cycle_not_open",
        )
    return cycle


def programme_for(cycle: OrderCycle) -> FunderProgramme | None:
    """The funder programme that subsidises grouped orders delivered on the cycle's date."""
    return (
        FunderProgramme.objects.filter(
            is_active=True,
            envelope__period_start__lte=cycle.delivery_date,
            envelope__period_end__gte=cycle.delivery_date,
        )
        .select_related("funder")
        .first()
    )


def programme_share(programme: FunderProgramme, product: Product) -> Decimal | None:
    """What the grocery pays of a line the programme covers (the line's tier rate), or
    None when it does not cover it: another category, or not local when it must be."""
    if programme.categories and product.category not in programme.categories:
        return None
    if programme.local_only and not product.producer.is_local:
        return None
    return 1 - programme.rate


def _priced_lines(
    *,
    cycle: OrderCycle,
    lines: list[RequestedLine],
    tier_rate: Decimal | None,
    order_id: int | None = None,
    programme: FunderProgramme | None = None,
) -> tuple[list[OrderLine], list[dict]]:
    """The order's lines priced, or the refusal of every line that is wrong; and the
    shortage warnings the lines will cause, from what the other live orders ask of each
    offer (read with the offers, rather than again after the write)."""
    if not lines:
        message = _("An order has at least one line.")
        raise InvalidInput(message, fields={"lines": [message]})
    if len(lines) > MAX_LINES_PER_ORDER:
        message = _("An order has at most %(count)d lines.") % {"count": MAX_LINES_PER_ORDER}
        raise InvalidInput(message, fields={"lines": [message]})
    offer_ids = [line.offer_id for line in lines]
    if len(set(offer_ids)) != len(offer_ids):
        message = _("Each offer appears on one line only.")
        raise InvalidInput(message, fields={"lines": [message]})
    offers = (
        Offer.objects.select_related("product__producer")
        .annotate(demand_elsewhere=offer_demand_subquery(excluding_order_id=order_id))
        .in_bulk(offer_ids)
    )
    priced, errors, warnings = [], {}, []
    for index, line in enumerate(lines):
        offer = offers.get(line.offer_id)
        if offer is None or offer.cycle_id != cycle.id:
            errors[f"lines.{index}.offer"] = [_("This offer is not part of this cycle.")]
            continue
        product = offer.product
        if not product.is_active:
            errors[f"lines.{index}.offer"] = [_("This product is no longer offered.")]
            continue
        if line.quantity <= 0:
            errors[f"lines.{index}.quantity"] = [_("The quantity must be positive.")]
            continue
        refusal = whole_pieces_refusal(product.unit, line.quantity)
        if refusal:
            errors[f"lines.{index}.quantity"] = [refusal]
            continue
        if line.quantity % product.pack_size != 0:
            errors[f"lines.{index}.quantity"] = [
                _("« %(product)s » is sold by multiples of %(pack)s.")
                % {"product": product.name, "pack": format_quantity(product.pack_size)}
            ]
            continue
        rate = tier_rate if programme is None else programme_share(programme, product)
        price = pricing.price_line(
            quantity=line.quantity,
            unit_price_ht=offer.unit_price_ht,
            vat_rate=product.vat_rate,
            tier_rate=rate,
        )
        priced.append(
            OrderLine(
                offer=offer,
                quantity=line.quantity,
                unit_price_ht=offer.unit_price_ht,
                vat_rate=product.vat_rate,
                tier_rate=rate,
                line_ht=price.line_ht,
                line_vat=price.line_vat,
                line_ttc=price.line_ttc,
                beneficiary_share=price.beneficiary_share,
                subsidy=price.subsidy,
            )
        )
        demand = (offer.demand_elsewhere or Decimal("0")) + line.quantity
        if demand > offer.quantity_available:
            warnings.append(_shortage_warning(offer, demand))
    if errors:
        raise InvalidInput(_("Some order lines are not valid."), fields=errors)
    return priced, sorted(warnings, key=lambda warning: warning["offer"])


def _shortage_warning(offer: Offer, demand: Decimal) -> dict:
    message = _(
        "Demand (%(demand)s) passes the quantity offered (%(offered)s): "
        "it will be shared fairly at close."
    ) % {"demand": format_quantity(demand), "offered": format_quantity(offer.quantity_available)}
    return {"offer": offer.id, "code": "offer_short", "message": message}


def _totals(lines: list[OrderLine]) -> dict[str, Decimal]:
    return {
        "total_ht": sum((line.line_ht for line in lines), Decimal("0.00")),
        "total_ttc": sum((line.line_ttc for line in lines), Decimal("0.00")),
        "beneficiary_total": sum((line.beneficiary_share for line in lines), Decimal("0.00")),
        "subsidy_total": sum((line.subsidy for line in lines), Decimal("0.00")),
    }


def _check_household_active(*, household: Household, cycle: OrderCycle) -> None:
    status = household_status(household, cycle.delivery_date)
    if status != HouseholdStatus.ACTIVE:
        raise StateConflict(
            _("Household %(reference)s is not active on %(date)s (%(status)s).")
            % {
                "reference": household.reference,
                "date": format_date(cycle.delivery_date),
                "status": HouseholdStatus(status).label.lower(),
            },
            code="household_inactive",
        )


def _check_cap(*, household: Household, spent: Decimal, total_ttc: Decimal) -> None:
    if spent + total_ttc > household.monthly_cap:
        raise StateConflict(
            _(
                "This order (%(order)s) would pass the monthly cap of household %(reference)s: "
                "%(spent)s already ordered this month, cap %(cap)s."
            )
            % {
                "order": format_euros(total_ttc),
                "reference": household.reference,
                "spent": format_euros(spent),
                "cap": format_euros(household.monthly_cap),
            },
            code="cap_exceeded",
        )


def _commit_subsidy(
    *, household: Household, cycle: OrderCycle, delta: Decimal, envelope_id: int | None
) -> int | None:
    """Commit (or release) a subsidy on `envelope_id`, the envelope covering the delivery
    date; answers it. One conditional UPDATE: it waits for the row like a lock would, and
    refuses what the envelope cannot cover."""
    if envelope_id is None:
        if delta <= 0:
            return None
        raise StateConflict(
            _("The funder « %(funder)s » has no budget envelope for %(date)s.")
            % {"funder": household.funder.name, "date": format_date(cycle.delivery_date)},
            code="envelope_exhausted",
        )
    _commit_envelopes({envelope_id: delta})
    return envelope_id


def _covering_shares(*, household: Household, cycle: OrderCycle) -> list[funding.Share]:
    """A co-funded household's funders, each with its envelope covering the delivery; empty
    when one funder pays the whole subsidy (orders.funding)."""
    rows = funding.household_shares(household.pk)
    if not rows:
        return []
    covering = dict(
        Envelope.objects.filter(
            funder_id__in=[row.funder_id for row in rows],
            period_start__lte=cycle.delivery_date,
            period_end__gte=cycle.delivery_date,
        ).values_list("funder_id", "id")
    )
    for row in rows:
        if row.funder_id not in covering:
            raise StateConflict(
                _("The funder « %(funder)s » has no budget envelope for %(date)s.")
                % {"funder": row.funder.name, "date": format_date(cycle.delivery_date)},
                code="envelope_exhausted",
            )
    return [funding.Share(row.funder_id, covering[row.funder_id], row.share) for row in rows]


def _commit_envelopes(deltas: dict[int, Decimal]) -> None:
    """Commit (or release) each envelope's part, in id order (the lock order of every
    envelope writer): one conditional UPDATE each, which waits for the row like a lock
    would; the first that cannot cover its part refuses the whole."""
    for envelope_id, delta in sorted(deltas.items()):
        if delta and not envelope_commit(envelope_id=envelope_id, delta=delta):
            envelope = Envelope.objects.select_related("funder").get(pk=envelope_id)
            raise StateConflict(
                _(
                    "The envelope of « %(funder)s » cannot cover this subsidy "
                    "(%(needed)s needed, %(remaining)s left)."
                )
                % {
                    "funder": envelope.funder.name,
                    "needed": format_euros(delta),
                    "remaining": format_euros(envelope.remaining),
                },
                code="envelope_exhausted",
            )


def _refuse_duplicate_grocery(*, cycle: OrderCycle, grocery: Grocery) -> None:
    existing = Order.objects.filter(cycle=cycle, grocery=grocery, contract__isnull=True)
    if existing.exclude(status=OrderStatus.CANCELLED).exists():
        raise StateConflict(
            _("This grocery already has its grouped order for this cycle; change it instead."),
            code="order_exists",
        )


def _refuse_duplicate_household(*, household: Household, has_order_in_cycle: bool) -> None:
    if has_order_in_cycle:
        raise StateConflict(
            _("Household %(reference)s already has an order for this cycle; change it instead.")
            % {"reference": household.reference},
            code="order_exists",
        )


@transaction.atomic
def order_submit(
    *,
    user: User,
    cycle_id: int,
    lines: list[RequestedLine],
    now: datetime,
    grocery: Grocery | None = None,
    household_id: int | None = None,
    households: QuerySet[Household] | None = None,
    payment: str = OrderPayment.TARIFF,
    caisse_id: int | None = None,
) -> Order:
    """Place a grouped order (grocery) or a household order, at the social tariff or paid
    by a caisse alimentaire (`payment`, the household's caisse or `caisse_id`).

    The household is named by id and read under its lock, among `households` (the caller's
    scope; all of them when None): one read for the scope and the lock.
    Locks, always in this order: the cycle (shared), the household, then its funder's
    envelope or its membership of the caisse.
    """
    if (grocery is None) == (household_id is None):
        message = _("Give exactly one of grocery or household.")
        raise InvalidInput(message, fields={"grocery": [message], "household": [message]})
    if payment == OrderPayment.SSA and household_id is None:
        message = _("A caisse alimentaire pays a household's order, not a grocery's.")
        raise InvalidInput(message, fields={"payment": [message]})
    cycle = _lock_cycle_open(cycle_id)
    household, envelope_id, programme, member = None, None, None, None
    shares: list[funding.Share] = []
    if household_id is not None:
        household, covering_envelope_id = _household_locked(
            household_id, households=households, cycle=cycle
        )
        spent, has_order_in_cycle = household_month_orders(household_id=household.pk, cycle=cycle)
        _refuse_duplicate_household(household=household, has_order_in_cycle=has_order_in_cycle)
    if household is not None and payment == OrderPayment.SSA:
        # The caisse pays the whole price from the member's credit: no tier, cap nor envelope.
        member = spending.member_locked(
            household=household, on=cycle.delivery_date, caisse_id=caisse_id
        )
        priced, warnings = _priced_lines(cycle=cycle, lines=lines, tier_rate=None)
        totals = _totals(priced)
        spending.spending_check(member=member, lines=priced)
    elif household is not None:
        priced, warnings = _priced_lines(
            cycle=cycle, lines=lines, tier_rate=household.tier.beneficiary_rate
        )
        totals = _totals(priced)
        _check_household_active(household=household, cycle=cycle)
        _check_cap(household=household, spent=spent, total_ttc=totals["total_ttc"])
        shares = _covering_shares(household=household, cycle=cycle)
        if shares:
            _commit_envelopes(funding.split_by_envelope([p.subsidy for p in priced], shares))
        else:
            envelope_id = _commit_subsidy(
                household=household,
                cycle=cycle,
                delta=totals["subsidy_total"],
                envelope_id=covering_envelope_id,
            )
    else:
        assert grocery is not None
        _refuse_duplicate_grocery(cycle=cycle, grocery=grocery)
        programme = programme_for(cycle)
        priced, warnings = _priced_lines(
            cycle=cycle, lines=lines, tier_rate=None, programme=programme
        )
        totals = _totals(priced)
        if programme is not None:
            envelope_id = programme.envelope_id
            _commit_envelopes({envelope_id: totals["subsidy_total"]})
    try:
        order = Order.objects.create(
            cycle=cycle,
            grocery=grocery,
            household=household,
            envelope_id=envelope_id,
            programme=programme,
            payment=payment,
            ssa_member=member,
            placed_by=user,
            submitted_at=now,
            updated_at=now,
            **totals,
        )
    except IntegrityError as error:
        # Two grouped orders for one grocery sent at the same moment: the second loses on
        # the unique constraint. The refusal is raised at once, so the transaction is rolled
        # back as it leaves, before anything else is asked of it: no savepoint is needed.
        raise StateConflict(
            _("An order already exists for this cycle; change it instead."), code="order_exists"
        ) from error
    for line in priced:
        line.order = order
    order.line_list = OrderLine.objects.bulk_create(priced)
    order.funding_list = OrderFunding.objects.bulk_create(
        OrderFunding(
            order=order, funder_id=share.funder_id, envelope_id=share.envelope_id, share=share.share
        )
        for share in shares
    )
    order.shortage_warnings = warnings
    if member is not None:
        spending.spending_record(
            member=member, order=order, amount=totals["total_ttc"], month=cycle.delivery_date
        )
    return order


def _household_locked(
    household_id: int, *, households: QuerySet[Household] | None, cycle: OrderCycle
) -> tuple[Household, int | None]:
    try:
        return locks.household_lock_for_order(
            household_id, within=households, on=cycle.delivery_date
        )
    except Household.DoesNotExist as missing:
        message = _("Unknown household.")
        raise InvalidInput(message, fields={"household": [message]}) from missing


def _lock_order_for_change(order: Order) -> tuple[Order, Household | None, int | None]:
    """Locks in the order of order_submit: cycle (shared), household, then the order.

    An order's cycle and household never change, so they are taken from `order` as the
    caller read it (unlocked); everything else is read again under the lock. Answers the
    order, its household and the envelope covering its delivery (household_lock_for_order).
    """
    cycle = _lock_cycle_open(order.cycle_id)
    household, covering_envelope_id = None, None
    if order.household_id is not None:
        household, covering_envelope_id = locks.household_lock_for_order(
            order.household_id, within=None, on=cycle.delivery_date
        )
    order = locks.order_lock(order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise StateConflict(_("This order is cancelled."), code="order_cancelled")
    if order.contract_id is not None:
        raise StateConflict(
            _("This order carries a season contract's lines: it changes with the contract only."),
            code="contract_order",
        )
    order.household = household
    return order, household, covering_envelope_id


@transaction.atomic
def order_replace_lines(*, order: Order, lines: list[RequestedLine], now: datetime) -> Order:
    """Replace every line of an order while its cycle is open; the commitment follows."""
    order, household, covering_envelope_id = _lock_order_for_change(order)
    cycle = order.cycle
    if order.payment == OrderPayment.SSA:
        assert household is not None and order.ssa_member is not None  # order_ssa_by_a_member
        member = spending.member_locked(
            household=household, on=cycle.delivery_date, caisse_id=order.ssa_member.caisse_id
        )
        priced, warnings = _priced_lines(
            cycle=cycle, lines=lines, tier_rate=None, order_id=order.pk
        )
        totals = _totals(priced)
        spending.spending_check(member=member, lines=priced, order_id=order.pk)
        spending.spending_record(
            member=member, order=order, amount=totals["total_ttc"], month=cycle.delivery_date
        )
        order.funding_list = []
    elif household is not None:
        spent, _has_order = household_month_orders(
            household_id=household.pk, cycle=cycle, excluding_order_id=order.pk
        )
        tier_rate = household.tier.beneficiary_rate
        priced, warnings = _priced_lines(
            cycle=cycle, lines=lines, tier_rate=tier_rate, order_id=order.pk
        )
        totals = _totals(priced)
        _check_household_active(household=household, cycle=cycle)
        _check_cap(household=household, spent=spent, total_ttc=totals["total_ttc"])
        shares = funding.order_shares([order.pk]).get(order.pk, [])
        order.funding_list = shares
        if shares:  # placed co-funded: its shares stay those it was placed with
            before = list(order.lines.values_list("subsidy", flat=True))
            _commit_envelopes(funding.envelope_deltas(before, [p.subsidy for p in priced], shares))
        else:
            envelope_id = _commit_subsidy(
                household=household,
                cycle=cycle,
                delta=totals["subsidy_total"] - order.subsidy_total,
                envelope_id=order.envelope_id or covering_envelope_id,
            )
            order.envelope_id = envelope_id or order.envelope_id
    else:
        programme = order.programme
        priced, warnings = _priced_lines(
            cycle=cycle, lines=lines, tier_rate=None, order_id=order.pk, programme=programme
        )
        totals = _totals(priced)
        order.funding_list = []
        if programme is not None:
            _commit_envelopes(
                {programme.envelope_id: totals["subsidy_total"] - order.subsidy_total}
            )
    order.lines.all().delete()
    for line in priced:
        line.order = order
    order.line_list = OrderLine.objects.bulk_create(priced)
    order.shortage_warnings = warnings
    return model_update(order, {**totals, "envelope_id": order.envelope_id, "updated_at": now})


@transaction.atomic
def order_cancel(*, order: Order, now: datetime) -> Order:
    """Cancel while the cycle is open, releasing the subsidy commitment."""
    order, _household, _envelope_id = _lock_order_for_change(order)
    if OrderStatus.CANCELLED not in ORDER_TRANSITIONS.get(order.status, ()):
        raise StateConflict(_("This order can no longer be cancelled."), code="invalid_transition")
    if order.subsidy_total and order.envelope_id:  # a household's, or a programme's
        envelope_adjust_commitment(envelope_id=order.envelope_id, delta=-order.subsidy_total)
    if order.payment == OrderPayment.SSA:  # the credit it took goes back
        assert order.ssa_member is not None  # order_ssa_by_a_member
        spending.spending_record(
            member=order.ssa_member,
            order=order,
            amount=Decimal("0.00"),
            month=order.cycle.delivery_date,
        )
    shares = funding.order_shares([order.pk]).get(order.pk)
    if shares:
        carried = funding.split_by_envelope(order.lines.values_list("subsidy", flat=True), shares)
        _commit_envelopes({envelope_id: -amount for envelope_id, amount in carried.items()})
    order.status = OrderStatus.CANCELLED
    order.updated_at = now
    order.save(update_fields=["status", "updated_at"])
    return order


def cycle_orders_advance(*, cycle_id: int, to_status: str) -> int:
    """Move every order of a cycle that may go to `to_status` (ORDER_TRANSITIONS) there, as
    the cycle takes the step that moves them; answers how many moved. The caller holds the
    cycle's lock."""
    from_statuses = [
        status for status, allowed in ORDER_TRANSITIONS.items() if to_status in allowed
    ]
    return Order.objects.filter(cycle_id=cycle_id, status__in=from_statuses).update(
        status=to_status
    )


@transaction.atomic
def reception_record(
    *,
    grocery: Grocery,
    cycle_id: int,
    user: User,
    lines: dict[int, Decimal],
    now: datetime,
    reasons: dict[int, str] | None = None,
) -> Reception:
    """Record what arrived at a grocery, with the reason of a difference where one is given;
    the confirmed quantity stays beside it."""
    reasons = {line_id: text.strip()[:200] for line_id, text in (reasons or {}).items()}
    cycle = OrderCycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise InvalidInput(_("Unknown cycle."), fields={"cycle": [_("Unknown cycle.")]})
    if cycle.status not in TAKES_RECEPTIONS:
        raise StateConflict(
            _("Receptions are recorded between confirmation and settlement."),
            code="cycle_not_receivable",
        )
    if not lines:
        message = _("Name at least one order line.")
        raise InvalidInput(message, fields={"lines": [message]})
    own = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle)
        .annotate(destination=destination_grocery_id())
        .filter(destination=grocery.id)
    )
    # What each line was confirmed for: a grocery cannot be charged for more than that.
    known = {
        line_id: (served, unit)
        for line_id, served, unit in own.filter(id__in=list(lines))
        .annotate(expected=served_quantity())
        .values_list("id", "expected", "offer__product__unit")
    }
    expected = {line_id: served for line_id, (served, _unit) in known.items()}
    errors = {
        f"lines.{index}.order_line": [_("This line is not in this grocery's orders.")]
        for index, line_id in enumerate(lines)
        if line_id not in expected
    }
    for index, (line_id, quantity) in enumerate(lines.items()):
        refusal = whole_pieces_refusal(known[line_id][1], quantity) if line_id in known else None
        if quantity < 0:
            errors[f"lines.{index}.received_quantity"] = [_("The quantity must be positive.")]
        elif refusal:
            errors[f"lines.{index}.received_quantity"] = [refusal]
        elif line_id in expected and quantity > expected[line_id]:
            errors[f"lines.{index}.received_quantity"] = [
                _("More than the %(quantity)s confirmed: record at most what was ordered.")
                % {"quantity": format_quantity(expected[line_id])}
            ]
    if errors:
        raise InvalidInput(_("Some reception lines are not valid."), fields=errors)
    reception = Reception.objects.create(
        grocery=grocery, cycle=cycle, recorded_by=user, recorded_at=now
    )
    ReceptionLine.objects.bulk_create(
        ReceptionLine(
            reception=reception,
            order_line_id=line_id,
            received_quantity=quantity,
            reason=reasons.get(line_id, ""),
        )
        for line_id, quantity in lines.items()
    )
    received = [OrderLine(id=line_id, received_quantity=q) for line_id, q in lines.items()]
    OrderLine.objects.bulk_update(received, ["received_quantity"])
    return reception

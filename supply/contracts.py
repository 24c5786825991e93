"""Season contracts (DESIGN.md §10): the AMAP solidaire and Uniterres pre-purchase model.

A contract binds a producer to deliver, at each cycle of the season, fixed quantities to one
or more groceries at a price fixed for the season. When a cycle of the season opens, each
grocery gets one order carrying its contract lines (`Order.contract`), priced at the
contract's price; consolidation serves those lines before the shortage rule
(`supply.allocation.CONTRACTS`). What a delivery lacks is recorded against the contract.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.models import Funder
from core.choices import Role
from core.errors import InvalidInput, StateConflict
from core.formats import format_date, format_quantity
from core.models import User
from core.money import quantize_money, split_to_the_cent
from orders.choices import OrderStatus
from orders.models import Grocery, Order, OrderLine
from orders.pricing import price_line
from producers.models import Offer, Producer, Product, ordered_quantity_refusal

from .choices import COUNTED_IN_DASHBOARDS, ContractStatus
from .models import ContractLine, ContractPrepayment, ContractShortfall, OrderCycle, SeasonContract


@dataclass(frozen=True)
class LineInput:
    product: Product
    grocery: Grocery
    quantity_per_delivery: Decimal


def season_deliveries(contract: SeasonContract) -> int:
    """The weekly deliveries from the first to the last, both included."""
    return (contract.last_delivery - contract.first_delivery).days // 7 + 1


def _line_value(line: ContractLine | LineInput, unit_price_ht: Decimal, deliveries: int) -> Decimal:
    return price_line(
        quantity=line.quantity_per_delivery * deliveries,
        unit_price_ht=unit_price_ht,
        vat_rate=line.product.vat_rate,
        tier_rate=None,
    ).line_ttc


def _check_contract(
    *,
    producer: Producer,
    unit_price_ht: Decimal,
    first_delivery: date,
    last_delivery: date,
    prepayment_rate: Decimal,
    programme: Funder | None,
    programme_share: Decimal,
    lines: list[LineInput],
    today: date,
) -> None:
    errors: dict[str, list[str]] = {}
    if first_delivery > last_delivery:
        errors["last_delivery"] = [_("The last delivery comes after the first.")]
    elif last_delivery < today:
        errors["last_delivery"] = [
            _("This season ended on %(date)s.") % {"date": format_date(last_delivery)}
        ]
    if unit_price_ht < 0:
        errors["unit_price_ht"] = [_("The price cannot be negative.")]
    if not 0 <= prepayment_rate <= 1:
        errors["prepayment_rate"] = [_("A share between 0 and 1.")]
    if not 0 <= programme_share <= 1:
        errors["programme_share"] = [_("A share between 0 and 1.")]
    elif programme_share > 0 and programme is None:
        errors["programme"] = [_("Name the programme that pays its share of the prepayment.")]
    if not lines:
        errors["lines"] = [_("A contract has at least one line.")]
    seen = set()
    for index, line in enumerate(lines):
        product = line.product
        if product.producer_id != producer.pk:
            errors[f"lines.{index}.product"] = [
                _("« %(product)s » is not a product of %(producer)s.")
                % {"product": product.name, "producer": producer.name}
            ]
            continue
        if not product.is_active:
            errors[f"lines.{index}.product"] = [_("This product is no longer offered.")]
            continue
        if (product.pk, line.grocery.pk) in seen:
            errors[f"lines.{index}.product"] = [
                _("This product already has a line for this grocery.")
            ]
        seen.add((product.pk, line.grocery.pk))
        refusal = ordered_quantity_refusal(product, line.quantity_per_delivery)
        if refusal:
            errors[f"lines.{index}.quantity_per_delivery"] = [refusal]
    if errors:
        raise InvalidInput(_("This contract is not valid."), fields=errors)


@transaction.atomic
def contract_create(
    *,
    user: User,
    producer: Producer,
    name: str,
    unit_price_ht: Decimal,
    first_delivery: date,
    last_delivery: date,
    lines: list[LineInput],
    now: datetime,
    prepayment_rate: Decimal = Decimal("0"),
    programme: Funder | None = None,
    programme_share: Decimal = Decimal("0"),
) -> SeasonContract:
    terms: dict[str, Any] = {
        "unit_price_ht": unit_price_ht,
        "first_delivery": first_delivery,
        "last_delivery": last_delivery,
        "prepayment_rate": prepayment_rate,
        "programme": programme,
        "programme_share": programme_share,
    }
    _check_contract(producer=producer, lines=lines, today=timezone.localdate(now), **terms)
    contract = SeasonContract.objects.create(
        producer=producer, name=name, created_by=user, created_at=now, **terms
    )
    _lines_write(contract, lines)
    return contract


def _lines_write(contract: SeasonContract, lines: list[LineInput]) -> None:
    ContractLine.objects.bulk_create(
        ContractLine(
            contract=contract,
            product=line.product,
            grocery=line.grocery,
            quantity_per_delivery=line.quantity_per_delivery,
        )
        for line in lines
    )


def _lock(contract: SeasonContract) -> SeasonContract:
    return SeasonContract.objects.select_for_update().select_related("producer").get(pk=contract.pk)


@transaction.atomic
def contract_update(
    *, contract: SeasonContract, now: datetime, lines: list[LineInput] | None = None, **fields: Any
) -> SeasonContract:
    """Change a draft contract; once signed by anyone its terms are fixed (a signature
    is given to terms, so a change asks both sides to sign again: a new contract)."""
    contract = _lock(contract)
    if (
        contract.status != ContractStatus.DRAFT
        or contract.coordinator_signed_at
        or (contract.producer_signed_at)
    ):
        raise StateConflict(
            _("A signed contract no longer changes; end it and make a new one."),
            code="contract_signed",
        )
    for name, value in fields.items():
        setattr(contract, name, value)
    if lines is None:
        lines = [
            LineInput(line.product, line.grocery, line.quantity_per_delivery)
            for line in contract.lines.select_related("product", "grocery")
        ]
    _check_contract(
        producer=contract.producer,
        unit_price_ht=contract.unit_price_ht,
        first_delivery=contract.first_delivery,
        last_delivery=contract.last_delivery,
        prepayment_rate=contract.prepayment_rate,
        programme=contract.programme,
        programme_share=contract.programme_share,
        lines=lines,
        today=timezone.localdate(now),
    )
    contract.save()
    contract.lines.all().delete()
    _lines_write(contract, lines)
    return contract


@transaction.atomic
def contract_sign(
    *, contract: SeasonContract, user: User, role: str, now: datetime
) -> SeasonContract:
    """The coordinator signs for the platform, the producer for itself; both signatures
    (who and when) are kept. With the second one the contract is in force and its
    prepayment is owed."""
    contract = _lock(contract)
    if contract.status != ContractStatus.DRAFT:
        raise StateConflict(_("This contract is already signed."), code="contract_signed")
    if contract.last_delivery < timezone.localdate(now):
        raise StateConflict(
            _("This season ended on %(date)s; it can no longer be signed.")
            % {"date": format_date(contract.last_delivery)},
            code="contract_ended",
        )
    if role == Role.COORDINATOR:
        contract.coordinator_signed_by, contract.coordinator_signed_at = user, now
    else:
        contract.producer_signed_by, contract.producer_signed_at = user, now
    if contract.coordinator_signed_at and contract.producer_signed_at:
        contract.status = ContractStatus.SIGNED
        _prepayments_record(contract, now)
    contract.save()
    return contract


def season_value(contract: SeasonContract) -> dict[int, Decimal]:
    """The season's value incl. VAT per grocery id (every delivery served in full)."""
    deliveries = season_deliveries(contract)
    values: dict[int, Decimal] = defaultdict(Decimal)
    for line in contract.lines.select_related("product"):
        values[line.grocery_id] += _line_value(line, contract.unit_price_ht, deliveries)
    return dict(values)


def _prepayments_record(contract: SeasonContract, now: datetime) -> None:
    """What is owed now: the prepayment share of the season's value, the programme's part
    first, the rest shared among the groceries pro rata to their value, to the cent."""
    values = season_value(contract)
    total = quantize_money(sum(values.values(), Decimal("0")) * contract.prepayment_rate)
    if total <= 0:
        return
    by_programme = quantize_money(total * contract.programme_share) if contract.programme else 0
    rows = []
    if by_programme:
        rows.append(
            ContractPrepayment(
                contract=contract, funder=contract.programme, amount=by_programme, owed_at=now
            )
        )
    for grocery_id, amount in split_to_the_cent(total - by_programme, values).items():
        if amount > 0:
            rows.append(
                ContractPrepayment(
                    contract=contract, grocery_id=grocery_id, amount=amount, owed_at=now
                )
            )
    ContractPrepayment.objects.bulk_create(rows)


def contracts_ended_mark(*, now: datetime) -> int:
    """Beat's daily pass: signed contracts past their last delivery are ended."""
    return SeasonContract.objects.filter(
        status=ContractStatus.SIGNED, last_delivery__lt=timezone.localdate(now)
    ).update(status=ContractStatus.ENDED)


def contracts_in_force(day: date) -> QuerySet[SeasonContract]:
    return SeasonContract.objects.filter(
        status=ContractStatus.SIGNED, first_delivery__lte=day, last_delivery__gte=day
    )


def contracts_for(cycle: OrderCycle) -> QuerySet[SeasonContract]:
    """The contracts this cycle carries: in force on its delivery date, and not already
    carried by another cycle of the same week (a contract delivers once a week, however
    many cycles the hubs run that week; the first to open takes it)."""
    monday = cycle.delivery_date - timedelta(days=cycle.delivery_date.weekday())
    elsewhere = (
        Order.objects.filter(
            contract=OuterRef("pk"),
            cycle__delivery_date__range=(monday, monday + timedelta(days=6)),
        )
        .exclude(cycle=cycle)
        .exclude(status=OrderStatus.CANCELLED)
    )
    return contracts_in_force(cycle.delivery_date).exclude(Exists(elsewhere))


def _contract_needs(cycle: OrderCycle) -> dict[int, Decimal]:
    """What the season's contracts take of each product at this cycle's delivery."""
    rows = (
        ContractLine.objects.filter(contract__in=contracts_for(cycle))
        .values("product_id")
        .annotate(total=Sum("quantity_per_delivery"))
        .order_by()
    )
    return {row["product_id"]: row["total"] for row in rows}


def contract_offers_ensure(*, cycle: OrderCycle) -> int:
    """A cycle of the season offers every product under contract: a missing offer is made
    with the contracts' quantity, at the product's price for the other buyers."""
    needs = _contract_needs(cycle)
    present = set(
        Offer.objects.filter(cycle=cycle, product_id__in=list(needs)).values_list(
            "product_id", flat=True
        )
    )
    products = Product.objects.filter(id__in=set(needs) - present, is_active=True)
    offers = [
        Offer(
            cycle=cycle,
            product=product,
            quantity_available=needs[product.id],
            unit_price_ht=product.unit_price_ht,
        )
        for product in products
    ]
    Offer.objects.bulk_create(offers)
    return len(offers)


def contract_cover_warnings(*, cycle: OrderCycle, producer: Producer | None = None) -> list[dict]:
    """The cycle's offers below what the season's contracts take of them (the producer
    must cover its contracts; allocation serves them first from what there is)."""
    needs = _contract_needs(cycle)
    offers = Offer.objects.filter(cycle=cycle, product_id__in=list(needs)).select_related("product")
    if producer is not None:
        offers = offers.filter(product__producer=producer)
    warnings = []
    for offer in offers:
        needed = needs[offer.product_id]
        if offer.quantity_available < needed:
            warnings.append(
                {
                    "offer": offer.id,
                    "code": "contract_not_covered",
                    "message": _(
                        "« %(product)s »: %(offered)s offered, the season's contracts take "
                        "%(needed)s."
                    )
                    % {
                        "product": offer.product.name,
                        "offered": format_quantity(offer.quantity_available),
                        "needed": format_quantity(needed),
                    },
                }
            )
    return warnings


def contract_orders_place(*, cycle: OrderCycle, now: datetime) -> list[int]:
    """When a cycle of the season opens: one order per contract and grocery carrying its
    lines at the contract's price. Must run inside the opening's transaction; an order
    already placed is left as it is (re-run)."""
    contract_offers_ensure(cycle=cycle)
    offers = {
        offer.product_id: offer
        for offer in Offer.objects.filter(cycle=cycle).select_related("product")
    }
    placed = []
    contracts = contracts_for(cycle).prefetch_related("lines__product")
    for contract in contracts:
        done = set(
            Order.objects.filter(cycle=cycle, contract=contract).values_list(
                "grocery_id", flat=True
            )
        )
        by_grocery: dict[int, list[ContractLine]] = defaultdict(list)
        for line in contract.lines.all():
            if line.grocery_id not in done and line.product_id in offers:
                by_grocery[line.grocery_id].append(line)
        for grocery_id, lines in by_grocery.items():
            placed.append(_contract_order(cycle, contract, grocery_id, lines, offers, now).id)
    return placed


def _contract_order(
    cycle: OrderCycle,
    contract: SeasonContract,
    grocery_id: int,
    lines: list[ContractLine],
    offers: dict[int, Offer],
    now: datetime,
) -> Order:
    priced = []
    for line in lines:
        price = price_line(
            quantity=line.quantity_per_delivery,
            unit_price_ht=contract.unit_price_ht,
            vat_rate=line.product.vat_rate,
            tier_rate=None,
        )
        priced.append(
            OrderLine(
                offer=offers[line.product_id],
                quantity=line.quantity_per_delivery,
                unit_price_ht=contract.unit_price_ht,
                vat_rate=line.product.vat_rate,
                line_ht=price.line_ht,
                line_vat=price.line_vat,
                line_ttc=price.line_ttc,
            )
        )
    order = Order.objects.create(
        cycle=cycle,
        grocery_id=grocery_id,
        contract=contract,
        placed_by=contract.created_by,
        submitted_at=now,
        updated_at=now,
        total_ht=sum((line.line_ht for line in priced), Decimal("0.00")),
        total_ttc=sum((line.line_ttc for line in priced), Decimal("0.00")),
    )
    for order_line in priced:
        order_line.order = order
    OrderLine.objects.bulk_create(priced)
    return order


def _delivered_quantity() -> Coalesce:
    """What a contract line brought: received, else confirmed, else allocated."""
    return Coalesce("received_quantity", "confirmed_quantity", "allocated_quantity", "quantity")


def contract_shortfalls_record(*, cycle: OrderCycle, now: datetime) -> int:
    """Record against their contract the lines of this cycle that came short (at
    confirmation, and again at settlement with what was received); a line that is no longer
    short loses its record. Re-running writes the same rows."""
    rows = (
        OrderLine.objects.filter(order__cycle=cycle, order__contract__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("order__contract_id", "order__grocery_id", "offer__product_id", "quantity")
        .annotate(delivered=_delivered_quantity())
    )
    lines = {
        (line.contract_id, line.grocery_id, line.product_id): line.id
        for line in ContractLine.objects.filter(
            contract_id__in={row["order__contract_id"] for row in rows}
        )
    }
    short = 0
    for row in rows:
        line_id = lines.get(
            (row["order__contract_id"], row["order__grocery_id"], row["offer__product_id"])
        )
        if line_id is None:
            continue
        if row["delivered"] < row["quantity"]:
            ContractShortfall.objects.update_or_create(
                line_id=line_id,
                cycle=cycle,
                defaults={
                    "asked": row["quantity"],
                    "delivered": row["delivered"],
                    "recorded_at": now,
                },
            )
            short += 1
        else:
            ContractShortfall.objects.filter(line_id=line_id, cycle=cycle).delete()
    return short


def contract_statement(*, contract: SeasonContract) -> dict:
    """What the contract delivered, what came short, what was prepaid and what is left, per
    grocery and product and in total (incl. VAT)."""
    deliveries = season_deliveries(contract)
    counted = (
        OrderLine.objects.filter(order__contract=contract)
        .exclude(order__status=OrderStatus.CANCELLED)
        .filter(order__cycle__status__in=COUNTED_IN_DASHBOARDS)
        .values("order__grocery_id", "offer__product_id")
        .annotate(
            asked=Sum("quantity"),
            delivered=Sum(_delivered_quantity()),
            value=Sum("line_ttc"),
        )
        .order_by()
    )
    done = {(row["order__grocery_id"], row["offer__product_id"]): row for row in counted}
    prepaid: dict[int | None, Decimal] = defaultdict(Decimal)
    for prepayment in contract.prepayments.all():
        prepaid[prepayment.grocery_id] += prepayment.amount
    lines: list[dict] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in contract.lines.select_related("product", "grocery__organisation"):
        row = done.get((line.grocery_id, line.product_id), {})
        asked = row.get("asked") or Decimal("0")
        delivered = row.get("delivered") or Decimal("0")
        value = row.get("value") or Decimal("0.00")
        season = _line_value(line, contract.unit_price_ht, deliveries)
        short_value = _line_value(
            LineInput(line.product, line.grocery, asked - delivered), contract.unit_price_ht, 1
        )
        entry: dict[str, Any] = {
            "grocery": line.grocery_id,
            "grocery_name": line.grocery.name,
            "product": line.product_id,
            "product_name": line.product.name,
            "quantity_per_delivery": line.quantity_per_delivery,
            "season_quantity": line.quantity_per_delivery * deliveries,
            "asked": asked,
            "delivered": delivered,
            "short": asked - delivered,
            "season_value": season,
            "delivered_value": value,
            "short_value": short_value,
            "left_value": season - value - short_value,
        }
        lines.append(entry)
        for key in ("season_value", "delivered_value", "short_value", "left_value"):
            totals[key] += entry[key]
    prepaid_total = sum(prepaid.values(), Decimal("0.00"))
    return {
        "contract": contract.id,
        "deliveries": deliveries,
        "lines": lines,
        "shortfalls": [
            {
                "cycle": shortfall.cycle_id,
                "delivery_date": shortfall.cycle.delivery_date,
                "grocery": shortfall.line.grocery_id,
                "product": shortfall.line.product_id,
                "asked": shortfall.asked,
                "delivered": shortfall.delivered,
                "short": shortfall.short,
            }
            for shortfall in ContractShortfall.objects.filter(
                line__contract=contract
            ).select_related("cycle", "line")
        ],
        "prepayments": [
            {
                "funder": prepayment.funder_id,
                "grocery": prepayment.grocery_id,
                "amount": prepayment.amount,
            }
            for prepayment in contract.prepayments.all()
        ],
        **{
            key: totals[key]
            for key in ("season_value", "delivered_value", "short_value", "left_value")
        },
        "prepaid": prepaid_total,
        # The advance not yet covered by deliveries.
        "prepaid_left": max(prepaid_total - totals["delivered_value"], Decimal("0.00")),
    }


def statement_for_grocery(statement: dict, *, grocery_ids: set[int]) -> dict:
    """A statement cut to one grocery's lines, shortfalls and prepayments, with its totals
    (a volunteer never reads the other groceries' quantities)."""
    lines = [line for line in statement["lines"] if line["grocery"] in grocery_ids]
    prepaid = sum(
        (row["amount"] for row in statement["prepayments"] if row["grocery"] in grocery_ids),
        Decimal("0.00"),
    )
    totals = {
        key: sum((line[key] for line in lines), Decimal("0.00"))
        for key in ("season_value", "delivered_value", "short_value", "left_value")
    }
    return {
        **statement,
        "lines": lines,
        "shortfalls": [row for row in statement["shortfalls"] if row["grocery"] in grocery_ids],
        "prepayments": [row for row in statement["prepayments"] if row["grocery"] in grocery_ids],
        **totals,
        "prepaid": prepaid,
        "prepaid_left": max(prepaid - totals["delivered_value"], Decimal("0.00")),
    }

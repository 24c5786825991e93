"""Close-time consolidation: allocate shortages, reprice what changed, build purchase lists.

Everything here runs inside the close (or confirm) transaction, so a crash leaves nothing
half-written and a re-run starts from the same rows. Only lines whose quantity changes are
written: `allocated_quantity` stays null on a line served in full (reads take
Coalesce(allocated_quantity, quantity)). Order totals and envelope commitments move by the
differences of the lines that changed, never by summing every line again.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from accounting.services import envelope_adjust_commitment
from core import db
from orders import funding
from orders.choices import OrderStatus
from orders.models import Order, OrderLine
from orders.pricing import price_line
from orders.quantities import served_quantity
from producers.models import Offer

from .allocation import CONTRACTS, GROCERIES, HOUSEHOLDS, Request, allocate_within
from .models import OrderCycle, PurchaseList, PurchaseListLine

PRICE_FIELDS = ["line_ht", "line_vat", "line_ttc", "beneficiary_share", "subsidy"]
TOTAL_FIELDS = ["total_ht", "total_ttc", "beneficiary_total", "subsidy_total"]
# Above this many orders to move, totals go through COPY and one UPDATE (PostgreSQL).
COPY_THRESHOLD = 50


class LineRow(NamedTuple):
    """An order line as consolidation reads it: one query, plain values."""

    id: int
    offer_id: int
    order_id: int
    envelope_id: int | None
    household_id: int | None
    contract_id: int | None
    submitted_at: datetime
    asked: Decimal
    unit_price_ht: Decimal
    vat_rate: Decimal
    tier_rate: Decimal | None
    allocated: Decimal | None
    confirmed: Decimal | None
    line_ht: Decimal
    line_vat: Decimal
    line_ttc: Decimal
    beneficiary_share: Decimal
    subsidy: Decimal

    @property
    def served(self) -> Decimal:
        """What the line gets after close: its allocation, else what it asked."""
        return self.allocated if self.allocated is not None else self.asked

    @property
    def priced(self) -> Decimal:
        """The quantity its amounts are computed on: confirmed, else served."""
        return self.confirmed if self.confirmed is not None else self.served


ROW_FIELDS = [
    "id",
    "offer_id",
    "order_id",
    "order__envelope_id",
    "order__household_id",
    "order__contract_id",
    "order__submitted_at",
    "quantity",
    "unit_price_ht",
    "vat_rate",
    "tier_rate",
    "allocated_quantity",
    "confirmed_quantity",
    *PRICE_FIELDS,
]


@dataclass
class LineChange:
    row: LineRow
    quantity: Decimal  # the allocated or confirmed quantity being written
    amounts: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]  # as PRICE_FIELDS

    @classmethod
    def priced(cls, row: LineRow, quantity: Decimal) -> "LineChange":
        price = price_line(
            quantity=quantity,
            unit_price_ht=row.unit_price_ht,
            vat_rate=row.vat_rate,
            tier_rate=row.tier_rate,
        )
        return cls(
            row,
            quantity,
            (price.line_ht, price.line_vat, price.line_ttc, price.beneficiary_share, price.subsidy),
        )

    def total_deltas(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """How the order's total_ht, total_ttc, beneficiary_total, subsidy_total move."""
        line_ht, _vat, line_ttc, share, subsidy = self.amounts
        row = self.row
        return (
            line_ht - row.line_ht,
            line_ttc - row.line_ttc,
            share - row.beneficiary_share,
            subsidy - row.subsidy,
        )


def offer_demand(cycle_id: int) -> list[dict]:
    """Per offer of the cycle: available, pack size and the sum asked by live orders.

    One aggregate over the lines of the cycle's offers (named by id, which PostgreSQL hashes:
    about as cheap as a plain GROUP BY), less the lines of cancelled orders, which are few
    and found through their orders.
    """
    offers = list(
        Offer.objects.filter(cycle_id=cycle_id).values(
            "id", "quantity_available", "product__pack_size", "product__producer_id"
        )
    )
    offer_ids = [offer["id"] for offer in offers]
    demand: dict[int, Decimal] = defaultdict(Decimal)
    for lines, sign in (
        (OrderLine.objects.filter(offer_id__in=offer_ids), 1),
        (
            OrderLine.objects.filter(order__cycle_id=cycle_id, order__status=OrderStatus.CANCELLED),
            -1,
        ),
    ):
        sums = lines.values("offer_id").annotate(total=Sum("quantity")).order_by()
        for offer_id, total in sums.values_list("offer_id", "total"):
            demand[offer_id] += sign * total
    return [{**offer, "demand": demand[offer["id"]]} for offer in offers]


def _rows(lines: QuerySet[OrderLine]) -> list[LineRow]:
    # One client-side fetch: a server-side cursor's round trips cost more than the memory
    # (about 75 000 rows of a quarter of the offers at production size).
    return [LineRow(*values) for values in lines.values_list(*ROW_FIELDS).order_by()]


def _rows_by_offer(offer_ids: Iterable[int]) -> dict[int, list[LineRow]]:
    by_offer = defaultdict(list)
    for row in _rows(OrderLine.objects.live().filter(offer_id__in=list(offer_ids))):
        by_offer[row.offer_id].append(row)
    return by_offer


def _group(row: LineRow) -> int:
    if row.contract_id is not None:
        return CONTRACTS
    return HOUSEHOLDS if row.household_id is not None else GROCERIES


def _reallocate(
    rows: list[LineRow],
    supply: Decimal,
    pack_size: Decimal,
    rule: str,
    current: Callable[[LineRow], Decimal],
    ceiling: Callable[[LineRow], Decimal],
) -> list[LineChange]:
    """Share `supply` among the rows by the rule, on what they asked, none above
    `ceiling(row)`; answer the rows whose share differs from `current(row)`, repriced on
    their share."""
    requests = [
        Request(
            line_id=row.id,
            group=_group(row),
            asked=row.asked,
            submitted_at=row.submitted_at,
        )
        for row in rows
    ]
    ceilings = {row.id: ceiling(row) for row in rows}
    shares = allocate_within(requests, supply, pack_size, rule, ceilings)
    return [
        LineChange.priced(row, shares[row.id]) for row in rows if shares[row.id] != current(row)
    ]


def _write_lines(changes: list[LineChange], quantity_field: str) -> None:
    """Write the changed lines: COPY into a temporary table and one UPDATE joining it on
    PostgreSQL (one pass over the lines); bulk_update elsewhere."""
    if not changes:
        return
    db.rows_update(
        OrderLine,
        [quantity_field, *PRICE_FIELDS],
        ((change.row.id, change.quantity, *change.amounts) for change in changes),
    )


def _move_totals(changes: list[LineChange]) -> int:
    """Order totals and envelope commitments move by the differences of the changed lines."""
    per_order: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal("0")] * 4)
    per_envelope: dict[int, Decimal] = defaultdict(Decimal)
    # Co-funded household orders carry no single envelope: each line's split moves.
    cofunded = funding.order_shares(
        {
            change.row.order_id
            for change in changes
            if change.row.household_id is not None and change.row.envelope_id is None
        }
    )
    for change in changes:
        deltas = change.total_deltas()
        totals = per_order[change.row.order_id]
        for index, delta in enumerate(deltas):
            totals[index] += delta
        if change.row.envelope_id is not None:
            per_envelope[change.row.envelope_id] += deltas[3]
        elif change.row.order_id in cofunded:
            moves = funding.envelope_deltas(
                [change.row.subsidy], [change.amounts[4]], cofunded[change.row.order_id]
            )
            for envelope_id, delta in moves.items():
                per_envelope[envelope_id] += delta
    moved = {order_id: deltas for order_id, deltas in per_order.items() if any(deltas)}
    db.rows_update(
        Order,
        TOTAL_FIELDS,
        ((order_id, *deltas) for order_id, deltas in moved.items()),
        add=True,
        copy_from=COPY_THRESHOLD,
    )
    # Envelopes in id order: the same lock order as every other writer.
    for envelope_id, delta in sorted(per_envelope.items()):
        envelope_adjust_commitment(envelope_id=envelope_id, delta=delta)
    return len(moved)


def cycle_allocate(*, cycle: OrderCycle, progress: Callable[[float], None]) -> dict:
    """Allocate every offer of a closed cycle, writing only the lines whose quantity changes."""
    offers = offer_demand(cycle.id)
    progress(10)
    enough = [offer["id"] for offer in offers if offer["demand"] <= offer["quantity_available"]]
    short = {
        offer["id"]: offer for offer in offers if offer["demand"] > offer["quantity_available"]
    }
    # A line reduced by an earlier close of this cycle whose offer now suffices: back in full.
    restored = OrderLine.objects.live().filter(
        offer_id__in=enough, allocated_quantity__isnull=False
    )
    changes = [LineChange.priced(row, row.asked) for row in _rows(restored)]
    progress(20)
    by_offer = _rows_by_offer(short)
    progress(40)
    for offer_id, rows in by_offer.items():
        offer = short[offer_id]
        changes.extend(
            _reallocate(
                rows,
                offer["quantity_available"],
                offer["product__pack_size"],
                cycle.allocation_rule,
                current=lambda row: row.served,
                # A close shares afresh: up to what each line asked.
                ceiling=lambda row: row.asked,
            )
        )
    progress(55)
    _write_lines(changes, "allocated_quantity")
    progress(75)
    orders = _move_totals(changes)
    progress(85)
    return {
        "offers": len(offers),
        "short_offers": len(short),
        "lines_reallocated": len(changes),
        "orders_repriced": orders,
    }


def purchase_lists_build(*, cycle: OrderCycle, now: datetime) -> int:
    """One purchase list per producer with demand; its lines are database sums per offer."""
    sums = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle)
        .values("offer_id", "offer__product__producer_id", "offer__product__name")
        .annotate(
            ordered=Sum("quantity"),
            allocated=Sum(Coalesce("allocated_quantity", "quantity")),
        )
        .order_by("offer_id")
    )
    PurchaseListLine.objects.filter(purchase_list__cycle=cycle).delete()
    lists = {}
    lines = []
    for row in sums:
        producer_id = row["offer__product__producer_id"]
        if producer_id not in lists:
            lists[producer_id], _ = PurchaseList.objects.get_or_create(
                cycle=cycle, producer_id=producer_id, defaults={"created_at": now}
            )
        lines.append(
            PurchaseListLine(
                purchase_list=lists[producer_id],
                offer_id=row["offer_id"],
                product_name=row["offer__product__name"],
                ordered_quantity=row["ordered"],
                allocated_quantity=row["allocated"],
            )
        )
    PurchaseListLine.objects.bulk_create(lines)
    return len(lists)


def confirmed_reallocate(*, cycle: OrderCycle, confirmations: dict[int, Decimal]) -> int:
    """Apply confirmed quantities per offer to the order lines (DESIGN.md §4.3).

    An offer confirmed in full confirms each line's allocation; one confirmed short is
    allocated again, by the same rule, on the quantities originally asked with S = the
    confirmed quantity, no line getting more than its allocation. Lines whose priced
    quantity moves are repriced, and their orders and envelopes follow.
    """
    allocated = dict(
        PurchaseListLine.objects.filter(offer_id__in=list(confirmations)).values_list(
            "offer_id", "allocated_quantity"
        )
    )
    pack_sizes = dict(
        Offer.objects.filter(id__in=list(confirmations)).values_list("id", "product__pack_size")
    )
    changes: list[LineChange] = []
    for offer_id, rows in _rows_by_offer(confirmations).items():
        supply = confirmations[offer_id]
        if supply == allocated[offer_id]:
            # Confirmed in full: each line gets what it was allocated.
            changes.extend(
                LineChange.priced(row, row.served) for row in rows if row.priced != row.served
            )
        else:
            changes.extend(
                _reallocate(
                    rows,
                    supply,
                    pack_sizes[offer_id],
                    cycle.allocation_rule,
                    current=lambda row: row.priced,
                    ceiling=lambda row: row.served,
                )
            )
    # Lines not yet confirmed are marked with what they are served; the changed ones are
    # then written over with their new share and price.
    OrderLine.objects.live().filter(
        offer_id__in=list(confirmations), confirmed_quantity__isnull=True
    ).update(confirmed_quantity=served_quantity())
    _write_lines(changes, "confirmed_quantity")
    _move_totals(changes)
    return len(changes)


def received_changes(*, cycle: OrderCycle) -> list[LineChange]:
    """The lines whose received quantity differs from the quantity they are priced on,
    repriced on what was received (DESIGN.md §5.1). Reads only; see `received_apply`."""
    lines = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle, received_quantity__isnull=False)
        .exclude(received_quantity=served_quantity())
    )
    received = dict(lines.values_list("id", "received_quantity"))
    return [LineChange.priced(row, received[row.id]) for row in _rows(lines)]


def received_apply(changes: list[LineChange]) -> int:
    """Write the repriced received lines; orders and envelope commitments follow."""
    _write_lines(changes, "received_quantity")
    return _move_totals(changes)

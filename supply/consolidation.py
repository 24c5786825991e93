"""Close-time consolidation: allocate shortages, reprice what changed, build purchase lists.

Everything here runs inside the close (or confirm) transaction, so a crash leaves nothing
half-written and a re-run starts from the same rows. Writes are set-based: one UPDATE for the
lines of offers with enough supply, and one batched UPDATE for the lines of short offers; the
database does the sums.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounting.models import Envelope
from orders.choices import OrderStatus
from orders.models import Order, OrderLine
from orders.pricing import price_line
from producers.models import Offer

from .allocation import GROCERIES, HOUSEHOLDS, Request, allocate
from .models import OrderCycle, PurchaseList, PurchaseListLine

LIVE = ~Q(order__status=OrderStatus.CANCELLED)
MONEY = DecimalField(max_digits=14, decimal_places=2)
QUANTITY = DecimalField(max_digits=14, decimal_places=3)
PRICE_FIELDS = ["line_ht", "line_vat", "line_ttc", "beneficiary_share", "subsidy"]


@dataclass
class LineChange:
    line_id: int
    quantity: Decimal  # the allocated or confirmed quantity being written
    amounts: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]


def offer_demand(cycle_id: int):
    """Per offer of the cycle: available, pack size and the sum asked, in one aggregate."""
    return (
        Offer.objects.filter(cycle_id=cycle_id)
        .values("id", "quantity_available", "product__pack_size", "product__producer_id")
        .annotate(
            demand=Coalesce(
                Sum("lines__quantity", filter=~Q(lines__order__status=OrderStatus.CANCELLED)),
                Value(Decimal("0")),
                output_field=QUANTITY,
            )
        )
    )


def _requests_by_offer(offer_ids: Iterable[int]) -> dict[int, list[tuple]]:
    rows = (
        OrderLine.objects.filter(LIVE, offer_id__in=list(offer_ids))
        .values_list(
            "id",
            "offer_id",
            "quantity",
            "order__household_id",
            "order__submitted_at",
            "unit_price_ht",
            "vat_rate",
            "tier_rate",
        )
        .order_by()
    )
    by_offer = defaultdict(list)
    for row in rows.iterator(chunk_size=10_000):
        by_offer[row[1]].append(row)
    return by_offer


def _reallocate(rows: list[tuple], supply: Decimal, pack_size: Decimal, rule: str) -> list:
    requests = [
        Request(
            line_id=row[0],
            group=HOUSEHOLDS if row[3] is not None else GROCERIES,
            asked=row[2],
            submitted_at=row[4],
        )
        for row in rows
    ]
    shares = allocate(requests, supply, pack_size, rule)
    changes = []
    for line_id, _offer, _asked, _household, _at, unit_price, vat_rate, tier_rate in rows:
        quantity = shares[line_id]
        price = price_line(
            quantity=quantity, unit_price_ht=unit_price, vat_rate=vat_rate, tier_rate=tier_rate
        )
        changes.append(
            LineChange(
                line_id,
                quantity,
                (
                    price.line_ht,
                    price.line_vat,
                    price.line_ttc,
                    price.beneficiary_share,
                    price.subsidy,
                ),
            )
        )
    return changes


def _write_line_changes(changes: list[LineChange], quantity_field: str) -> None:
    """One UPDATE … FROM (VALUES …) per batch on PostgreSQL; bulk_update elsewhere."""
    if not changes:
        return
    table = OrderLine._meta.db_table
    if connection.vendor == "postgresql":
        columns = [quantity_field, *PRICE_FIELDS]
        assignments = ", ".join(f"{column} = v.{column}" for column in columns)
        with connection.cursor() as cursor:
            for start in range(0, len(changes), 5000):
                batch = changes[start : start + 5000]
                values = ", ".join(
                    [
                        "(%s, %s::numeric, %s::numeric, %s::numeric, %s::numeric,"
                        " %s::numeric, %s::numeric)"
                    ]
                    * len(batch)
                )
                parameters = [
                    item
                    for change in batch
                    for item in (change.line_id, change.quantity, *change.amounts)
                ]
                cursor.execute(
                    f"UPDATE {table} AS l SET {assignments} FROM (VALUES {values}) "
                    f"AS v(id, {', '.join(columns)}) WHERE l.id = v.id",
                    parameters,
                )
        return
    lines = []
    for change in changes:
        line = OrderLine(id=change.line_id)
        setattr(line, quantity_field, change.quantity)
        for name, amount in zip(PRICE_FIELDS, change.amounts, strict=True):
            setattr(line, name, amount)
        lines.append(line)
    OrderLine.objects.bulk_update(lines, [quantity_field, *PRICE_FIELDS], batch_size=2000)


def _refresh_order_totals(order_ids: list[int]) -> None:
    """Order totals = sums of their lines; subsidy commitments follow, per envelope."""
    if not order_ids:
        return
    before = dict(
        Order.objects.filter(id__in=order_ids, envelope__isnull=False).values_list(
            "id", "subsidy_total"
        )
    )
    sums = {}
    for field, total in (
        ("line_ht", "total_ht"),
        ("line_ttc", "total_ttc"),
        ("beneficiary_share", "beneficiary_total"),
        ("subsidy", "subsidy_total"),
    ):
        subquery = (
            OrderLine.objects.filter(order_id=OuterRef("pk"))
            .order_by()
            .values("order_id")
            .annotate(total=Sum(field))
            .values("total")
        )
        sums[total] = Coalesce(Subquery(subquery, output_field=MONEY), Value(Decimal("0.00")))
    for start in range(0, len(order_ids), 5000):
        Order.objects.filter(id__in=order_ids[start : start + 5000]).update(**sums)
    if not before:
        return
    deltas = defaultdict(Decimal)
    after = Order.objects.filter(id__in=list(before)).values_list(
        "id", "envelope_id", "subsidy_total"
    )
    for order_id, envelope_id, subsidy_total in after:
        deltas[envelope_id] += subsidy_total - before[order_id]
    for envelope_id, delta in sorted(deltas.items()):
        if delta:
            Envelope.objects.filter(pk=envelope_id).update(committed=F("committed") + delta)


def cycle_allocate(*, cycle: OrderCycle, progress: Callable[[float], None]) -> dict:
    """Allocate every offer of a closed cycle; write only the lines that need it."""
    offers = list(offer_demand(cycle.id))
    progress(10)
    enough = [offer["id"] for offer in offers if offer["demand"] <= offer["quantity_available"]]
    short = {
        offer["id"]: offer for offer in offers if offer["demand"] > offer["quantity_available"]
    }
    OrderLine.objects.filter(LIVE, offer_id__in=enough).update(allocated_quantity=F("quantity"))
    progress(30)
    changes = []
    by_offer = _requests_by_offer(short)
    progress(45)
    for offer_id, rows in by_offer.items():
        offer = short[offer_id]
        changes.extend(
            _reallocate(
                rows,
                offer["quantity_available"],
                offer["product__pack_size"],
                cycle.allocation_rule,
            )
        )
    progress(60)
    _write_line_changes(changes, "allocated_quantity")
    progress(75)
    affected = list(
        Order.objects.filter(cycle=cycle, lines__offer_id__in=list(short))
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("id", flat=True)
        .distinct()
    )
    _refresh_order_totals(affected)
    progress(85)
    return {"offers": len(offers), "short_offers": len(short), "lines_reallocated": len(changes)}


def purchase_lists_build(*, cycle: OrderCycle, now) -> int:
    """One purchase list per producer with demand; its lines are database sums per offer."""
    sums = (
        OrderLine.objects.filter(LIVE, order__cycle=cycle)
        .values("offer_id", "offer__product__producer_id")
        .annotate(ordered=Sum("quantity"), allocated=Sum("allocated_quantity"))
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
                ordered_quantity=row["ordered"],
                allocated_quantity=row["allocated"] or Decimal("0"),
            )
        )
    PurchaseListLine.objects.bulk_create(lines)
    return len(lists)


def confirmed_reallocate(*, cycle: OrderCycle, confirmations: dict[int, Decimal]) -> int:
    """Apply confirmed quantities per offer to the order lines (DESIGN.md §4.3).

    An offer confirmed in full keeps its allocation; one confirmed short is allocated again,
    by the same rule, on the quantities originally asked with S = the confirmed quantity.
    """
    allocated = dict(
        PurchaseListLine.objects.filter(offer_id__in=list(confirmations)).values_list(
            "offer_id", "allocated_quantity"
        )
    )
    full = [offer for offer, quantity in confirmations.items() if quantity == allocated[offer]]
    # Lines priced on an earlier, smaller answer of the producer are priced again.
    stale = list(
        OrderLine.objects.filter(LIVE, offer_id__in=full, confirmed_quantity__isnull=False)
        .exclude(confirmed_quantity=F("allocated_quantity"))
        .values_list("id", flat=True)
    )
    OrderLine.objects.filter(LIVE, offer_id__in=full).update(
        confirmed_quantity=F("allocated_quantity")
    )
    reprice_full = _reprice(OrderLine.objects.filter(id__in=stale), "confirmed_quantity")
    short = {offer: quantity for offer, quantity in confirmations.items() if offer not in full}
    pack_sizes = dict(
        Offer.objects.filter(id__in=list(short)).values_list("id", "product__pack_size")
    )
    changes = []
    for offer_id, rows in _requests_by_offer(short).items():
        changes.extend(
            _reallocate(rows, short[offer_id], pack_sizes[offer_id], cycle.allocation_rule)
        )
    _write_line_changes(changes, "confirmed_quantity")
    affected = list(
        Order.objects.filter(cycle=cycle, lines__offer_id__in=list(confirmations))
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("id", flat=True)
        .distinct()
    )
    _refresh_order_totals(affected)
    return len(changes) + reprice_full


def _reprice(lines, quantity_field: str) -> int:
    changes = []
    for line_id, quantity, unit_price, vat_rate, tier_rate in lines.values_list(
        "id", quantity_field, "unit_price_ht", "vat_rate", "tier_rate"
    ):
        price = price_line(
            quantity=quantity, unit_price_ht=unit_price, vat_rate=vat_rate, tier_rate=tier_rate
        )
        changes.append(
            LineChange(
                line_id,
                quantity,
                (
                    price.line_ht,
                    price.line_vat,
                    price.line_ttc,
                    price.beneficiary_share,
                    price.subsidy,
                ),
            )
        )
    _write_line_changes(changes, quantity_field)
    return len(changes)

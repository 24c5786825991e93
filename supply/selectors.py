from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.access import Actor
from core.choices import Role
from orders.choices import OrderStatus
from orders.models import OrderLine, destination_grocery_id
from orders.pricing import price_line
from orders.quantities import delivered_quantity, served_quantity
from producers.models import Offer
from producers.selectors import offer_list

from .choices import FINISHED, CycleStatus, PurchaseListStatus
from .models import (
    ContractLine,
    CycleSchedule,
    OrderCycle,
    PurchaseList,
    PurchaseListLine,
    SeasonContract,
)

MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)
WEIGHT: DecimalField = DecimalField(max_digits=16, decimal_places=3)


def cycle_list(*, actor: Actor) -> QuerySet[OrderCycle]:
    # Cycles are the platform's calendar: every logged-in role reads them.
    return OrderCycle.objects.order_by("-delivery_date", "-id")


def schedule_list(*, actor: Actor) -> QuerySet[CycleSchedule]:
    if actor.role != Role.COORDINATOR:
        return CycleSchedule.objects.none()
    return CycleSchedule.objects.select_related("hub").order_by(
        "-is_active", "delivery_weekday", "id"
    )


def contract_list(*, actor: Actor) -> QuerySet[SeasonContract]:
    """Contracts: all for the coordinator, its own for a producer, those with a line for its
    grocery for a volunteer (who reads what is coming under contract)."""
    contracts = (
        SeasonContract.objects.select_related(
            "producer__organisation", "coordinator_signed_by", "producer_signed_by"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ContractLine.objects.select_related("product", "grocery__organisation"),
            )
        )
        .order_by("-first_delivery", "-id")
    )
    if actor.role == Role.COORDINATOR:
        return contracts
    if actor.role == Role.PRODUCER:
        return contracts.filter(producer__organisation_id=actor.organisation_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        return (
            contracts.filter(lines__grocery__organisation_id=actor.organisation_id)
            .exclude(status="draft")
            .distinct()
        )
    return contracts.none()


def purchase_lists_with_lines() -> QuerySet[PurchaseList]:
    """Purchase lists with what their documents read: producer, cycle, hub, lines by product."""
    return (
        PurchaseList.objects.select_related(
            "producer__organisation", "cycle", "cycle__hub", "answered_by"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PurchaseListLine.objects.select_related("offer__product").order_by(
                    "offer__product__name", "offer_id"
                ),
            )
        )
        .order_by("producer__organisation__name", "id")
    )


def purchase_list_list(*, actor: Actor) -> QuerySet[PurchaseList]:
    lists = purchase_lists_with_lines()
    if actor.role == Role.COORDINATOR:
        return lists
    if actor.role == Role.PRODUCER:
        return lists.filter(producer__organisation_id=actor.organisation_id)
    return lists.none()


def with_line_totals(purchase_lists) -> list[PurchaseList]:
    """Price each purchase list line as the purchase order reads: its quantity (confirmed once
    the producer answered, else allocated) × the offer's price, rounded on the line
    (DESIGN.md §4.1), so that the order never changes after the goods arrive; beside it,
    `received_quantity`: what the groceries recorded (their lines not recorded yet count as
    confirmed), None before any reception. Each list gets its totals and `received` (whether
    any of its lines was received).

    What the producer is paid is the statement's: the sum of the order lines' own amounts on
    what was received (accounting.settlement), which can differ from the order by cents.
    """
    purchase_lists = list(purchase_lists)
    offer_ids = [line.offer_id for item in purchase_lists for line in item.lines.all()]
    received = dict(
        OrderLine.objects.live()
        .filter(offer_id__in=offer_ids)
        .values("offer_id")
        .annotate(
            delivered=Sum(delivered_quantity()),
            recorded=Count("id", filter=Q(received_quantity__isnull=False)),
        )
        .filter(recorded__gt=0)
        .order_by()
        .values_list("offer_id", "delivered")
    )
    for item in purchase_lists:
        for line in item.lines.all():
            quantity = (
                line.confirmed_quantity
                if line.confirmed_quantity is not None
                else line.allocated_quantity
            )
            price = price_line(
                quantity=quantity,
                unit_price_ht=line.offer.unit_price_ht,
                vat_rate=line.offer.product.vat_rate,
                tier_rate=None,
            )
            line.total_ht, line.total_ttc = price.line_ht, price.line_ttc
            line.weight_kg = quantity * line.offer.product.unit_weight_kg
            line.received_quantity = received.get(line.offer_id)
            line.received_difference = (
                None if line.received_quantity is None else line.received_quantity - quantity
            )
        lines = item.lines.all()
        item.total_ht = sum((line.total_ht for line in lines), Decimal("0.00"))
        item.total_ttc = sum((line.total_ttc for line in lines), Decimal("0.00"))
        item.weight_kg = sum((line.weight_kg for line in lines), Decimal("0.000"))
        item.received = any(line.received_quantity is not None for line in lines)
    return purchase_lists


def packing_rows(*, cycle_id: int, actor: Actor):
    """What goes into each grocery's crates: its grouped order and the household orders
    picked up there (by reference), one row per order line, as named values whose names are
    the CSV header."""
    packed = served_quantity()
    lines = OrderLine.objects.live().filter(order__cycle_id=cycle_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        lines = lines.filter(
            Q(order__grocery__organisation_id=actor.organisation_id)
            | Q(order__household__pickup_grocery__organisation_id=actor.organisation_id)
        )
    elif actor.role != Role.COORDINATOR:
        lines = lines.none()
    # Grouped by grocery, then order (the grouped order first, households by reference as
    # they were numbered): integer keys sort fast on 300 000 lines.
    return lines.order_by(
        destination_grocery_id(),
        "order__household_id",
        "order_id",
        "id",
    ).values(
        grocery=destination_grocery_id(),
        grocery_name=Coalesce(
            "order__grocery__organisation__name",
            "order__household__pickup_grocery__organisation__name",
        ),
        order_number=F("order_id"),
        household=Coalesce("order__household__reference", Value("")),
        producer_name=F("offer__product__producer__organisation__name"),
        # The name at close once the cycle closed (its purchase list line), else today's.
        product_name=Coalesce("offer__purchase_list_line__product_name", "offer__product__name"),
        unit=F("offer__product__unit"),
        asked_quantity=F("quantity"),
        packed_quantity=packed,
        weight_kg=ExpressionWrapper(packed * F("offer__product__unit_weight_kg"), WEIGHT),
    )


def home_for_coordinator(*, actor: Actor, now) -> dict:
    """Cycles still running, each with its orders and the purchase lists awaiting an answer
    (a cancelled draft is no longer running: its schedule's page still shows it)."""
    cycles = (
        OrderCycle.objects.exclude(status__in=FINISHED | {CycleStatus.CANCELLED})
        .annotate(
            order_count=Count(
                "orders", filter=~Q(orders__status=OrderStatus.CANCELLED), distinct=True
            ),
            lists_waiting=Count(
                "purchase_lists",
                filter=Q(purchase_lists__status=PurchaseListStatus.SENT),
                distinct=True,
            ),
        )
        .order_by("delivery_date", "id")
    )
    return {"cycles": cycles}


def orders_by_grocery(*, cycle: OrderCycle) -> QuerySet:
    """An open cycle's orders for the coordinator, per grocery: its grouped order's total and
    its households' orders (how many, their total), market value incl. VAT; one query."""
    return (
        OrderLine.objects.live()
        .filter(order__cycle=cycle)
        .annotate(
            place=destination_grocery_id(),
            name=Coalesce(
                "order__grocery__organisation__name",
                "order__household__pickup_grocery__organisation__name",
            ),
        )
        .values("place", "name")
        .annotate(
            grouped_ttc=Sum("line_ttc", filter=Q(order__grocery__isnull=False)),
            households=Count("order__household", distinct=True),
            households_ttc=Sum("line_ttc", filter=Q(order__household__isnull=False)),
        )
        .order_by("name", "place")
    )


def orders_by_product(*, actor: Actor, cycle: OrderCycle) -> QuerySet[Offer]:
    """An open cycle's offers with what is asked of each (producers.selectors.offer_list's
    quantity_ordered) and what is left, the short ones first."""
    return (
        offer_list(actor=actor)
        .filter(cycle=cycle)
        .annotate(
            left=F("quantity_available") - F("quantity_ordered"),
            short=F("quantity_ordered") - F("quantity_available"),
        )
        .order_by("left", "product__name")
    )

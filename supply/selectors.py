from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.access import Actor
from core.choices import Role
from orders.choices import OrderStatus
from orders.models import OrderLine

from .models import OrderCycle, PurchaseList, PurchaseListLine

MONEY = DecimalField(max_digits=14, decimal_places=2)
WEIGHT = DecimalField(max_digits=16, decimal_places=3)


def cycle_list(*, actor: Actor) -> QuerySet[OrderCycle]:
    # Cycles are the platform's calendar: every logged-in role reads them.
    return OrderCycle.objects.order_by("-delivery_date", "-id")


def _line_sum(field: str):
    lines = (
        OrderLine.objects.filter(offer_id=OuterRef("offer_id"))
        .exclude(order__status=OrderStatus.CANCELLED)
        .order_by()
        .values("offer_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=MONEY), Value(Decimal("0.00")))


def purchase_list_lines():
    """Lines with their money summed from the order lines, per offer, in the database."""
    effective = Coalesce("confirmed_quantity", "allocated_quantity")
    return (
        PurchaseListLine.objects.select_related("offer__product")
        .annotate(
            total_ht=_line_sum("line_ht"),
            total_ttc=_line_sum("line_ttc"),
            weight_kg=ExpressionWrapper(
                effective * F("offer__product__unit_weight_kg"), output_field=WEIGHT
            ),
        )
        .order_by("offer__product__name", "offer_id")
    )


def purchase_list_list(*, actor: Actor) -> QuerySet[PurchaseList]:
    lists = (
        PurchaseList.objects.select_related("producer", "cycle", "cycle__hub")
        .prefetch_related(Prefetch("lines", queryset=purchase_list_lines()))
        .order_by("producer__name", "id")
    )
    if actor.role == Role.COORDINATOR:
        return lists
    if actor.role == Role.PRODUCER:
        return lists.filter(producer__organisation_id=actor.organisation_id)
    return lists.none()


def packing_rows(*, cycle_id: int, actor: Actor):
    """What goes into each grocery's crates: its grouped order and the household orders
    picked up there (by reference), one row per order line, as plain values."""
    quantity = Coalesce("confirmed_quantity", "allocated_quantity", "quantity")
    lines = (
        OrderLine.objects.filter(order__cycle_id=cycle_id)
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(
            grocery_id=Coalesce("order__grocery_id", "order__household__pickup_grocery_id"),
            packed_quantity=quantity,
        )
    )
    if actor.role == Role.GROCERY_VOLUNTEER:
        lines = lines.filter(
            Q(order__grocery__organisation_id=actor.organisation_id)
            | Q(order__household__pickup_grocery__organisation_id=actor.organisation_id)
        )
    elif actor.role != Role.COORDINATOR:
        return lines.none().values()
    return lines.order_by("grocery_id", "order__household__reference", "order_id", "id").values(
        "grocery_id",
        "order_id",
        "order__household__reference",
        "offer__product__producer__name",
        "offer__product__name",
        "offer__product__unit",
        "quantity",
        "packed_quantity",
        "offer__product__unit_weight_kg",
    )

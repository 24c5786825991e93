"""Who pays for the rounds (DESIGN.md §5.4): the cycle's rounds' cost shared among its
groceries, an accounting rule that reads the logistics app's rounds."""

from decimal import Decimal

from django.db.models import Sum

from core.money import split_to_the_cent
from logistics.models import Round
from orders.models import OrderLine, destination_grocery_id
from orders.quantities import delivered_weight_kg
from supply.models import OrderCycle


def logistics_cost_shares(*, cycle: OrderCycle, rule: str = "by_weight") -> dict[int, Decimal]:
    """`by_weight` (default) pro rata to delivered kg, `by_value` to goods incl. VAT, `equal`
    alike, among the groceries that receive something. Shares are rounded to the cent by the
    largest remainder, so they add up to the total exactly."""
    total = Round.objects.filter(cycle=cycle).aggregate(total=Sum("cost_eur"))["total"]
    lines = (
        OrderLine.objects.live()
        .filter(order__cycle=cycle)
        .annotate(place=destination_grocery_id())
        .values("place")
    )
    if rule == "by_value":
        weights = dict(lines.annotate(weight=Sum("line_ttc")).values_list("place", "weight"))
    else:
        kilograms = lines.annotate(weight=Sum(delivered_weight_kg())).values_list("place", "weight")
        weights = {place: kg for place, kg in kilograms if kg > 0}
        if rule == "equal":
            weights = dict.fromkeys(weights, Decimal("1"))
    return split_to_the_cent(total or Decimal("0.00"), weights)

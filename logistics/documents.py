"""The printable route sheet of a round (HTML template printed by WeasyPrint)."""

from collections import defaultdict

from django.conf import settings
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from orders.choices import OrderStatus
from orders.models import OrderLine

from .choices import RoundKind, StopKind
from .models import Round


def _goods(round_: Round) -> dict[int, list[dict]]:
    """What is loaded at each producer or unloaded at each grocery, product by product."""
    served = Coalesce("confirmed_quantity", "allocated_quantity", "quantity")
    lines = OrderLine.objects.filter(order__cycle=round_.cycle).exclude(
        order__status=OrderStatus.CANCELLED
    )
    if round_.kind == RoundKind.COLLECTION:
        place = F("offer__product__producer_id")
    else:
        place = Coalesce("order__grocery_id", "order__household__pickup_grocery_id")
    rows = (
        lines.annotate(place=place)
        .values("place", "offer__product__name", "offer__product__unit")
        .annotate(quantity=Sum(served))
        .order_by("place", "offer__product__name")
    )
    goods = defaultdict(list)
    for row in rows:
        if row["quantity"]:
            goods[row["place"]].append(row)
    return goods


def route_sheet_pdf(*, round_: Round) -> bytes:
    goods = _goods(round_)
    stops = [
        {
            "stop": stop,
            "goods": goods.get(stop.place_id, []) if stop.kind != StopKind.HUB else [],
        }
        for stop in round_.stops.all()
    ]
    context = {
        "round": round_,
        "cycle": round_.cycle,
        "stops": stops,
        "printed_at": timezone.localtime(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("logistics/route_sheet.html", context)
    return HTML(string=html).write_pdf()

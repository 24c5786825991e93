"""The printable route sheet of a round (HTML template printed by WeasyPrint)."""

from collections import defaultdict

from django.db.models import F, Sum
from django.db.models.functions import Coalesce

from core.documents import pdf_from_template
from orders.models import Grocery, OrderLine, destination_grocery_id
from orders.quantities import served_quantity
from producers.models import Producer

from .choices import RoundKind, StopKind
from .models import Hub, Round, RoundStop


def _goods(round_: Round) -> dict[int, list[dict]]:
    """What is loaded at each producer or unloaded at each grocery, product by product."""
    lines = OrderLine.objects.live().filter(order__cycle=round_.cycle)
    place: F | Coalesce = (
        F("offer__product__producer_id")
        if round_.kind == RoundKind.COLLECTION
        else destination_grocery_id()
    )
    rows = (
        lines.annotate(place=place)
        .values("place", "offer__product__name", "offer__product__unit")
        .annotate(quantity=Sum(served_quantity()))
        .order_by("place", "offer__product__name")
    )
    goods = defaultdict(list)
    for row in rows:
        if row["quantity"]:
            goods[row["place"]].append(row)
    return goods


def _places(stops: list[RoundStop]) -> dict[tuple[str, int], dict]:
    """The address and phone of each place of the round, by (kind, id)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for stop in stops:
        ids[stop.kind].add(stop.place_id)
    models = {StopKind.HUB: Hub, StopKind.PRODUCER: Producer, StopKind.GROCERY: Grocery}
    places: dict[tuple[str, int], dict] = {}
    for kind, model in models.items():
        rows = model.objects.filter(pk__in=ids[kind]).values("id", "address", "phone")
        places.update({(kind, row["id"]): row for row in rows})
    return places


def route_sheet_pdf(*, round_: Round) -> bytes:
    goods = _goods(round_)
    round_stops = list(round_.stops.all())
    trips = {trip.trip: trip for trip in round_.trips.all()}
    places = _places(round_stops)
    stops = []
    for index, stop in enumerate(round_stops):
        item = {
            "stop": stop,
            "place": places.get((stop.kind, stop.place_id), {}),
            "goods": goods.get(stop.place_id, []) if stop.kind != StopKind.HUB else [],
        }
        if stop.kind == StopKind.HUB:
            # The trip that ends at this hub stop, and the one it starts (its reload).
            last = index == len(round_stops) - 1
            item["ending"] = trips.get(stop.trip if last else stop.trip - 1) if index else None
            item["starting"] = None if last else trips.get(stop.trip)
        stops.append(item)
    context = {
        "round": round_,
        "cycle": round_.cycle,
        "stops": stops,
        "trips": list(trips.values()),
    }
    return pdf_from_template("logistics/route_sheet.html", context)

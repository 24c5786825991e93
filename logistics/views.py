"""The map of a cycle's rounds over the communes and priority neighbourhoods.

Leaflet is served from our static files and no tile server is used: the contours of the
communes of the Nord (a static file) and the zones are the background, so the page works on
a municipal network without outside access.
"""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.choices import Role
from core.views import role_required
from supply.models import OrderCycle

from .models import Zone
from .selectors import round_list, rounds_geojson, stop_communes


@role_required(Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.PRODUCER)
def cycle_map(request, cycle_id: int):
    actor = request.actor
    cycle = get_object_or_404(OrderCycle.objects.select_related("hub"), pk=cycle_id)
    rounds = list(round_list(actor=actor, cycle=cycle))
    totals = actor.role == Role.COORDINATOR
    zones = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": zone.geometry,
                "properties": {"name": zone.name, "kind": zone.kind},
            }
            for zone in Zone.objects.all()
        ],
    }
    return render(
        request,
        "logistics/cycle_map.html",
        {
            "cycle": cycle,
            "rounds": rounds,
            "zones_geojson": zones,
            "rounds_geojson": rounds_geojson(rounds, totals=totals),
            "totals": totals,
            "labelled_communes": stop_communes(rounds),
            **_back(actor.role, cycle),
        },
    )


def _back(role: str, cycle: OrderCycle) -> dict:
    """Where the map was opened from: the cycle's screen of the person's role."""
    if role == Role.COORDINATOR:
        return {"back_url": reverse("cycle-panel", args=[cycle.id]), "back_label": "Le cycle"}
    if role == Role.GROCERY_VOLUNTEER:
        url = reverse("grocery-order", args=[cycle.id])
        return {"back_url": url, "back_label": "La commande groupée du cycle"}
    return {"back_url": reverse("producer-offers", args=[cycle.id]), "back_label": "Mes offres"}

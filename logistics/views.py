"""The map of a cycle's rounds over the communes and priority neighbourhoods.

Leaflet is served from our static files and no tile server is used: the outlines of the
zones are the background, so the page works on a municipal network without outside access.
"""

from django.shortcuts import get_object_or_404, render

from core.choices import Role
from core.views import role_required
from supply.models import OrderCycle

from .models import Zone
from .selectors import round_list, rounds_geojson


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
        },
    )

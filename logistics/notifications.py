"""Rounds planned (DESIGN.md §11): each grocery and producer learns when the van comes.

Planned again, a plan tells again only those whose window changed: the window is part of
what makes the message distinct."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formats import format_date
from notifications.choices import Kind
from notifications.services import notify, organisation_users
from orders.models import Grocery
from producers.models import Producer
from supply.models import OrderCycle

from .choices import StopKind
from .models import RoundStop


def _time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def rounds_planned(*, cycle: OrderCycle) -> int:
    windows: dict[tuple[str, int], list] = {}
    stops = RoundStop.objects.filter(round__cycle=cycle).exclude(kind=StopKind.HUB)
    for kind, place_id, arrival, departure in stops.values_list(
        "kind", "place_id", "arrival_at", "departs_at"
    ):
        window = windows.setdefault((kind, place_id), [arrival, departure])
        window[0], window[1] = min(window[0], arrival), max(window[1], departure)
    organisations: dict[tuple[str, int], int] = {
        (StopKind.GROCERY.value, grocery_id): organisation_id
        for grocery_id, organisation_id in Grocery.objects.filter(
            id__in=[place for kind, place in windows if kind == StopKind.GROCERY]
        ).values_list("id", "organisation_id")
    } | {
        (StopKind.PRODUCER.value, producer_id): organisation_id
        for producer_id, organisation_id in Producer.objects.filter(
            id__in=[place for kind, place in windows if kind == StopKind.PRODUCER]
        ).values_list("id", "organisation_id")
    }
    sent = 0
    with translation.override("fr"):
        for (kind, place_id), (arrival, departure) in sorted(windows.items()):
            organisation_id = organisations.get((kind, place_id))
            if organisation_id is None:
                continue
            values = {
                "name": cycle.name,
                "day": format_date(timezone.localdate(arrival)),
                "from": _time(arrival),
                "to": _time(departure),
            }
            if kind == StopKind.PRODUCER:
                text = _("The van collects your goods on %(day)s between %(from)s and %(to)s.")
                url = reverse("producer-purchase-lists")
            else:
                text = _("The van delivers your grocery on %(day)s between %(from)s and %(to)s.")
                url = reverse("grocery-reception", kwargs={"cycle_id": cycle.id})
            sent += notify(
                kind=Kind.ROUNDS_PLANNED,
                object_key=(
                    f"cycle:{cycle.id}:{kind}:{place_id}:{timezone.localdate(arrival)}:"
                    f"{values['from']}-{values['to']}"
                ),
                recipients=organisation_users([organisation_id]),
                subject=_("Rounds planned: %(name)s") % values,
                paragraphs=[text % values],
                url=url,
            )
    return sent

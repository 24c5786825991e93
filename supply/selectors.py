from django.db.models import QuerySet

from core.access import Actor

from .models import OrderCycle


def cycle_list(*, actor: Actor) -> QuerySet[OrderCycle]:
    # Cycles are the platform's calendar: every logged-in role reads them.
    return OrderCycle.objects.order_by("-delivery_date", "-id")

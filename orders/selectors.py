from django.db.models import QuerySet

from core.access import Actor
from core.choices import Role

from .models import Grocery, SocialService


def grocery_list(*, actor: Actor) -> QuerySet[Grocery]:
    groceries = Grocery.objects.select_related("zone").order_by("name", "id")
    if actor.role in (Role.COORDINATOR, Role.CCAS_STAFF, Role.OFFICIAL):
        # Groceries are public places: CCAS staff choose pickup groceries, officials map them.
        return groceries
    if actor.role == Role.GROCERY_VOLUNTEER:
        return groceries.filter(organisation_id=actor.organisation_id)
    return groceries.none()


def social_service_list(*, actor: Actor) -> QuerySet[SocialService]:
    services = SocialService.objects.order_by("name", "id")
    if actor.role == Role.COORDINATOR:
        return services
    if actor.role == Role.CCAS_STAFF:
        return services.filter(organisation_id=actor.organisation_id)
    return services.none()

from django.db.models import QuerySet

from core.access import Actor
from core.choices import Role

from .models import Envelope, Funder


def funder_list(*, actor: Actor) -> QuerySet[Funder]:
    funders = Funder.objects.order_by("name", "id")
    if actor.role == Role.COORDINATOR:
        return funders
    if actor.role == Role.CCAS_STAFF:
        return funders.filter(social_service__organisation_id=actor.organisation_id)
    return funders.none()


def envelope_list(*, actor: Actor) -> QuerySet[Envelope]:
    envelopes = Envelope.objects.order_by("funder_id", "period_start", "id")
    if actor.role == Role.COORDINATOR:
        return envelopes
    if actor.role == Role.CCAS_STAFF:
        return envelopes.filter(funder__social_service__organisation_id=actor.organisation_id)
    return envelopes.none()

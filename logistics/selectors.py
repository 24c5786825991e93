from django.db.models import Prefetch, QuerySet

from core.access import Actor
from core.choices import Role

from .choices import StopKind
from .models import Round, RoundStop


def round_list(*, actor: Actor, cycle) -> QuerySet[Round]:
    """All rounds for the coordinator; for a grocery or a producer, the rounds that stop at
    its place, with that stop only."""
    rounds = Round.objects.filter(cycle=cycle).select_related("vehicle")
    if actor.role == Role.COORDINATOR:
        return rounds.prefetch_related("stops")
    if actor.role == Role.GROCERY_VOLUNTEER:
        kind, place_ids = (
            StopKind.GROCERY,
            list(
                actor.organisation.__class__.objects.filter(pk=actor.organisation_id).values_list(
                    "grocery__id", flat=True
                )
            ),
        )
    elif actor.role == Role.PRODUCER:
        kind, place_ids = (
            StopKind.PRODUCER,
            list(
                actor.organisation.__class__.objects.filter(pk=actor.organisation_id).values_list(
                    "producer__id", flat=True
                )
            ),
        )
    else:
        return rounds.none()
    own = RoundStop.objects.filter(kind=kind, place_id__in=place_ids)
    return rounds.filter(stops__in=own).distinct().prefetch_related(Prefetch("stops", queryset=own))

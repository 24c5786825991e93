from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.access import Actor
from core.choices import Role
from orders.models import Household

from .models import Caisse, CreditMovement


def balance():
    """A member's credit (the sum of its movements), to annotate members with."""
    movements = (
        CreditMovement.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=9, decimal_places=2)
    return Coalesce(Subquery(movements, output_field=money), Value(0, output_field=money))


def caisse_list(*, actor: Actor) -> QuerySet[Caisse]:
    """The coordinator's caisses; a CCAS's staff see those their CCAS enrols members in."""
    caisses = Caisse.objects.prefetch_related("funders", "social_services", "committee")
    if actor.role == Role.COORDINATOR:
        return caisses
    if actor.role == Role.CCAS_STAFF:
        return caisses.filter(social_services__organisation=actor.organisation)
    return caisses.none()


def member_households(*, actor: Actor) -> QuerySet[Household]:
    """The households whose membership the caller may see: its CCAS's, or all for the
    coordinator (who sees a pseudonymous reference and a balance, no social data)."""
    if actor.role == Role.CCAS_STAFF:
        return Household.objects.filter(social_service__organisation=actor.organisation)
    if actor.role == Role.COORDINATOR:
        return Household.objects.all()
    return Household.objects.none()

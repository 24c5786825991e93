"""What the caisse's tests share: a member enrolled, a producer or product approved."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from ssa import services
from ssa.models import Caisse, Member


def join_by(
    user, caisse: Caisse, household, contribution: Decimal, *, joined_on: date | None = None
) -> Member:
    """`household` enrolled by `user` (its CCAS's staff, or the coordinator), from the first
    of this month unless said."""
    return services.member_join(
        caisse=caisse,
        household=household,
        monthly_contribution=contribution,
        joined_on=joined_on or timezone.localdate().replace(day=1),
        user=user,
        now=timezone.now(),
    )


def approve(caisse: Caisse, *, producer=None, product=None, on: date | None = None) -> None:
    """The committee approves a producer or a product: every member sitting votes for."""
    on = on or timezone.localdate()
    proposal = services.proposal_open(
        caisse=caisse,
        subject_kind="producer" if producer is not None else "product",
        subject=(producer or product).id,
        text="Local, sans pesticides de synthèse.",
        opened_on=on,
        closes_on=on,
    )
    for voter in caisse.committee.filter(is_active=True).values_list("name", flat=True):
        services.vote_record(proposal=proposal, voter=voter, choice="for")
    services.proposal_decide(proposal=proposal, today=on)

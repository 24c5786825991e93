"""The caisse's rules (DESIGN.md §14): who is a member and what they contribute, the credit
each receives on the first of the month (once, whatever the number of runs), and the
committee's decisions on producers and products."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.models import User
from orders.choices import AccessAction
from orders.households import access_log
from orders.models import Household

from .choices import AllocationBasis, MovementKind, ProposalStatus, SubjectKind, VoteChoice
from .models import Caisse, CommitteeMember, CreditMovement, Member, Proposal, Vote
from .selectors import balance


def first_of(day: date) -> date:
    return day.replace(day=1)


def _check_contribution(caisse: Caisse, amount: Decimal) -> None:
    if not caisse.contribution_min <= amount <= caisse.contribution_max:
        message = _("The monthly contribution is between %(low)s € and %(high)s €.") % {
            "low": caisse.contribution_min,
            "high": caisse.contribution_max,
        }
        raise InvalidInput(message, fields={"monthly_contribution": [message]})


@transaction.atomic
def caisse_save(*, caisse: Caisse | None, data: dict[str, Any]) -> Caisse:
    """A caisse created or changed; `committee` (names) is its committee from now on."""
    data = dict(data)
    funders = data.pop("funders", None)
    social_services = data.pop("social_services", None)
    committee = data.pop("committee", None)
    caisse = caisse or Caisse()
    for name, value in data.items():
        setattr(caisse, name, value)
    if caisse.contribution_max < caisse.contribution_min:
        message = _("The highest contribution cannot be below the lowest.")
        raise InvalidInput(message, fields={"contribution_max": [message]})
    caisse.save()
    if funders is not None:
        caisse.funders.set(funders)
    if social_services is not None:
        caisse.social_services.set(social_services)
    if committee is not None:
        names = {name.strip() for name in committee if name.strip()}
        caisse.committee.exclude(name__in=names).update(is_active=False)
        for name in names:
            CommitteeMember.objects.update_or_create(
                caisse=caisse, name=name, defaults={"is_active": True}
            )
    return caisse


@transaction.atomic
def member_join(
    *,
    caisse: Caisse,
    household: Household,
    monthly_contribution: Decimal,
    joined_on: date,
    user: User,
    now: datetime,
) -> Member:
    """A household enrolled in the caisse (by its CCAS, or the caisse's coordinator); the
    access is logged like every reading of a household's file."""
    _check_contribution(caisse, monthly_contribution)
    if household.valid_until < joined_on:
        raise StateConflict(
            _("The household's decision has expired: renew it before enrolling it."),
            code="household_expired",
        )
    try:
        with transaction.atomic():
            member = Member.objects.create(
                caisse=caisse,
                household=household,
                monthly_contribution=monthly_contribution,
                joined_on=joined_on,
            )
    except IntegrityError:
        raise StateConflict(
            _("This household is a member of the caisse already."), code="already_member"
        ) from None
    access_log(household=household, user=user, action=AccessAction.UPDATE, at=now)
    return member


@transaction.atomic
def member_update(*, member: Member, fields: dict[str, Any], user: User, now: datetime) -> Member:
    """A member's contribution changed, or its leaving recorded: what credit it holds is
    closed on the day it leaves (the closed-loop money is not paid out)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise StateConflict(_("This member has left the caisse."), code="member_left")
    if "monthly_contribution" in fields:
        _check_contribution(member.caisse, fields["monthly_contribution"])
        member.monthly_contribution = fields["monthly_contribution"]
    left_on = fields.get("left_on")
    if left_on is not None:
        if left_on < member.joined_on:
            message = _("A member leaves after joining.")
            raise InvalidInput(message, fields={"left_on": [message]})
        member.left_on = left_on
        rest = member_balance(member)
        if rest > 0:
            CreditMovement.objects.create(
                member=member, month=first_of(left_on), kind=MovementKind.CLOSING, amount=-rest
            )
    member.save()
    access_log(household=member.household, user=user, action=AccessAction.UPDATE, at=now)
    return member


def member_balance(member: Member) -> Decimal:
    total = member.movements.aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def allocation_of(caisse: Caisse, household: Household) -> Decimal:
    if caisse.allocation_basis == AllocationBasis.PERSON:
        return caisse.allocation_per_member * (household.adults + household.children)
    return caisse.allocation_per_member


@transaction.atomic
def month_credit(*, caisse: Caisse, month: date) -> int:
    """Credit each member of `month`'s first day its allocation, once: the rest of the
    month before expires first unless the caisse carries it over. The number credited now
    (0 when the month is done already)."""
    month = first_of(month)
    members = (
        caisse.members.select_for_update(of=("self",))
        .select_related("household")
        .filter(joined_on__lte=month)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .exclude(movements__month=month, movements__kind=MovementKind.ALLOCATION)
        .annotate(balance=balance())
    )
    credited = 0
    for member in members:
        if not caisse.carry_over:
            rest = member.balance
            if rest > 0:
                CreditMovement.objects.create(
                    member=member, month=month, kind=MovementKind.EXPIRY, amount=-rest
                )
        CreditMovement.objects.create(
            member=member,
            month=month,
            kind=MovementKind.ALLOCATION,
            amount=allocation_of(caisse, member.household),
        )
        credited += 1
    return credited


def months_credit(*, today: date) -> int:
    """Every caisse's current month (the beat runs it each night: a missed first of the
    month is caught up the next night, and nothing is credited twice)."""
    return sum(month_credit(caisse=caisse, month=today) for caisse in Caisse.objects.all())


# The committee.


def proposal_open(
    *,
    caisse: Caisse,
    subject_kind: str,
    subject: int,
    text: str,
    opened_on: date,
    closes_on: date,
) -> Proposal:
    from producers.models import Producer, Product

    model = Producer if subject_kind == SubjectKind.PRODUCER else Product
    if not model.objects.filter(pk=subject).exists():
        message = (
            _("No such producer.")
            if subject_kind == SubjectKind.PRODUCER
            else _("No such product.")
        )
        raise InvalidInput(message, fields={"subject": [message]})
    if closes_on < opened_on:
        message = _("A proposal closes after it opens.")
        raise InvalidInput(message, fields={"closes_on": [message]})
    return Proposal.objects.create(
        caisse=caisse,
        subject_kind=subject_kind,
        producer_id=subject if subject_kind == SubjectKind.PRODUCER else None,
        product_id=subject if subject_kind == SubjectKind.PRODUCT else None,
        text=text,
        opened_on=opened_on,
        closes_on=closes_on,
    )


@transaction.atomic
def vote_record(*, proposal: Proposal, voter: str, choice: str) -> Vote:
    """A committee member's vote, by name from the committee's register; a second vote of
    the same member replaces the first, until the decision."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise StateConflict(_("The proposal has been decided."), code="proposal_decided")
    member = proposal.caisse.committee.filter(name=voter.strip(), is_active=True).first()
    if member is None:
        message = _("« %(name)s » does not sit on the committee.") % {"name": voter[:200]}
        raise InvalidInput(message, fields={"voter": [message]})
    vote, _created = Vote.objects.update_or_create(
        proposal=proposal, voter=member, defaults={"choice": choice}
    )
    return vote


@transaction.atomic
def proposal_decide(*, proposal: Proposal, today: date) -> Proposal:
    """The committee's decision: approved when more vote for than against, once the quorum
    of votes (abstentions count) is reached; refused otherwise."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise StateConflict(_("The proposal has been decided."), code="proposal_decided")
    choices = list(proposal.votes.values_list("choice", flat=True))
    if len(choices) < proposal.caisse.quorum:
        raise StateConflict(
            _("%(votes)d votes of the %(quorum)d the quorum needs: no decision yet.")
            % {"votes": len(choices), "quorum": proposal.caisse.quorum},
            code="quorum_not_reached",
        )
    approved = choices.count(VoteChoice.FOR) > choices.count(VoteChoice.AGAINST)
    proposal.status = ProposalStatus.APPROVED if approved else ProposalStatus.REFUSED
    proposal.decided_on = today
    proposal.save(update_fields=["status", "decided_on"])
    return proposal


def is_conventionne(*, caisse: Caisse, product_id: int, producer_id: int) -> bool:
    """Whether the committee approved the product, or its producer."""
    return caisse.proposals.filter(
        Q(subject_kind=SubjectKind.PRODUCER, producer_id=producer_id)
        | Q(subject_kind=SubjectKind.PRODUCT, product_id=product_id),
        status=ProposalStatus.APPROVED,
    ).exists()

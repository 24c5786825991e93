"""The caisse's rules (DESIGN.md §14): who is a member and what they contribute, the credit
each receives on the first of the month (once, whatever the number of runs), and the
committee's decisions on producers and products."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounting.choices import PaymentMethod
from accounting.ledger import entry_reverse
from accounting.models import Funder
from core.errors import InvalidInput, StateConflict
from core.formats import format_euros
from core.models import User
from orders.choices import AccessAction
from orders.households import access_log
from orders.models import Household

from . import books, notifications
from .choices import AllocationBasis, MovementKind, ProposalStatus, SubjectKind, VoteChoice
from .models import (
    Caisse,
    CommitteeMember,
    Contribution,
    CreditMovement,
    Grant,
    Member,
    Proposal,
    Vote,
)
from .selectors import balance, caisse_statement, member_credit

# What one contribution or one grant can be (the API's bounds too): beyond, a typing mistake.
MAX_CONTRIBUTION = Decimal("10000")
MAX_GRANT = Decimal("10000000")


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
        rest = member_credit(member)
        if rest > 0:
            CreditMovement.objects.create(
                member=member, month=first_of(left_on), kind=MovementKind.CLOSING, amount=-rest
            )
            books.closing_post(caisse=member.caisse, amount=rest, member_id=member.id, now=now)
    member.save()
    access_log(household=member.household, user=user, action=AccessAction.UPDATE, at=now)
    return member


def allocation_of(caisse: Caisse, household: Household) -> Decimal:
    if caisse.allocation_basis == AllocationBasis.PERSON:
        return caisse.allocation_per_member * (household.adults + household.children)
    return caisse.allocation_per_member


@transaction.atomic
def month_credit(*, caisse: Caisse, month: date, now: datetime) -> int:
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
    movements = []
    for member in members:
        if not caisse.carry_over and member.balance > 0:
            movements.append(
                CreditMovement(
                    member=member, month=month, kind=MovementKind.EXPIRY, amount=-member.balance
                )
            )
        movements.append(
            CreditMovement(
                member=member,
                month=month,
                kind=MovementKind.ALLOCATION,
                amount=allocation_of(caisse, member.household),
            )
        )
    if not movements:
        return 0
    movements = CreditMovement.objects.bulk_create(movements)
    allocations = [m for m in movements if m.kind == MovementKind.ALLOCATION]
    books.month_post(
        caisse=caisse,
        month_key=f"{month:%Y-%m}",
        credited=sum((m.amount for m in allocations), Decimal("0.00")),
        taken_back=-sum((m.amount for m in movements if m.kind == MovementKind.EXPIRY), Decimal(0)),
        run_key=min(m.pk for m in movements),
        now=now,
    )
    notifications.month_credited(
        caisse=caisse,
        month=month,
        credited=len(allocations),
        statement=caisse_statement(caisse=caisse, month=month),
    )
    return len(allocations)


def months_credit(*, today: date, now: datetime) -> int:
    """Every caisse's current month (the beat runs it each night: a missed first of the
    month is caught up the next night, and nothing is credited twice)."""
    return sum(month_credit(caisse=caisse, month=today, now=now) for caisse in Caisse.objects.all())


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


# The books.


@transaction.atomic
def contribution_record(
    *,
    member: Member,
    month: date,
    amount: Decimal,
    paid_on: date,
    method: str,
    user: User,
    now: datetime,
) -> Contribution:
    """A member's contribution received, posted to the bank and the caisse's income."""
    month = first_of(month)
    if not 0 < amount <= MAX_CONTRIBUTION:
        message = _("A contribution is a positive amount, of %(most)s at most.") % {
            "most": format_euros(MAX_CONTRIBUTION)
        }
        raise InvalidInput(message, fields={"amount": [message]})
    if method not in PaymentMethod.values:
        message = _("Choose how the contribution was paid.")
        raise InvalidInput(message, fields={"method": [message]})
    if month < first_of(member.joined_on) or (member.left_on and month > member.left_on):
        message = _("The member was not in the caisse that month.")
        raise InvalidInput(message, fields={"month": [message]})
    member = (
        Member.objects.select_for_update().select_related("caisse", "household").get(pk=member.pk)
    )  # one contribution numbered at a time
    caisse = member.caisse
    count = Contribution.objects.filter(member=member, month=month).count()  # reversed too
    entry = books.contribution_post(
        caisse=caisse,
        amount=amount,
        key=f"caisse:{caisse.id}:contribution:{member.id}:{month:%Y-%m}:{count + 1}",
        memo=_("%(caisse)s: contribution of %(reference)s for %(month)s")
        % {
            "caisse": caisse.name,
            "reference": member.household.reference,
            "month": f"{month:%m/%Y}",
        },
        user=user,
        now=now,
    )
    return Contribution.objects.create(
        member=member,
        month=month,
        amount=amount,
        paid_on=paid_on,
        method=method,
        entry=entry,
        created_at=now,
        created_by=user,
    )


@transaction.atomic
def grant_record(
    *, caisse: Caisse, funder: Funder, month: date, amount: Decimal, user: User, now: datetime
) -> Grant:
    """A funder's grant covering the month's deficit, posted as owed by the funder."""
    month = first_of(month)
    if not 0 < amount <= MAX_GRANT:
        message = _("A grant is a positive amount, of %(most)s at most.") % {
            "most": format_euros(MAX_GRANT)
        }
        raise InvalidInput(message, fields={"amount": [message]})
    if not caisse.funders.filter(pk=funder.pk).exists():
        message = _("« %(funder)s » is not among the funders of this caisse.") % {
            "funder": funder.name
        }
        raise InvalidInput(message, fields={"funder": [message]})
    caisse = Caisse.objects.select_for_update().get(pk=caisse.pk)
    count = Grant.objects.filter(caisse=caisse, funder=funder, month=month).count()
    entry = books.grant_post(
        caisse=caisse,
        funder=funder,
        amount=amount,
        key=f"caisse:{caisse.id}:grant:{funder.id}:{month:%Y-%m}:{count + 1}",
        user=user,
        now=now,
    )
    return Grant.objects.create(
        caisse=caisse,
        funder=funder,
        month=month,
        amount=amount,
        entry=entry,
        created_at=now,
        created_by=user,
    )


@transaction.atomic
def contribution_reverse(
    *, contribution: Contribution, reason: str, user: User, now: datetime
) -> Contribution:
    """A contribution recorded by mistake is cancelled by the mirror of its entry (never
    edited nor deleted), saying why; once only (accounting.ledger.entry_reverse)."""
    entry_reverse(entry=contribution.entry, reason=reason[:250], user=user, now=now)
    return Contribution.objects.select_related("entry__reversed_by").get(pk=contribution.pk)

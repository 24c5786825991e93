"""The caisse's screens (DESIGN.md §14): the public page of the producers and products its
committee approved (no login, no personal data: members read it), and the coordinator's."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounting.choices import PaymentMethod
from core.choices import Role
from core.errors import DomainError, InvalidInput
from core.formats import format_euros
from core.views import posted_amount, posted_date, posted_id, refused, role_required
from producers.models import Producer, Product

from . import selectors, services
from .api.serializers import MonthQuerySerializer
from .choices import ProposalStatus, SubjectKind, VoteChoice
from .models import Caisse, CreditMovement


def conventionnes_page(request, caisse_id: int):
    caisse = get_object_or_404(Caisse, pk=caisse_id)
    decided = caisse.proposals.filter(status=ProposalStatus.APPROVED).select_related(
        "producer__organisation", "product__producer__organisation"
    )
    return render(
        request,
        "ssa/conventionnes.html",
        {
            "caisse": caisse,
            "producers": [p for p in decided if p.subject_kind == SubjectKind.PRODUCER],
            "products": [p for p in decided if p.subject_kind == SubjectKind.PRODUCT],
        },
    )


class CaisseForm(forms.ModelForm):
    class Meta:
        model = Caisse
        fields = [
            "name",
            "contribution_min",
            "contribution_max",
            "allocation_per_member",
            "allocation_basis",
            "carry_over",
            "quorum",
        ]
        localized_fields = ["contribution_min", "contribution_max", "allocation_per_member"]


@role_required(Role.COORDINATOR)
def caisses_page(request):
    """The caisses alimentaires communes, and a form to create one."""
    form = CaisseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            caisse = services.caisse_save(caisse=None, data=form.cleaned_data)
        except DomainError as error:
            form.add_error(next(iter(error.fields or {}), None), error.message)
        else:
            messages.success(request, _("« %(name)s » created.") % {"name": caisse.name})
            return redirect("caisse-page", caisse_id=caisse.id)
    caisses = Caisse.objects.annotate(
        members_count=Count("members", filter=Q(members__left_on__isnull=True))
    )
    return render(request, "ssa/caisses.html", {"caisses": caisses, "form": form})


def _month(value: str, default: date) -> date:
    """A month typed as YYYY-MM (the month input's value, read as the API reads it), else
    `default`'s."""
    query = MonthQuerySerializer(data={"month": value})
    return query.month_start() if query.is_valid() else default.replace(day=1)


def _books(request, caisse: Caisse, month: date) -> None:
    """A contribution or a grant recorded for `month`."""
    now = timezone.now()
    if "contribution" in request.POST:
        member = get_object_or_404(caisse.members, pk=posted_id(request, "member"))
        contribution = services.contribution_record(
            member=member,
            month=month,
            amount=posted_amount(request, "amount"),
            paid_on=timezone.localdate(),
            method=request.POST.get("method") or PaymentMethod.CASH,
            user=request.user,
            now=now,
        )
        messages.success(
            request,
            _("Contribution of %(amount)s recorded for %(reference)s.")
            % {
                "amount": format_euros(contribution.amount),
                "reference": member.household.reference,
            },
        )
    else:
        funder = get_object_or_404(caisse.funders, pk=posted_id(request, "funder"))
        grant = services.grant_record(
            caisse=caisse,
            funder=funder,
            month=month,
            amount=posted_amount(request, "amount"),
            user=request.user,
            now=now,
        )
        messages.success(
            request,
            _("Grant of %(amount)s recorded from %(funder)s.")
            % {"amount": format_euros(grant.amount), "funder": funder.name},
        )


def _contribution_cancel(request, caisse: Caisse) -> None:
    contribution = get_object_or_404(
        selectors.caisse_contributions(caisse), pk=posted_id(request, "contribution_id")
    )
    services.contribution_reverse(
        contribution=contribution,
        reason=request.POST.get("reason", ""),
        user=request.user,
        now=timezone.now(),
    )
    messages.success(request, _("Contribution cancelled; its entry is reversed."))


def _register(request, caisse: Caisse) -> None:
    """A household registered by the caisse itself, named by its reference (the coordinator
    sees references, never social data)."""
    reference = request.POST.get("reference", "").strip().upper()[:20]
    household = selectors.member_households(actor=request.actor).filter(reference=reference).first()
    if household is None:
        message = _("No household has the reference « %(reference)s ».") % {"reference": reference}
        raise InvalidInput(message, fields={"reference": [message]})
    services.member_join(
        caisse=caisse,
        household=household,
        monthly_contribution=posted_amount(request, "monthly_contribution"),
        joined_on=posted_date(request, "joined_on", default=timezone.localdate()),
        user=request.user,
        now=timezone.now(),
    )
    messages.success(
        request, _("%(reference)s is a member of the caisse.") % {"reference": household.reference}
    )


@role_required(Role.COORDINATOR)
def caisse_page(request, caisse_id: int):
    """One caisse as its coordinator runs it: the month's credit, statement, contributions
    and grants, the members and their credit, the committee's proposals, votes and
    decisions."""
    caisse = get_object_or_404(Caisse, pk=caisse_id)
    today = timezone.localdate()
    month = _month(request.GET.get("mois", ""), today)
    if request.method == "POST":
        try:
            if "cancel_contribution" in request.POST:
                _contribution_cancel(request, caisse)
            elif "contribution" in request.POST or "grant" in request.POST:
                _books(request, caisse, month)
            elif "register" in request.POST:
                _register(request, caisse)

            elif "credit" in request.POST:
                count = services.month_credit(caisse=caisse, month=today, now=timezone.now())
                messages.success(
                    request, _("%(count)d members credited for this month.") % {"count": count}
                )
            elif "committee" in request.POST:
                names = request.POST["committee"].splitlines()
                services.caisse_save(caisse=caisse, data={"committee": names})
                messages.success(request, _("Committee saved."))
            elif "propose" in request.POST:
                kind = request.POST.get("subject_kind")
                kind = SubjectKind.PRODUCT if kind == SubjectKind.PRODUCT else SubjectKind.PRODUCER
                services.proposal_open(
                    caisse=caisse,
                    subject_kind=kind,
                    subject=posted_id(request, kind),
                    text=request.POST.get("text", "")[:5000],
                    opened_on=today,
                    closes_on=today + timedelta(days=30),
                )
                messages.success(request, _("Proposal opened."))
            elif "vote" in request.POST or "decide" in request.POST:
                proposal = get_object_or_404(caisse.proposals, pk=posted_id(request, "proposal"))
                if "decide" in request.POST:
                    decided = services.proposal_decide(proposal=proposal, today=today)
                    messages.success(
                        request,
                        _("Decision recorded: %(status)s.")
                        % {"status": decided.get_status_display().lower()},
                    )
                else:
                    services.vote_record(
                        proposal=proposal,
                        voter=request.POST.get("voter", ""),
                        choice=request.POST.get("choice", ""),
                    )
                    messages.success(request, _("Vote recorded."))
        except DomainError as error:
            refused(request, error)
        else:
            return redirect(f"{request.path}?mois={month:%Y-%m}")
    members = (
        caisse.members.select_related("household")
        .annotate(balance=selectors.balance())
        .order_by("left_on", "household__reference")
    )
    proposals = caisse.proposals.select_related("producer__organisation", "product").annotate(
        votes_for=Count("votes", filter=Q(votes__choice=VoteChoice.FOR)),
        votes_against=Count("votes", filter=Q(votes__choice=VoteChoice.AGAINST)),
        votes_abstain=Count("votes", filter=Q(votes__choice=VoteChoice.ABSTAIN)),
    )
    return render(
        request,
        "ssa/caisse.html",
        {
            "caisse": caisse,
            "members": members,
            "proposals": proposals,
            "committee": [member.name for member in caisse.committee.filter(is_active=True)],
            "producers": Producer.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
            "products": Product.objects.filter(is_active=True)
            .select_related("producer__organisation")
            .order_by("name"),
            "month": month,
            "statement": selectors.caisse_statement(caisse=caisse, month=month),
            "contributions": selectors.caisse_contributions(caisse)
            .filter(month=month)
            .order_by("-id"),
            "funders": caisse.funders.all(),
            "methods": PaymentMethod.choices,
            "today": today,
            "choices": VoteChoice.choices,
            "credited": CreditMovement.objects.filter(
                member__caisse=caisse, month=today.replace(day=1), kind="allocation"
            ).count(),
        },
    )


@role_required(Role.CCAS_STAFF)
def ccas_caisses_page(request):
    """The caisses a CCAS enrols in, as its staff follow them: their own households that are
    members (reference, contribution, credit) and each caisse's month."""
    today = timezone.localdate()
    month = _month(request.GET.get("mois", ""), today)
    households = selectors.member_households(actor=request.actor)
    caisses = []
    for caisse in selectors.caisse_list(actor=request.actor):
        caisse.own_members = (
            caisse.members.filter(household__in=households)
            .select_related("household")
            .annotate(balance=selectors.balance())
            .order_by("left_on", "household__reference")
        )
        caisse.statement = selectors.caisse_statement(caisse=caisse, month=month)
        caisses.append(caisse)
    return render(request, "ssa/ccas_caisses.html", {"caisses": caisses, "month": month})

"""The caisse's screens (DESIGN.md §14): the public page of the producers and products its
committee approved (no login, no personal data: members read it), and the coordinator's."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.errors import DomainError
from core.views import refused, role_required
from producers.models import Producer

from . import selectors, services
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


@role_required(Role.COORDINATOR)
def caisse_page(request, caisse_id: int):
    """One caisse as its coordinator runs it: the month's credit, the members and their
    credit, the committee's proposals, votes and decisions."""
    caisse = get_object_or_404(Caisse, pk=caisse_id)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            if "credit" in request.POST:
                count = services.month_credit(caisse=caisse, month=today, now=timezone.now())
                messages.success(
                    request, _("%(count)d members credited for this month.") % {"count": count}
                )
            elif "committee" in request.POST:
                names = request.POST["committee"].splitlines()
                services.caisse_save(caisse=caisse, data={"committee": names})
                messages.success(request, _("Committee saved."))
            elif "propose" in request.POST:
                services.proposal_open(
                    caisse=caisse,
                    subject_kind=SubjectKind.PRODUCER,
                    subject=int(request.POST.get("producer") or 0),
                    text=request.POST.get("text", "")[:5000],
                    opened_on=today,
                    closes_on=today + timedelta(days=30),
                )
                messages.success(request, _("Proposal opened."))
            elif "vote" in request.POST or "decide" in request.POST:
                proposal = get_object_or_404(
                    caisse.proposals, pk=int(request.POST.get("proposal") or 0)
                )
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
        except (DomainError, ValueError) as error:
            if isinstance(error, DomainError):
                refused(request, error)
            else:
                messages.error(request, _("Choose a producer."))
        else:
            return redirect("caisse-page", caisse_id=caisse.id)
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
            "choices": VoteChoice.choices,
            "credited": CreditMovement.objects.filter(
                member__caisse=caisse, month=today.replace(day=1), kind="allocation"
            ).count(),
        },
    )

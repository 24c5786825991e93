"""The caisse's public page: the producers and products its committee approved, with the
dates of the decisions (DESIGN.md §14). No login, no personal data: members read it."""

from django.shortcuts import get_object_or_404, render

from .choices import ProposalStatus, SubjectKind
from .models import Caisse


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

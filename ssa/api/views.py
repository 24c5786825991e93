from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.renderers import PDFRenderer
from core.api.views import file_headers
from core.api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet, ScopedViewSet
from core.choices import Role
from core.documents import pdf_from_template
from ssa import selectors, services
from ssa.api.serializers import (
    CaisseSerializer,
    ContributionSerializer,
    GrantSerializer,
    MemberSerializer,
    MonthQuerySerializer,
    ProposalSerializer,
    ReverseSerializer,
    StatementSerializer,
    VoteSerializer,
)
from ssa.models import Caisse, Contribution, Grant, Member, Proposal


class CaisseViewSet(ReadCreateUpdateViewSet):
    """Caisses alimentaires communes (DESIGN.md §14), their settings and committee."""

    serializer_class = CaisseSerializer
    queryset = Caisse.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.CCAS_STAFF),
        "retrieve": (Role.COORDINATOR, Role.CCAS_STAFF),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
        "statement": (Role.COORDINATOR, Role.CCAS_STAFF),
    }

    def scoped_queryset(self):
        return selectors.caisse_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.caisse_save(caisse=None, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.caisse_save(
            caisse=serializer.instance, data=serializer.validated_data
        )

    @extend_schema(parameters=[MonthQuerySerializer], responses={200: StatementSerializer})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def statement(self, request, pk=None):
        """The caisse's month: contributions, allocations, spending, deficit and grants;
        `?format=pdf` prints it."""
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.month_start()
        statement = selectors.caisse_statement(caisse=self.get_object(), month=month)
        if request.accepted_renderer.format == "pdf":
            pdf = pdf_from_template("ssa/statement.html", {"statement": statement, "month": month})
            name = f"releve-{slugify(statement['name'])}-{statement['month']}.pdf"
            return Response(pdf, headers=file_headers(name, inline=True))
        return Response(StatementSerializer(statement).data)


class CaisseScopedMixin:
    """A list under /caisses/{caisse_pk}/, of the caisses the caller may see."""

    def caisse(self) -> Caisse:
        return get_object_or_404(
            selectors.caisse_list(actor=self.actor), pk=self.kwargs["caisse_pk"]
        )


class MemberViewSet(CaisseScopedMixin, ReadCreateUpdateViewSet):
    """A caisse's members: households enrolled by their CCAS (who alone see theirs), or by
    the caisse's coordinator; their contribution and credit."""

    serializer_class = MemberSerializer
    queryset = Member.objects.none()
    roles = {"*": (Role.COORDINATOR, Role.CCAS_STAFF)}
    filterset_fields = ["household"]

    def households(self):
        return selectors.member_households(actor=self.actor)

    def scoped_queryset(self):
        return (
            Member.objects.filter(caisse=self.caisse(), household__in=self.households())
            .select_related("caisse", "household")
            .annotate(balance=selectors.balance())
        )

    def get_serializer(self, *args, **kwargs):
        if self.actor is not None and not getattr(self, "swagger_fake_view", False):
            kwargs["households"] = self.households()
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        member = services.member_join(
            caisse=self.caisse(), **serializer.validated_data, user=self.request.user,
            now=timezone.now(),
        )  # fmt: skip
        serializer.instance = self.scoped_queryset().get(pk=member.pk)

    def perform_update(self, serializer):
        member = services.member_update(
            member=serializer.instance,
            fields=serializer.validated_data,
            user=self.request.user,
            now=timezone.now(),
        )
        serializer.instance = self.scoped_queryset().get(pk=member.pk)


class ProposalViewSet(ReadCreateViewSet):
    """The committee's work, recorded by the coordinator: proposals, votes, decisions."""

    serializer_class = ProposalSerializer
    queryset = Proposal.objects.none()
    roles = {"*": (Role.COORDINATOR,)}

    def scoped_queryset(self):
        proposals = Proposal.objects.all()
        if "caisse_pk" in self.kwargs:
            proposals = proposals.filter(caisse_id=self.kwargs["caisse_pk"])
        return proposals

    def perform_create(self, serializer):
        caisse = get_object_or_404(Caisse, pk=self.kwargs["caisse_pk"])
        serializer.instance = services.proposal_open(caisse=caisse, **serializer.validated_data)


class ProposalActionsViewSet(ScopedViewSet):
    """POST /proposals/{id}/votes/ and /decide/."""

    queryset = Proposal.objects.none()
    serializer_class = ProposalSerializer
    roles = {"*": (Role.COORDINATOR,)}

    def scoped_queryset(self):
        return Proposal.objects.select_related("caisse")

    @extend_schema(request=VoteSerializer, responses={201: VoteSerializer})
    @action(detail=True, methods=["post"])
    def votes(self, request, pk=None):
        body = VoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        vote = services.vote_record(proposal=self.get_object(), **body.validated_data)
        return Response(
            {"voter": vote.voter.name, "choice": vote.choice}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        proposal = services.proposal_decide(proposal=self.get_object(), today=timezone.localdate())
        return Response(ProposalSerializer(proposal).data)


class ContributionViewSet(CaisseScopedMixin, ReadCreateViewSet):
    """Members' contributions as the caisse receives them, each posted to its books."""

    serializer_class = ContributionSerializer
    queryset = Contribution.objects.none()
    roles = {"*": (Role.COORDINATOR,)}
    filterset_fields = ["member", "month"]

    def scoped_queryset(self):
        return selectors.caisse_contributions(self.caisse())

    def get_serializer(self, *args, **kwargs):
        if self.actor is not None and not getattr(self, "swagger_fake_view", False):
            kwargs["members"] = self.caisse().members.all()
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        contribution = services.contribution_record(
            **serializer.validated_data, user=self.request.user, now=timezone.now()
        )
        serializer.instance = self.scoped_queryset().get(pk=contribution.pk)

    @extend_schema(request=ReverseSerializer, responses={200: ContributionSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, caisse_pk=None, pk=None):
        """Cancel a contribution recorded by mistake: its entry is reversed, saying why."""
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.contribution_reverse(
            contribution=self.get_object(),
            reason=body.validated_data["reason"],
            user=request.user,
            now=timezone.now(),
        )
        return Response(ContributionSerializer(self.scoped_queryset().get(pk=pk)).data)


class GrantViewSet(CaisseScopedMixin, ReadCreateViewSet):
    """Funders' grants covering the caisse's deficit."""

    serializer_class = GrantSerializer
    queryset = Grant.objects.none()
    roles = {"*": (Role.COORDINATOR,)}

    def scoped_queryset(self):
        return self.caisse().grants.select_related("funder")

    def perform_create(self, serializer):
        serializer.instance = services.grant_record(
            caisse=self.caisse(),
            **serializer.validated_data,
            user=self.request.user,
            now=timezone.now(),
        )

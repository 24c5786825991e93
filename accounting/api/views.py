from collections.abc import Callable

from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounting import ledger, selectors, services, statements
from accounting.api.serializers import (
    EnvelopeSerializer,
    FunderSerializer,
    FunderStatementSerializer,
    GroceryStatementSerializer,
    ProducerStatementSerializer,
    TrialBalanceSerializer,
)
from accounting.models import Envelope, Funder
from core.access import actor_of
from core.api.permissions import RolePermission
from core.api.renderers import CSVRenderer, PDFRenderer, XLSXRenderer
from core.api.serializers import PeriodQuerySerializer
from core.api.views import file_headers
from core.api.viewsets import ReadCreateViewSet
from core.choices import Role
from core.errors import InvalidInput
from orders.selectors import grocery_list
from producers.selectors import producer_list


class FunderViewSet(ReadCreateViewSet):
    serializer_class = FunderSerializer
    queryset = Funder.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.CCAS_STAFF),
        "retrieve": (Role.COORDINATOR, Role.CCAS_STAFF),
        "create": (Role.COORDINATOR,),
    }
    filterset_fields = ["kind"]

    def scoped_queryset(self):
        return selectors.funder_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = Funder.objects.create(**serializer.validated_data)


class EnvelopeViewSet(ReadCreateViewSet):
    serializer_class = EnvelopeSerializer
    queryset = Envelope.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.CCAS_STAFF),
        "retrieve": (Role.COORDINATOR, Role.CCAS_STAFF),
        "create": (Role.COORDINATOR,),
    }
    filterset_fields = ["funder"]

    def scoped_queryset(self):
        return selectors.envelope_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.envelope_create(**serializer.validated_data)


TABLE_RENDERERS = [JSONRenderer, CSVRenderer, XLSXRenderer]
PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="Cycles delivered from this day"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Cycles delivered until this day"),
    OpenApiParameter("format", str, enum=["json", "csv", "xlsx", "pdf"]),
]


def _period(request) -> statements.Period:
    serializer = PeriodQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return statements.Period(serializer.validated_data["from"], serializer.validated_data["to"])


def _statement_response(
    request, *, data: dict, filename: str, pdf: Callable[[], bytes] | None = None
) -> Response:
    """JSON as is; CSV and XLSX are the statement's lines; PDF is the printable statement."""
    file_format = request.accepted_renderer.format
    name = f"{slugify(filename)}-{data['from']}-{data['to']}"
    if file_format in ("csv", "xlsx"):
        return Response(data["lines"], headers=file_headers(f"{name}.{file_format}"))
    if file_format == "pdf" and pdf is not None:
        return Response(pdf(), headers=file_headers(f"{name}.pdf", inline=True))
    return Response(data)


class StatementView(APIView):
    permission_classes = [RolePermission]
    renderer_classes = [*TABLE_RENDERERS, PDFRenderer]

    @property
    def actor(self):
        return actor_of(self.request.user)


class FunderStatementView(StatementView):
    """Subsidies owed by a funder, per cycle and CCAS, over settled cycles."""

    roles = {"get": (Role.COORDINATOR, Role.CCAS_STAFF)}

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: FunderStatementSerializer})
    def get(self, request, funder_id: int):
        funder = get_object_or_404(selectors.funder_list(actor=self.actor), pk=funder_id)
        statement = statements.funder_statement(funder=funder, period=_period(request))
        return _statement_response(
            request,
            data=FunderStatementSerializer(statement).data,
            filename=f"releve-subventions-{funder.name}",
            pdf=lambda: statements.funder_statement_pdf(statement=statement),
        )


class ProducerStatementView(StatementView):
    """What the platform owes a producer, per settled cycle."""

    roles = {"get": (Role.COORDINATOR, Role.PRODUCER)}

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: ProducerStatementSerializer})
    def get(self, request, producer_id: int):
        producer = get_object_or_404(producer_list(actor=self.actor), pk=producer_id)
        statement = statements.producer_statement(producer=producer, period=_period(request))
        return _statement_response(
            request,
            data=ProducerStatementSerializer(statement).data,
            filename=f"releve-producteur-{producer.name}",
            pdf=lambda: statements.producer_statement_pdf(statement=statement, producer=producer),
        )


class GroceryStatementView(StatementView):
    """What a grocery owes, per settled cycle: grouped orders, rounds, contributions."""

    roles = {"get": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER)}
    renderer_classes = TABLE_RENDERERS

    @extend_schema(parameters=PERIOD_PARAMETERS[:2], responses={200: GroceryStatementSerializer})
    def get(self, request, grocery_id: int):
        grocery = get_object_or_404(grocery_list(actor=self.actor), pk=grocery_id)
        statement = statements.grocery_statement(grocery=grocery, period=_period(request))
        return _statement_response(
            request,
            data=GroceryStatementSerializer(statement).data,
            filename=f"releve-epicerie-{grocery.name}",
        )


class TrialBalanceView(APIView):
    """Every account's debits, credits and balance; totals are equal at every moment."""

    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR,)}
    renderer_classes = TABLE_RENDERERS

    @extend_schema(
        parameters=[OpenApiParameter("cycle", int, description="Only this cycle's entries")],
        responses={200: TrialBalanceSerializer},
    )
    def get(self, request):
        cycle = request.query_params.get("cycle") or None
        if cycle is not None and not cycle.isdigit():
            message = _("A cycle is named by its number.")
            raise InvalidInput(message, fields={"cycle": [message]})
        cycle_id = int(cycle) if cycle else None
        data = TrialBalanceSerializer(ledger.trial_balance(cycle_id=cycle_id)).data
        if request.accepted_renderer.format in ("csv", "xlsx"):
            name = f"balance-{cycle_id or 'generale'}.{request.accepted_renderer.format}"
            return Response(data["accounts"], headers=file_headers(name))
        return Response(data)

from collections.abc import Callable

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounting import (
    bank,
    facturx,
    fec,
    invoicing,
    ledger,
    payments,
    selectors,
    services,
    statements,
)
from accounting import documents as invoicing_documents
from accounting.api.serializers import (
    BalanceQuerySerializer,
    BalanceSerializer,
    BankLineIgnoreSerializer,
    BankLineMatchSerializer,
    BankLineSerializer,
    BankStatementSerializer,
    BankStatementUploadSerializer,
    CreditNoteSerializer,
    EnvelopeSerializer,
    FecQuerySerializer,
    FunderProgrammeSerializer,
    FunderSerializer,
    FunderStatementSerializer,
    GroceryStatementSerializer,
    InvoiceSerializer,
    PaymentSerializer,
    ProducerStatementSerializer,
    TrialBalanceSerializer,
)
from accounting.choices import PartyKind
from accounting.models import (
    BankLine,
    BankStatement,
    Envelope,
    Funder,
    FunderProgramme,
    Invoice,
    Payment,
)
from accounting.payments import PARTY_MODELS
from core.access import actor_of
from core.api.idempotency import respond_idempotently
from core.api.parsers import BoundedMultiPartParser
from core.api.permissions import RolePermission
from core.api.renderers import CSVRenderer, PDFRenderer, XLSXRenderer
from core.api.serializers import PeriodQuerySerializer
from core.api.views import file_headers
from core.api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet, ScopedViewSet
from core.choices import Role
from core.errors import InvalidInput
from orders.selectors import grocery_list
from producers.selectors import producer_list

# Who reads invoices and balances: the coordinator all, each party its own.
EVERY_PARTY = (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF)


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


class FunderProgrammeViewSet(ReadCreateUpdateViewSet):
    """Funder programmes subsidising groceries' grouped orders (DESIGN.md §12)."""

    serializer_class = FunderProgrammeSerializer
    queryset = FunderProgramme.objects.none()
    roles = {
        "list": (Role.COORDINATOR,),
        "retrieve": (Role.COORDINATOR,),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
    }
    filterset_fields = ["funder", "is_active"]

    def scoped_queryset(self):
        return FunderProgramme.objects.select_related("funder").order_by("-is_active", "name")

    def perform_create(self, serializer):
        serializer.instance = services.programme_save(
            programme=None, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.programme_save(
            programme=serializer.instance, data=serializer.validated_data
        )


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


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Invoices, credit notes and self-billing invoices; the parties read their own."""

    serializer_class = InvoiceSerializer
    queryset = Invoice.objects.none()
    roles = {
        "list": EVERY_PARTY,
        "retrieve": EVERY_PARTY,
        "pdf": EVERY_PARTY,
        "facturx": EVERY_PARTY,
        "credit_note": (Role.COORDINATOR,),
    }
    filterset_fields = ["party_kind", "cycle", "kind"]

    def scoped_queryset(self):
        invoices = selectors.invoice_list(actor=self.actor)
        if self.action == "list":
            query = BalanceQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            party = query.validated_data.get("party")
            if party is not None:
                kind = query.validated_data.get("party_kind")
                if kind is None:
                    message = _("Say which kind of party: producer, grocery or funder.")
                    raise InvalidInput(message, fields={"party_kind": [message]})
                invoices = invoices.filter(**{f"{kind}_id": party})
        return invoices

    @extend_schema(parameters=[OpenApiParameter("party", int), OpenApiParameter("party_kind", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        return HttpResponse(
            invoicing_documents.invoice_pdf(invoice=invoice),
            content_type="application/pdf",
            headers=file_headers(f"{invoice.number}.pdf", inline=True),
        )

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def facturx(self, request, pk=None):
        """The Factur-X invoice: PDF/A-3b with its CII XML (EN 16931) embedded."""
        invoice = self.get_object()
        return HttpResponse(
            facturx.facturx_pdf(invoice=invoice),
            content_type="application/pdf",
            headers=file_headers(f"{invoice.number}-facturx.pdf"),
        )

    @extend_schema(request=CreditNoteSerializer, responses={201: InvoiceSerializer})
    @action(detail=True, methods=["post"], url_path="credit-note")
    def credit_note(self, request, pk=None):
        invoice = self.get_object()

        def produce():
            body = CreditNoteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            lines = body.validated_data.get("lines")
            note = invoicing.credit_note_create(
                invoice=invoice,
                reason=body.validated_data["reason"],
                lines=lines,
                user=request.user,
                now=timezone.now(),
            )
            return Response(InvoiceSerializer(note).data, status=status.HTTP_201_CREATED)

        return respond_idempotently(request, produce)


class PaymentViewSet(ReadCreateViewSet):
    """Money received from a grocery or a funder, paid to a producer (DESIGN.md §12)."""

    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()
    roles = {
        "list": (Role.COORDINATOR,),
        "retrieve": (Role.COORDINATOR,),
        "create": (Role.COORDINATOR,),
    }
    filterset_fields = ["party_kind", "direction", "method"]

    def scoped_queryset(self):
        return selectors.payment_list(actor=self.actor).order_by("-paid_on", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        kind = data["party_kind"]
        party = PARTY_MODELS[kind].objects.filter(pk=data["party_id"]).first()
        if party is None:
            message = _("No %(kind)s has the number %(id)d.") % {
                "kind": PartyKind(kind).label.lower(),
                "id": data["party_id"],
            }
            raise InvalidInput(message, fields={"party": [message]})
        invoices = list(Invoice.objects.filter(id__in=data["invoices"]))
        missing = sorted(set(data["invoices"]) - {invoice.id for invoice in invoices})
        if missing:
            message = _("Unknown invoices: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            raise InvalidInput(message, fields={"invoices": [message]})
        serializer.instance = payments.payment_record(
            party_kind=kind,
            party=party,
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            reference=data["reference"],
            invoices=invoices,
            contributions=data["contributions"],
            is_advance=data["is_advance"],
            user=self.request.user,
            now=timezone.now(),
        )


class BalancesView(APIView):
    """What each party owes or is owed, paid, and how old the rest is."""

    permission_classes = [RolePermission]
    roles = {"get": EVERY_PARTY}

    @extend_schema(
        parameters=[BalanceQuerySerializer], responses={200: BalanceSerializer(many=True)}
    )
    def get(self, request):
        query = BalanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind, ids = selectors.balance_parties(actor=actor_of(request.user))
        wanted_kind = query.validated_data.get("party_kind")
        wanted = query.validated_data.get("party")
        if kind is None:
            kind = wanted_kind
            ids = [wanted] if wanted is not None else None
        else:
            if wanted_kind not in (None, kind):
                ids = []
            if wanted is not None:
                ids = [party for party in ids or [] if party == wanted]
        rows = payments.balances(party_kind=kind, party_ids=ids, today=timezone.localdate())
        return Response(BalanceSerializer([vars(row) for row in rows], many=True).data)


class FecView(APIView):
    """The Fichier des écritures comptables of a calendar year (article A47 A-1 LPF)."""

    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR,)}

    @extend_schema(
        parameters=[FecQuerySerializer],
        responses={(200, "text/plain"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        query = FecQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data["year"]
        return StreamingHttpResponse(
            fec.fec_chunks(year),
            content_type="text/plain; charset=iso-8859-15",
            headers=file_headers(fec.filename(year)),
        )


class BankStatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The bank's account statements imported (CAMT.053 or CSV), and their lines."""

    serializer_class = BankStatementSerializer
    queryset = BankStatement.objects.none()
    parser_classes = [BoundedMultiPartParser]
    roles = {
        "list": (Role.COORDINATOR,),
        "retrieve": (Role.COORDINATOR,),
        "create": (Role.COORDINATOR,),
        "lines": (Role.COORDINATOR,),
    }

    def scoped_queryset(self):
        return BankStatement.objects.prefetch_related("lines")

    @extend_schema(
        request={"multipart/form-data": BankStatementUploadSerializer},
        responses={201: BankStatementSerializer},
    )
    def create(self, request):
        body = BankStatementUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        statement = bank.statement_import(
            file_name=upload.name,
            content=upload.read(),
            now=timezone.now(),
            user=request.user,
        )
        statement = self.scoped_queryset().get(pk=statement.pk)
        return Response(BankStatementSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: BankLineSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None):
        statement = self.get_object()
        return Response(
            BankLineSerializer(statement.lines.order_by("booked_on", "id"), many=True).data
        )


class BankLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Bank lines: those waiting for a person are matched or ignored here."""

    serializer_class = BankLineSerializer
    queryset = BankLine.objects.none()
    roles = {
        "list": (Role.COORDINATOR,),
        "retrieve": (Role.COORDINATOR,),
        "match": (Role.COORDINATOR,),
        "ignore": (Role.COORDINATOR,),
    }
    filterset_fields = ["status", "statement", "direction"]

    def scoped_queryset(self):
        return BankLine.objects.order_by("booked_on", "id")

    @extend_schema(request=BankLineMatchSerializer, responses={200: BankLineSerializer})
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        line = self.get_object()

        def produce():
            body = BankLineMatchSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            wanted = data["invoices"]
            invoices = list(Invoice.objects.filter(id__in=wanted))
            missing = sorted(set(wanted) - {invoice.id for invoice in invoices})
            if missing:
                message = _("Unknown invoices: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                raise InvalidInput(message, fields={"invoices": [message]})
            party = None
            kind = data.get("party_kind")
            if not invoices:
                if kind is None or data.get("party") is None:
                    message = _("Say which invoices or which party this line pays.")
                    raise InvalidInput(message, fields={"invoices": [message]})
                party = PARTY_MODELS[kind].objects.filter(pk=data["party"]).first()
                if party is None:
                    message = _("No %(kind)s has the number %(id)d.") % {
                        "kind": PartyKind(kind).label.lower(),
                        "id": data["party"],
                    }
                    raise InvalidInput(message, fields={"party": [message]})
            matched = bank.line_match(
                line=line,
                invoices=invoices,
                party_kind=kind,
                party=party,
                is_advance=data["advance"],
                now=timezone.now(),
                user=request.user,
            )
            return Response(BankLineSerializer(matched).data)

        return respond_idempotently(request, produce)

    @extend_schema(request=BankLineIgnoreSerializer, responses={200: BankLineSerializer})
    @action(detail=True, methods=["post"])
    def ignore(self, request, pk=None):
        line = self.get_object()
        body = BankLineIgnoreSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ignored = bank.line_ignore(line=line, reason=body.validated_data["reason"])
        return Response(BankLineSerializer(ignored).data)

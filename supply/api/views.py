from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounting import settlement
from accounting import tasks as accounting_tasks
from accounting.api.serializers import SettlementSerializer
from core import db
from core.api.idempotency import respond_idempotently
from core.api.renderers import CSVRenderer, PDFRenderer, XLSXRenderer, copy_csv
from core.api.serializers import TaskAcceptedSerializer
from core.api.views import accepted, file_headers
from core.api.viewsets import ReadCreateUpdateViewSet, ScopedViewSet
from core.choices import Role
from orders import selectors as selectors_orders
from supply import contracts, documents, rhythm, selectors, services, tasks
from supply.api.serializers import (
    ConfirmationSerializer,
    ContractSerializer,
    ContractStatementSerializer,
    CycleConfirmSerializer,
    CycleCopySerializer,
    CycleEventSerializer,
    CycleScheduleSerializer,
    GenerateResultSerializer,
    OrderCycleSerializer,
    PackingRowSerializer,
    PurchaseListSerializer,
)
from supply.models import CycleSchedule, OrderCycle, PurchaseList, SeasonContract


class OrderCycleViewSet(ReadCreateUpdateViewSet):
    serializer_class = OrderCycleSerializer
    queryset = OrderCycle.objects.none()
    roles = {
        "list": tuple(Role.values),
        "retrieve": tuple(Role.values),
        "events": tuple(Role.values),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
        "open": (Role.COORDINATOR,),
        "close": (Role.COORDINATOR,),
        "confirm": (Role.COORDINATOR,),
        "dispatch_cycle": (Role.COORDINATOR,),
        "deliver": (Role.COORDINATOR,),
        "settle": (Role.COORDINATOR,),
        "copy": (Role.COORDINATOR,),
        "cancel": (Role.COORDINATOR,),
        "settlement": (Role.COORDINATOR,),
        "purchase_lists": (Role.COORDINATOR, Role.PRODUCER),
        "packing_lists": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER),
    }
    filterset_fields = ["status", "delivery_date"]

    def scoped_queryset(self):
        return selectors.cycle_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.cycle_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.cycle_update(
            cycle=serializer.instance, now=timezone.now(), **serializer.validated_data
        )

    @extend_schema(request=None, responses={200: OrderCycleSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        cycle = self.get_object()
        cycle = services.cycle_open(cycle_id=cycle.id, user=request.user, now=timezone.now())
        return Response(OrderCycleSerializer(cycle).data)

    @extend_schema(request=CycleCopySerializer, responses={201: OrderCycleSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """A new draft cycle with the same offers, on another date."""
        return respond_idempotently(request, lambda: self._copy(request))

    def _copy(self, request):
        cycle = self.get_object()
        serializer = CycleCopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = rhythm.cycle_copy(cycle=cycle, **serializer.validated_data)
        return Response(OrderCycleSerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OrderCycleSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Call off a draft; its schedule will not make it again."""
        cycle = rhythm.cycle_cancel(
            cycle_id=self.get_object().id, user=request.user, now=timezone.now()
        )
        return Response(OrderCycleSerializer(cycle).data)

    @extend_schema(request=None, responses={202: TaskAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return accepted(tasks.cycle_close_start(cycle=self.get_object(), user=request.user))

    @extend_schema(responses={200: CycleEventSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        cycle = self.get_object()
        events = cycle.events.select_related("user")
        return Response(CycleEventSerializer(events, many=True).data)

    @extend_schema(request=CycleConfirmSerializer, responses={202: TaskAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        cycle = self.get_object()
        serializer = CycleConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return accepted(
            tasks.cycle_confirm_start(
                cycle=cycle,
                user=request.user,
                missing_as_zero=serializer.validated_data["missing_as_zero"],
            )
        )

    # Not named `dispatch`: that is the view's own request entry point.
    @extend_schema(request=None, responses={200: OrderCycleSerializer})
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_cycle(self, request, pk=None):
        cycle = self.get_object()
        cycle = services.cycle_dispatch(cycle_id=cycle.id, user=request.user, now=timezone.now())
        return Response(OrderCycleSerializer(cycle).data)

    @extend_schema(request=None, responses={200: OrderCycleSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        cycle = self.get_object()
        cycle = services.cycle_deliver(cycle_id=cycle.id, user=request.user, now=timezone.now())
        return Response(OrderCycleSerializer(cycle).data)

    @extend_schema(request=None, responses={202: TaskAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        return accepted(
            accounting_tasks.cycle_settle_start(cycle=self.get_object(), user=request.user)
        )

    @extend_schema(responses={200: SettlementSerializer})
    @action(
        detail=True, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer]
    )
    def settlement(self, request, pk=None):
        cycle = self.get_object()
        data = SettlementSerializer(settlement.settlement_summary(cycle=cycle)).data
        file_format = request.accepted_renderer.format
        if file_format in ("csv", "xlsx"):
            rows = [
                *({"partie": "producteur", **row} for row in data["producers"]),
                *({"partie": "épicerie", **row} for row in data["groceries"]),
                *({"partie": "financeur", **row} for row in data["funders"]),
            ]
            return Response(rows, headers=file_headers(f"reglement-{cycle.id}.{file_format}"))
        return Response(data)

    @extend_schema(responses={200: PurchaseListSerializer(many=True)}, filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path="purchase-lists",
        renderer_classes=[JSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def purchase_lists(self, request, pk=None):
        cycle = self.get_object()
        lists = selectors.with_line_totals(
            selectors.purchase_list_list(actor=self.actor).filter(cycle=cycle)
        )
        data = PurchaseListSerializer(lists, many=True).data
        if request.accepted_renderer.format == "csv":
            data = [
                {
                    "producteur": row["producer_name"],
                    "statut": row["status"],
                    **line,
                }
                for row in data
                for line in row["lines"]
            ]
            return Response(data, headers=file_headers(f"bons-de-commande-{cycle.id}.csv"))
        return Response(data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "pdf"])],
        responses={200: PackingRowSerializer(many=True)},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="packing-lists",
        renderer_classes=[JSONRenderer, CSVRenderer, PDFRenderer],
        pagination_class=None,
    )
    def packing_lists(self, request, pk=None):
        cycle = self.get_object()
        rows = selectors.packing_rows(cycle_id=cycle.id, actor=self.actor)
        if request.accepted_renderer.format == "pdf":
            pdf = documents.packing_list_pdf(cycle=cycle, rows=list(rows))
            return Response(pdf, headers=file_headers(f"colisage-{cycle.id}.pdf", inline=True))
        if request.accepted_renderer.format != "csv":
            return Response(PackingRowSerializer(rows, many=True).data)
        filename = f"colisage-{cycle.id}.csv"
        if db.can_copy():
            # The database writes the CSV itself: 300 000 lines stream out in well under 2 s.
            return StreamingHttpResponse(
                copy_csv(rows, kinds=PACKING_COLUMNS, view=self),
                content_type="text/csv; charset=utf-8",
                headers=file_headers(filename),
            )
        data = PackingRowSerializer(rows, many=True).data
        return Response(data, headers=file_headers(filename))


# The packing list's columns, as the database writes them (core.api.renderers.copy_csv).
PACKING_COLUMNS = {
    "grocery": "integer",
    "grocery_name": "text",
    "order_number": "integer",
    "household": "text",
    "producer_name": "text",
    "product_name": "text",
    "unit": "text",
    "asked_quantity": "decimal",
    "packed_quantity": "decimal",
    "weight_kg": "decimal",
}


class PurchaseListViewSet(mixins.RetrieveModelMixin, ScopedViewSet):
    serializer_class = PurchaseListSerializer
    queryset = PurchaseList.objects.none()
    # The coordinator may confirm for a producer who answered by phone (recorded as such).
    roles = {"*": (Role.COORDINATOR, Role.PRODUCER), "confirm": (Role.PRODUCER, Role.COORDINATOR)}

    def retrieve(self, request, *args, **kwargs):
        (purchase_list,) = selectors.with_line_totals([self.get_object()])
        return Response(PurchaseListSerializer(purchase_list).data)

    def scoped_queryset(self):
        return selectors.purchase_list_list(actor=self.actor)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        (purchase_list,) = selectors.with_line_totals([self.get_object()])
        pdf = documents.purchase_order_pdf(purchase_list=purchase_list)
        name = slugify(f"bon-de-commande-{purchase_list.producer.name}-{purchase_list.cycle_id}")
        return HttpResponse(
            pdf, content_type="application/pdf", headers=file_headers(f"{name}.pdf", inline=True)
        )

    @extend_schema(request=ConfirmationSerializer, responses={200: PurchaseListSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        purchase_list = self.get_object()
        serializer = ConfirmationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.purchase_list_confirm(
            purchase_list=purchase_list,
            confirmed={
                line["offer"]: line["confirmed_quantity"]
                for line in serializer.validated_data["lines"]
            },
            now=timezone.now(),
            user=request.user,
            on_behalf=self.actor.role == Role.COORDINATOR,
        )
        (purchase_list,) = selectors.with_line_totals(
            [self.get_queryset().get(pk=purchase_list.pk)]
        )
        return Response(PurchaseListSerializer(purchase_list).data)


class CycleScheduleViewSet(ReadCreateUpdateViewSet, mixins.DestroyModelMixin):
    """The weekly rhythm of a hub (DESIGN.md §10)."""

    serializer_class = CycleScheduleSerializer
    queryset = CycleSchedule.objects.none()
    roles = {"*": (Role.COORDINATOR,)}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self):
        return selectors.schedule_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = rhythm.schedule_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = rhythm.schedule_update(
            schedule=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        rhythm.schedule_delete(schedule=instance)

    @extend_schema(request=None, responses={200: GenerateResultSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Make the missing cycles up to `weeks_ahead` (beat does it every night)."""
        result = rhythm.schedule_generate(schedule=self.get_object(), now=timezone.now())
        return Response(GenerateResultSerializer(result).data)


class ContractViewSet(ReadCreateUpdateViewSet):
    """Season contracts: the coordinator makes them, both sides sign (DESIGN.md §10)."""

    serializer_class = ContractSerializer
    queryset = SeasonContract.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER),
        "retrieve": (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER),
        "statement": (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
        "sign": (Role.COORDINATOR, Role.PRODUCER),
    }
    filterset_fields = ["status", "producer"]

    def scoped_queryset(self):
        return selectors.contract_list(actor=self.actor)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        contract = contracts.contract_create(
            user=self.request.user,
            now=timezone.now(),
            lines=_contract_lines(data.pop("lines")),
            **data,
        )
        serializer.instance = self.get_queryset().get(pk=contract.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lines = data.pop("lines", None)
        contract = contracts.contract_update(
            contract=serializer.instance,
            now=timezone.now(),
            lines=None if lines is None else _contract_lines(lines),
            **data,
        )
        serializer.instance = self.get_queryset().get(pk=contract.pk)

    @extend_schema(request=None, responses={200: ContractSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign: the coordinator for the platform, the producer for itself."""
        contract = contracts.contract_sign(
            contract=self.get_object(), user=request.user, role=self.actor.role, now=timezone.now()
        )
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data)

    @extend_schema(responses={200: ContractStatementSerializer})
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        """Delivered, short, prepaid and left, per grocery and product. A volunteer reads
        its own grocery's lines only."""
        contract = self.get_object()
        statement = contracts.contract_statement(contract=contract)
        if self.actor.role == Role.GROCERY_VOLUNTEER:
            statement = contracts.statement_for_grocery(
                statement,
                grocery_ids=set(
                    selectors_orders.grocery_list(actor=self.actor).values_list("id", flat=True)
                ),
            )
        return Response(ContractStatementSerializer(statement).data)


def _contract_lines(lines: list[dict]) -> list[contracts.LineInput]:
    return [
        contracts.LineInput(line["product"], line["grocery"], line["quantity_per_delivery"])
        for line in lines
    ]

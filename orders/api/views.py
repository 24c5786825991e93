import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.filters import FilterSet
from core.api.idempotency import respond_idempotently
from core.api.permissions import RolePermission
from core.api.views import file_headers
from core.api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet, ScopedViewSet
from core.choices import Commune, ImportKind, Role
from orders import selectors, services, standing
from orders.api.places import PlacesImportActions
from orders.api.serializers import (
    GrocerySerializer,
    HouseholdAccessLogSerializer,
    HouseholdCreateSerializer,
    HouseholdFullSerializer,
    HouseholdLimitedSerializer,
    HouseholdRenewSerializer,
    HouseholdSummarySerializer,
    HouseholdSuspendSerializer,
    OrderCreateSerializer,
    OrderLineSerializer,
    OrderLinesInputSerializer,
    OrderRepeatSerializer,
    OrderSerializer,
    OrderWithWarningsSerializer,
    ReceptionSerializer,
    SocialServiceSerializer,
    StandingOrderSerializer,
    TariffSuggestionSerializer,
    TariffSuggestSerializer,
    TariffTierSerializer,
)
from orders.choices import AccessAction
from orders.households import (
    access_log,
    funders_usable_by,
    household_enrol,
    household_export,
    household_renew,
    household_suspend,
    tariff_suggest,
    tariff_tiers_replace,
)
from orders.models import (
    Grocery,
    Household,
    HouseholdAccessLog,
    Order,
    OrderLine,
    SocialService,
    StandingOrder,
    TariffTier,
)
from orders.services import RequestedLine


class GroceryFilter(FilterSet):
    commune = django_filters.ChoiceFilter(
        field_name="organisation__commune", choices=Commune.choices
    )

    class Meta:
        model = Grocery
        fields = ["commune", "zone"]


class SocialServiceFilter(FilterSet):
    commune = django_filters.ChoiceFilter(
        field_name="organisation__commune", choices=Commune.choices
    )

    class Meta:
        model = SocialService
        fields = ["commune"]


class GroceryViewSet(PlacesImportActions, ReadCreateUpdateViewSet):
    places_kind = ImportKind.GROCERIES
    serializer_class = GrocerySerializer
    queryset = Grocery.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF, Role.OFFICIAL),
        "retrieve": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF, Role.OFFICIAL),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
        "receptions": (Role.GROCERY_VOLUNTEER,),
        "places_import": (Role.COORDINATOR,),
    }
    filterset_class = GroceryFilter

    def scoped_queryset(self):
        return selectors.grocery_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.grocery_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.grocery_update(
            grocery=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=ReceptionSerializer, responses={201: OrderLineSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def receptions(self, request, pk=None):
        grocery = self.get_object()  # a volunteer's scope is its own grocery
        serializer = ReceptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        reception = services.reception_record(
            grocery=grocery,
            cycle_id=data["cycle"],
            user=request.user,
            lines={line["order_line"]: line["received_quantity"] for line in data["lines"]},
            reasons={line["order_line"]: line.get("reason", "") for line in data["lines"]},
            now=timezone.now(),
        )
        lines = OrderLine.objects.filter(
            id__in=reception.lines.values("order_line_id")
        ).select_related("offer__product", "order")
        return Response(OrderLineSerializer(lines, many=True).data, status=status.HTTP_201_CREATED)


class SocialServiceViewSet(ReadCreateViewSet):
    serializer_class = SocialServiceSerializer
    queryset = SocialService.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.CCAS_STAFF),
        "retrieve": (Role.COORDINATOR, Role.CCAS_STAFF),
        "create": (Role.COORDINATOR,),
    }
    filterset_class = SocialServiceFilter

    def scoped_queryset(self):
        return selectors.social_service_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.social_service_create(**serializer.validated_data)


HOUSEHOLD_ROLES = (Role.CCAS_STAFF, Role.GROCERY_VOLUNTEER)


class HouseholdViewSet(ReadCreateViewSet):
    """Households of the CCAS module. Roles that never see households get 404 everywhere."""

    queryset = Household.objects.none()
    serializer_class = HouseholdFullSerializer
    roles = {"*": tuple(Role.values)}
    filterset_fields = ["tier__code", "pickup_grocery"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.actor.role not in HOUSEHOLD_ROLES:
            raise Http404
        ccas_only = self.action in (
            "create",
            "renew",
            "suspend",
            "reinstate",
            "access_log",
            "export",
        )
        if ccas_only and self.actor.role != Role.CCAS_STAFF:
            raise PermissionDenied(_("Only the staff of a CCAS manage households."))

    def scoped_queryset(self):
        return selectors.household_list(actor=self.actor, today=timezone.localdate())

    def get_serializer_class(self):
        if self.actor is None or self.actor.role != Role.CCAS_STAFF:
            return HouseholdLimitedSerializer
        if self.action == "list":
            return HouseholdSummarySerializer
        return HouseholdFullSerializer

    def retrieve(self, request, *args, **kwargs):
        household = self.get_object()
        if self.actor.role == Role.CCAS_STAFF:
            access_log(
                household=household,
                user=request.user,
                action=AccessAction.READ,
                at=timezone.now(),
            )
        return Response(self.get_serializer(household).data)

    @extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdFullSerializer})
    def create(self, request, *args, **kwargs):
        def produce():
            social_service = SocialService.objects.get(organisation_id=self.actor.organisation_id)
            serializer = HouseholdCreateSerializer(
                data=request.data, funders=funders_usable_by(social_service)
            )
            serializer.is_valid(raise_exception=True)
            household = household_enrol(
                social_service=social_service,
                user=request.user,
                now=timezone.now(),
                **serializer.validated_data,
            )
            household = self.get_queryset().get(pk=household.pk)
            return Response(HouseholdFullSerializer(household).data, status=status.HTTP_201_CREATED)

        return respond_idempotently(request, produce)

    @extend_schema(request=HouseholdRenewSerializer, responses={200: HouseholdFullSerializer})
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        household = self.get_object()
        serializer = HouseholdRenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household_renew(
            household=household,
            user=request.user,
            valid_until=serializer.validated_data["valid_until"],
            today=timezone.localdate(),
            now=timezone.now(),
        )
        return Response(HouseholdFullSerializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(request=HouseholdSuspendSerializer, responses={200: HouseholdFullSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        household = self.get_object()
        serializer = HouseholdSuspendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = household_suspend(
            household=household,
            user=request.user,
            now=timezone.now(),
            suspended=True,
            reason=serializer.validated_data["reason"],
        )
        return Response(HouseholdFullSerializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(request=None, responses={200: HouseholdFullSerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        household = household_suspend(
            household=self.get_object(), user=request.user, now=timezone.now(), suspended=False
        )
        return Response(HouseholdFullSerializer(self.get_queryset().get(pk=household.pk)).data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """Everything kept about this household, for a subject access request (logged)."""
        data = household_export(household=self.get_object(), user=request.user, now=timezone.now())
        reference = data["household"]["reference"]
        return Response(data, headers=file_headers(f"foyer-{reference}.json"))

    @extend_schema(responses={200: HouseholdAccessLogSerializer(many=True)}, filters=False)
    @action(detail=True, methods=["get"], url_path="access-log")
    def access_log(self, request, pk=None):
        household = self.get_object()
        entries = selectors.household_access_log_list(actor=self.actor).filter(household=household)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HouseholdAccessLogSerializer(page, many=True).data)


class HouseholdAccessLogViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Who read or changed the CCAS's households, newest first."""

    queryset = HouseholdAccessLog.objects.none()
    serializer_class = HouseholdAccessLogSerializer
    roles = {"*": (Role.CCAS_STAFF,)}
    filterset_fields = ["household", "user", "action"]

    def scoped_queryset(self):
        return selectors.household_access_log_list(actor=self.actor)


class TariffSuggestView(APIView):
    permission_classes = [RolePermission]
    roles = {"post": (Role.CCAS_STAFF,)}

    @extend_schema(request=TariffSuggestSerializer, responses={200: TariffSuggestionSerializer})
    def post(self, request):
        serializer = TariffSuggestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = tariff_suggest(**serializer.validated_data)
        return Response(TariffSuggestionSerializer(suggestion).data)


class TariffTiersView(APIView):
    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR, Role.CCAS_STAFF), "put": (Role.COORDINATOR,)}

    @extend_schema(responses={200: TariffTierSerializer(many=True)})
    def get(self, request):
        tiers = TariffTier.objects.order_by("beneficiary_rate", "code")
        return Response(TariffTierSerializer(tiers, many=True).data)

    @extend_schema(
        request=TariffTierSerializer(many=True), responses={200: TariffTierSerializer(many=True)}
    )
    def put(self, request):
        serializer = TariffTierSerializer(data=request.data, many=True, allow_empty=False)
        serializer.is_valid(raise_exception=True)
        tiers = tariff_tiers_replace(tiers=serializer.validated_data)
        return Response(TariffTierSerializer(tiers, many=True).data)


def _requested_lines(validated) -> list[RequestedLine]:
    return [
        RequestedLine(offer_id=line["offer"], quantity=line["quantity"])
        for line in validated["lines"]
    ]


class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    queryset = Order.objects.none()
    serializer_class = OrderSerializer
    roles = {
        "list": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER),
        "retrieve": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER),
        "create": (Role.GROCERY_VOLUNTEER,),
        "partial_update": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER),
        "destroy": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER),
        "repeat": (Role.GROCERY_VOLUNTEER,),
    }
    filterset_fields = ["cycle", "status", "grocery", "household"]

    def scoped_queryset(self):
        orders = selectors.order_list(actor=self.actor)
        if self.action in ("partial_update", "destroy"):
            # Only the scope is checked here: the service locks and reads the order itself.
            return (
                orders.prefetch_related(None)
                .select_related(None)
                .only("id", "cycle_id", "household_id")
            )
        return orders

    def _answer(self, order, status_code=status.HTTP_200_OK):
        """The order as the service wrote it (its lines in hand), with shortage warnings."""
        order.warnings = order.shortage_warnings
        return Response(OrderWithWarningsSerializer(order).data, status=status_code)

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderWithWarningsSerializer})
    def create(self, request, *args, **kwargs):
        return respond_idempotently(request, lambda: self._create(request))

    def _create(self, request):
        serializer = OrderCreateSerializer(
            data=request.data,
            groceries=selectors.grocery_list(actor=self.actor).filter(
                organisation_id=self.actor.organisation_id
            ),
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = services.order_submit(
            user=request.user,
            cycle_id=data["cycle"],
            lines=_requested_lines(data),
            now=timezone.now(),
            grocery=data.get("grocery"),
            household_id=data.get("household"),
            households=selectors.household_scope(actor=self.actor),
            payment=data["payment"],
            caisse_id=data.get("caisse"),
        )
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderLinesInputSerializer, responses={200: OrderWithWarningsSerializer})
    def partial_update(self, request, *args, **kwargs):
        order = self.get_object()
        serializer = OrderLinesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_replace_lines(
            order=order, lines=_requested_lines(serializer.validated_data), now=timezone.now()
        )
        return self._answer(order)

    @extend_schema(request=OrderRepeatSerializer, responses={201: OrderWithWarningsSerializer})
    @action(detail=True, methods=["post"])
    def repeat(self, request, pk=None):
        """The same lines in another (open) cycle: "même commande que la dernière fois"."""
        return respond_idempotently(request, lambda: self._repeat(request))

    def _repeat(self, request):
        order = self.get_object()
        serializer = OrderRepeatSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        repeated = standing.order_repeat(
            order=order,
            cycle_id=serializer.validated_data["cycle"],
            user=request.user,
            now=timezone.now(),
            households=selectors.household_scope(actor=self.actor),
        )
        order = repeated.order
        order.warnings = repeated.warnings
        return Response(OrderWithWarningsSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: OrderSerializer})
    def destroy(self, request, *args, **kwargs):
        order = services.order_cancel(order=self.get_object(), now=timezone.now())
        return Response(OrderSerializer(selectors.order_written(order_id=order.pk)).data)


class StandingOrderViewSet(ReadCreateUpdateViewSet):
    """A grocery's standing grouped order, and its households' standing orders (§10)."""

    serializer_class = StandingOrderSerializer
    queryset = StandingOrder.objects.none()
    roles = {
        "list": (Role.GROCERY_VOLUNTEER, Role.COORDINATOR),
        "retrieve": (Role.GROCERY_VOLUNTEER, Role.COORDINATOR),
        "create": (Role.GROCERY_VOLUNTEER,),
        "partial_update": (Role.GROCERY_VOLUNTEER,),
    }
    filterset_fields = ["is_active", "household"]

    def scoped_queryset(self):
        return selectors.standing_order_list(actor=self.actor)

    def get_serializer(self, *args, **kwargs):
        if self.actor is not None:
            groceries = selectors.grocery_list(actor=self.actor)
            if self.actor.role != Role.COORDINATOR:
                kwargs["groceries"] = groceries
                kwargs["households"] = selectors.household_scope(actor=self.actor)
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        grocery = data.get("grocery") or selectors.grocery_list(actor=self.actor).first()
        standing_order = standing.standing_order_create(
            user=self.request.user,
            grocery=grocery,
            household=data.get("household"),
            lines=_product_lines(data["lines"]),
            is_active=data.get("is_active", True),
            now=timezone.now(),
        )
        serializer.instance = self.get_queryset().get(pk=standing_order.pk)

    def perform_update(self, serializer):
        data = serializer.validated_data
        standing_order = standing.standing_order_update(
            standing=serializer.instance,
            now=timezone.now(),
            lines=_product_lines(data["lines"]) if "lines" in data else None,
            is_active=data.get("is_active"),
        )
        serializer.instance = self.get_queryset().get(pk=standing_order.pk)


def _product_lines(lines: list[dict]) -> list[standing.ProductLine]:
    return [standing.ProductLine(line["product"], line["quantity"]) for line in lines]

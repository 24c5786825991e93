from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import actor_required
from core.api.permissions import RolePermission
from core.api.renderers import GeoJSONRenderer
from core.api.serializers import TaskAcceptedSerializer
from core.api.views import accepted, file_headers
from core.api.viewsets import ReadCreateUpdateViewSet, ScopedViewSet
from core.choices import Role
from logistics import documents, selectors, services, tasks
from logistics.api.serializers import (
    HubSerializer,
    PlanRequestSerializer,
    RoundSerializer,
    UnservedStopSerializer,
    VehicleSerializer,
    ZoneSerializer,
)
from logistics.models import Hub, Round, Vehicle, Zone
from supply.models import OrderCycle


class HubViewSet(ReadCreateUpdateViewSet):
    serializer_class = HubSerializer
    roles = {"*": (Role.COORDINATOR,)}
    queryset = Hub.objects.order_by("id")

    def perform_create(self, serializer):
        serializer.instance = services.hub_create(
            organisation=self.actor.organisation, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.hub_update(
            hub=serializer.instance, **serializer.validated_data
        )


class VehicleViewSet(ReadCreateUpdateViewSet):
    serializer_class = VehicleSerializer
    roles = {"*": (Role.COORDINATOR,)}
    queryset = Vehicle.objects.order_by("id")
    filterset_fields = ["is_refrigerated", "is_active"]

    def perform_create(self, serializer):
        serializer.instance = services.vehicle_create(
            organisation=self.actor.organisation, **serializer.validated_data
        )


class ZoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The communes and priority neighbourhoods, for filters and maps."""

    serializer_class = ZoneSerializer
    roles = {"*": tuple(Role.values)}
    queryset = Zone.objects.order_by("kind", "name")
    filterset_fields = ["kind", "commune"]


_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
GEOJSON_SCHEMA = {
    "type": "object",
    "description": "Each round as a LineString through its stops, each stop as a Point.",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"type": "string", "enum": ["Point", "LineString"]},
                            "coordinates": {
                                "oneOf": [_POSITION, {"type": "array", "items": _POSITION}]
                            },
                        },
                    },
                    "properties": {"type": "object", "additionalProperties": True},
                },
            },
        },
    },
}


class CycleRoundsView(APIView):
    """The rounds of a cycle; volunteers and producers see only the stops at their place."""

    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.PRODUCER)}
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["json", "geojson"], description="geojson: a map")
        ],
        responses={
            (200, "application/json"): RoundSerializer(many=True),
            (200, "application/geo+json"): GEOJSON_SCHEMA,
        },
    )
    def get(self, request, cycle_id: int):
        actor = actor_required(request.user)
        cycle = get_object_or_404(OrderCycle, pk=cycle_id)
        rounds = selectors.round_list(actor=actor, cycle=cycle)
        totals = actor.role == Role.COORDINATOR
        if request.accepted_renderer.format == "geojson":
            return Response(selectors.rounds_geojson(rounds, totals=totals))
        return Response(RoundSerializer(rounds, many=True, context={"totals": totals}).data)


class CycleUnservedView(APIView):
    """The places the last plan of a cycle could not serve, each with its cause."""

    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR,)}

    @extend_schema(responses={200: UnservedStopSerializer(many=True)})
    def get(self, request, cycle_id: int):
        cycle = get_object_or_404(OrderCycle, pk=cycle_id)
        return Response(
            UnservedStopSerializer(selectors.unserved_list(cycle=cycle), many=True).data
        )


class CyclePlanRoundsView(APIView):
    permission_classes = [RolePermission]
    roles = {"post": (Role.COORDINATOR,)}

    @extend_schema(request=PlanRequestSerializer, responses={202: TaskAcceptedSerializer})
    def post(self, request, cycle_id: int):
        cycle = get_object_or_404(OrderCycle, pk=cycle_id)
        serializer = PlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = tasks.cycle_plan_rounds_start(
            cycle=cycle,
            user=request.user,
            vehicle_ids=serializer.validated_data["vehicles"],
            time_limit_s=serializer.validated_data["time_limit_s"],
        )
        return accepted(run)


class RoundSheetView(APIView):
    permission_classes = [RolePermission]
    roles = {"get": (Role.COORDINATOR,)}

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, round_id: int):
        round_ = get_object_or_404(
            Round.objects.select_related("cycle", "vehicle").prefetch_related("stops", "trips"),
            pk=round_id,
        )
        return HttpResponse(
            documents.route_sheet_pdf(round_=round_),
            content_type="application/pdf",
            headers=file_headers(f"feuille-de-route-{round_.id}.pdf", inline=True),
        )

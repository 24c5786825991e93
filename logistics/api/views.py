from rest_framework import mixins

from core.api.viewsets import ReadCreateUpdateViewSet, ScopedViewSet
from core.choices import Role
from logistics import services
from logistics.api.serializers import HubSerializer, VehicleSerializer, ZoneSerializer
from logistics.models import Hub, Vehicle, Zone


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

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import TaskAcceptedSerializer
from core.api.views import accepted
from core.api.viewsets import ReadCreateUpdateViewSet
from core.choices import Role
from core.tasks import task_enqueue
from supply import selectors, services, tasks
from supply.api.serializers import CycleEventSerializer, OrderCycleSerializer
from supply.models import OrderCycle


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
        cycle = services.cycle_open(cycle_id=cycle.id, actor=request.user, now=timezone.now())
        return Response(OrderCycleSerializer(cycle).data)

    @extend_schema(request=None, responses={202: TaskAcceptedSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        cycle = self.get_object()
        services.cycle_check_closable(cycle=cycle)
        run = task_enqueue(
            task=tasks.cycle_close_task,
            name="cycle_close",
            user=request.user,
            cycle_id=cycle.id,
            actor_id=request.user.id,
        )
        return accepted(run)

    @extend_schema(responses={200: CycleEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        cycle = self.get_object()
        events = cycle.events.select_related("actor")
        return Response(CycleEventSerializer(events, many=True).data)

from accounting import selectors, services
from accounting.api.serializers import EnvelopeSerializer, FunderSerializer
from accounting.models import Envelope, Funder
from core.api.viewsets import ReadCreateViewSet
from core.choices import Role


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

from core.api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet
from core.choices import Role
from orders import selectors, services
from orders.api.serializers import GrocerySerializer, SocialServiceSerializer
from orders.models import Grocery, SocialService


class GroceryViewSet(ReadCreateUpdateViewSet):
    serializer_class = GrocerySerializer
    queryset = Grocery.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF, Role.OFFICIAL),
        "retrieve": (Role.COORDINATOR, Role.GROCERY_VOLUNTEER, Role.CCAS_STAFF, Role.OFFICIAL),
        "create": (Role.COORDINATOR,),
        "partial_update": (Role.COORDINATOR,),
    }
    filterset_fields = ["commune", "zone"]

    def scoped_queryset(self):
        return selectors.grocery_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.grocery_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.grocery_update(
            grocery=serializer.instance, **serializer.validated_data
        )


class SocialServiceViewSet(ReadCreateViewSet):
    serializer_class = SocialServiceSerializer
    queryset = SocialService.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.CCAS_STAFF),
        "retrieve": (Role.COORDINATOR, Role.CCAS_STAFF),
        "create": (Role.COORDINATOR,),
    }
    filterset_fields = ["commune"]

    def scoped_queryset(self):
        return selectors.social_service_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.social_service_create(**serializer.validated_data)

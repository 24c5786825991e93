import django_filters

from core.api.filters import FilterSet
from core.api.viewsets import ReadCreateUpdateViewSet
from core.choices import Role
from producers import selectors, services
from producers.api.serializers import OfferSerializer, ProducerSerializer, ProductSerializer
from producers.models import Offer, Producer, Product
from supply.models import OrderCycle
from supply.rhythm import standing_offers_spread


class ProducerFilter(FilterSet):
    commune = django_filters.CharFilter(field_name="organisation__commune")

    class Meta:
        model = Producer
        fields = ["commune", "is_organic"]


class ProducerViewSet(ReadCreateUpdateViewSet):
    serializer_class = ProducerSerializer
    queryset = Producer.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.PRODUCER),
        "retrieve": (Role.COORDINATOR, Role.PRODUCER),
        "partial_update": (Role.COORDINATOR, Role.PRODUCER),
        "create": (Role.COORDINATOR,),
    }
    filterset_class = ProducerFilter
    search_fields = ["organisation__name"]

    def scoped_queryset(self):
        return selectors.producer_list(actor=self.actor)

    def perform_create(self, serializer):
        serializer.instance = services.producer_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.producer_update(
            producer=serializer.instance, **serializer.validated_data
        )


class ProductViewSet(ReadCreateUpdateViewSet):
    serializer_class = ProductSerializer
    queryset = Product.objects.none()
    roles = {"*": (Role.COORDINATOR, Role.PRODUCER)}
    filterset_fields = ["producer", "category", "unit", "is_organic", "is_active"]

    def scoped_queryset(self):
        return selectors.product_list(actor=self.actor)

    def get_serializer(self, *args, **kwargs):
        if self.actor is not None:
            producers = selectors.producer_list(actor=self.actor)
            kwargs["producers"] = producers
            describing = getattr(self, "swagger_fake_view", False)
            if self.actor.role == Role.PRODUCER and self.action == "create" and not describing:
                # A producer need not name itself: its products are its own.
                kwargs["own_producer"] = producers.first()
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = services.product_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            product=serializer.instance, **serializer.validated_data
        )


class OfferViewSet(ReadCreateUpdateViewSet):
    serializer_class = OfferSerializer
    queryset = Offer.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER),
        "retrieve": (Role.COORDINATOR, Role.PRODUCER, Role.GROCERY_VOLUNTEER),
        "create": (Role.COORDINATOR, Role.PRODUCER),
        "partial_update": (Role.COORDINATOR, Role.PRODUCER),
    }
    filterset_fields = ["cycle", "product", "product__producer"]

    def scoped_queryset(self):
        return selectors.offer_list(actor=self.actor)

    def get_serializer(self, *args, **kwargs):
        if self.actor is not None:
            kwargs["products"] = selectors.product_list(actor=self.actor)
            kwargs["cycles"] = OrderCycle.objects.all()
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        offer = services.offer_create(**serializer.validated_data)
        standing_offers_spread(offers=[offer])
        serializer.instance = self.get_queryset().get(pk=offer.pk)

    def perform_update(self, serializer):
        offer = services.offer_update(offer=serializer.instance, **serializer.validated_data)
        if serializer.validated_data.get("is_standing"):
            standing_offers_spread(offers=[offer])
        serializer.instance = self.get_queryset().get(pk=offer.pk)

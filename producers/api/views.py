import django_filters
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.filters import FilterSet
from core.api.renderers import CSVRenderer, XLSXRenderer
from core.api.views import file_headers
from core.api.viewsets import ReadCreateUpdateViewSet
from core.choices import Role
from producers import selectors, services
from producers.api.serializers import (
    CatalogueRowSerializer,
    OfferSerializer,
    ProducerSerializer,
    ProductSerializer,
)
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
        "catalogue_export": (Role.COORDINATOR, Role.PRODUCER),
    }
    filterset_class = ProducerFilter
    search_fields = ["organisation__name"]
    # The catalogue file's columns, in French (DESIGN.md §13).
    export_headers = {
        "name": _("Name"),
        "category": _("Category"),
        "unit": _("Unit"),
        "unit_weight_kg": _("Unit weight (kg)"),
        "pack_size": _("Pack size"),
        "unit_price_ht": _("Unit price excl. VAT (€)"),
        "vat_percent": _("VAT (%)"),
        "is_organic": _("Organic"),
        "is_active": _("Active"),
    }

    def scoped_queryset(self):
        return selectors.producer_list(actor=self.actor)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "xlsx"])],
        responses={200: CatalogueRowSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="catalogue-export",
        renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer],
    )
    def catalogue_export(self, request, pk=None):
        """The producer's catalogue as a file a spreadsheet opens (`?format=csv|xlsx`)."""
        producer = self.get_object()
        rows = CatalogueRowSerializer(producer.products.order_by("name", "id"), many=True).data
        if request.accepted_renderer.format in ("csv", "xlsx"):
            name = f"catalogue-{slugify(producer.name)}.{request.accepted_renderer.format}"
            return Response(rows, headers=file_headers(name))
        return Response(rows)

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

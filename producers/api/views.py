import django_filters
from django.utils.text import slugify
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api.filters import FilterSet
from core.api.parsers import BoundedJSONParser, BoundedMultiPartParser
from core.api.renderers import CSVRenderer, XLSXRenderer
from core.api.serializers import (
    ImportResultSerializer,
    ImportUploadSerializer,
    TaskAcceptedSerializer,
)
from core.api.views import accepted, file_headers, import_upload
from core.api.viewsets import ReadCreateUpdateViewSet
from core.choices import ImportKind, Role
from orders.api.places import PlacesImportActions
from producers import dfc, imports, selectors, services, tasks
from producers.api.serializers import (
    CatalogueRowSerializer,
    DFCImportSerializer,
    OfferRowSerializer,
    OfferSerializer,
    OffersExportQuerySerializer,
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


class ProducerViewSet(PlacesImportActions, ReadCreateUpdateViewSet):
    places_kind = ImportKind.PRODUCERS
    serializer_class = ProducerSerializer
    queryset = Producer.objects.none()
    roles = {
        "list": (Role.COORDINATOR, Role.PRODUCER),
        "retrieve": (Role.COORDINATOR, Role.PRODUCER),
        "partial_update": (Role.COORDINATOR, Role.PRODUCER),
        "create": (Role.COORDINATOR,),
        "catalogue_export": (Role.COORDINATOR, Role.PRODUCER),
        "catalogue_import": (Role.COORDINATOR, Role.PRODUCER),
        "dfc_import": (Role.COORDINATOR, Role.PRODUCER),
        "places_import": (Role.COORDINATOR,),
        "offers_export": (Role.COORDINATOR, Role.PRODUCER),
    }
    filterset_class = ProducerFilter
    search_fields = ["organisation__name"]
    # The catalogue file's columns, in French (DESIGN.md §13), as the import reads them.
    export_headers = {**imports.COLUMNS, **imports.OFFER_COLUMNS}

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

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int, required=True),
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
        ],
        responses={200: OfferRowSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="offers-export",
        renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer],
    )
    def offers_export(self, request, pk=None):
        """The producer's active products and their offers for `?cycle=`, as a file its
        offers screen reads back."""
        producer = self.get_object()
        query = OffersExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cycle = query.validated_data["cycle"]
        offers = {
            offer.product_id: offer for offer in cycle.offers.filter(product__producer=producer)
        }
        products = list(producer.products.filter(is_active=True).order_by("name", "id"))
        for product in products:
            product.offer = offers.get(product.pk)
        rows = OfferRowSerializer(products, many=True).data
        if request.accepted_renderer.format in ("csv", "xlsx"):
            name = f"offres-{slugify(producer.name)}-{cycle.pk}.{request.accepted_renderer.format}"
            return Response(rows, headers=file_headers(name))
        return Response(rows)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={200: ImportResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="catalogue-import",
        parser_classes=[BoundedMultiPartParser],
    )
    def catalogue_import(self, request, pk=None):
        """A catalogue file (CSV or XLSX, the export's French columns): first as a dry run
        (new, changed, unchanged, refused per row), applied when `dry_run` is false."""
        producer = self.get_object()
        name, content, dry_run = import_upload(request)
        items, refused = imports.file_items(name=name, content=content)
        result = imports.catalogue_import(
            producer=producer, items=items, refused=refused, dry_run=dry_run
        )
        return Response(result)

    @extend_schema(
        request={
            "multipart/form-data": DFCImportSerializer,
            "application/json": DFCImportSerializer,
        },
        responses={200: ImportResultSerializer, 202: TaskAcceptedSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="dfc-import",
        parser_classes=[BoundedJSONParser, BoundedMultiPartParser],
    )
    def dfc_import(self, request, pk=None):
        """A DFC catalogue: a document uploaded is read at once (200, the dry run or what was
        applied); a link is fetched in the background (202, the task's result is the same)."""
        producer = self.get_object()
        body = DFCImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "url" in data:
            run = tasks.dfc_import_start(
                producer=producer,
                url=data["url"],
                token=data.get("token", ""),
                enterprise=data.get("enterprise"),
                dry_run=data["dry_run"],
                user=request.user,
            )
            return accepted(run)
        items, refused = dfc.document_items(data["file"].read(), enterprise=data.get("enterprise"))
        result = imports.catalogue_import(
            producer=producer, items=items, refused=refused, dry_run=data["dry_run"]
        )
        return Response(result)

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

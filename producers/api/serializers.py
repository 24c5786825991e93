from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import (
    AsciiDecimalField,
    CharField,
    CoordinateField,
    ModelSerializer,
    MoneyField,
)
from core.api.serializers import DryRunField, FieldsBuiltOnce
from logistics.api.serializers import ZoneField
from producers.choices import Category, Unit
from producers.models import Offer, Producer, Product
from supply.models import OrderCycle


class ProducerSerializer(ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
    # The organisation's name and commune (producers.services.producer_create writes them).
    name = CharField(max_length=200)
    commune = CharField(max_length=100)
    siret = serializers.RegexField(
        r"^[0-9]{14}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("A SIRET has 14 digits.")},
    )
    latitude = CoordinateField(90, required=False)
    longitude = CoordinateField(180, required=False)
    distance_to_hub_km = AsciiDecimalField(max_digits=7, decimal_places=2, read_only=True)
    is_local = serializers.BooleanField(read_only=True, allow_null=True)
    zone = ZoneField()

    class Meta:
        model = Producer
        fields = [
            "id",
            "organisation_id",
            "name",
            "siret",
            "address",
            "phone",
            "commune",
            "latitude",
            "longitude",
            "is_organic",
            "available_from_time",
            "available_until_time",
            "distance_to_hub_km",
            "is_local",
            "zone",
            "dfc_shared",
        ]


class ProductSerializer(ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.ChoiceField(choices=Unit.choices)
    unit_weight_kg = AsciiDecimalField(
        max_digits=8, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("1000")
    )
    pack_size = AsciiDecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("10000"),
        required=False,
    )
    unit_price_ht = MoneyField(max_value=Decimal("100000"))
    vat_rate = AsciiDecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        required=False,
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "producer",
            "name",
            "category",
            "unit",
            "unit_weight_kg",
            "pack_size",
            "unit_price_ht",
            "vat_rate",
            "is_organic",
            "is_active",
        ]

    def __init__(self, *args, producers=None, own_producer=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the producers in the caller's scope can be named; others are "unknown".
        if producers is not None:
            self.fields["producer"].queryset = producers
        if own_producer is not None:
            self.fields["producer"].required = False
            self.fields["producer"].default = own_producer
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["producer"].read_only = True


class OfferSerializer(FieldsBuiltOnce, ModelSerializer):
    quantity_available = AsciiDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("1000000")
    )
    unit_price_ht = MoneyField(max_value=Decimal("100000"), required=False)
    quantity_ordered = AsciiDecimalField(max_digits=12, decimal_places=3, read_only=True)
    quantity_remaining = serializers.SerializerMethodField()
    product_name = CharField(source="product.name", read_only=True)
    producer = serializers.IntegerField(source="product.producer_id", read_only=True)
    producer_name = CharField(source="product.producer.name", read_only=True)
    unit = CharField(source="product.unit", read_only=True)
    pack_size = AsciiDecimalField(
        source="product.pack_size", max_digits=8, decimal_places=3, read_only=True
    )
    vat_rate = AsciiDecimalField(
        source="product.vat_rate", max_digits=5, decimal_places=4, read_only=True
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "cycle",
            "product",
            "product_name",
            "producer",
            "producer_name",
            "unit",
            "pack_size",
            "vat_rate",
            "quantity_available",
            "unit_price_ht",
            "quantity_ordered",
            "quantity_remaining",
            "is_standing",
        ]

    def __init__(self, *args, products=None, cycles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if products is not None:
            self.fields["product"].queryset = products
        if cycles is not None:
            self.fields["cycle"].queryset = cycles
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["product"].read_only = True
            self.fields["cycle"].read_only = True

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=3))
    def get_quantity_remaining(self, offer) -> str:
        # What remains to order before demand passes the offer; never below zero (a shortage
        # is shared fairly at close, not first come).
        ordered = getattr(offer, "quantity_ordered", None) or Decimal("0")
        return f"{max(offer.quantity_available - ordered, Decimal('0')):.3f}"


class CatalogueRowSerializer(ModelSerializer):
    """One product as a row of the catalogue file (its columns in French in the file)."""

    reference = serializers.IntegerField(source="id")
    category = serializers.CharField(source="get_category_display")
    unit = serializers.CharField(source="get_unit_display")
    vat_percent = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "reference",
            "name",
            "category",
            "unit",
            "unit_weight_kg",
            "pack_size",
            "unit_price_ht",
            "vat_percent",
            "is_organic",
            "is_active",
        ]
        read_only_fields = fields

    @extend_schema_field(AsciiDecimalField(max_digits=5, decimal_places=2))
    def get_vat_percent(self, product: Product) -> str:
        """5.5 rather than 0.0550: as people write a VAT rate."""
        return f"{(product.vat_rate * 100).normalize():f}"


class DFCImportSerializer(serializers.Serializer):
    """A DFC document uploaded (`file`), or the link of another platform's DFC API to fetch
    it from (`url`, with its bearer `token`)."""

    file = serializers.FileField(allow_empty_file=False, required=False)
    url = serializers.URLField(max_length=2000, required=False)
    token = serializers.CharField(max_length=4000, required=False, write_only=True)
    enterprise = serializers.URLField(max_length=500, required=False)
    dry_run = DryRunField(default=True)

    def validate(self, attrs):
        if ("file" in attrs) == ("url" in attrs):
            raise serializers.ValidationError(_("Send either a DFC file or a DFC link."))
        return attrs


class OfferRowSerializer(serializers.Serializer):
    """One product and its offer for a cycle, as a row of the offers file."""

    reference = serializers.IntegerField(source="id")
    name = serializers.CharField()
    unit = serializers.CharField(source="get_unit_display")
    pack_size = AsciiDecimalField(max_digits=8, decimal_places=3)
    quantity_available = AsciiDecimalField(
        source="offer.quantity_available", max_digits=12, decimal_places=3, default=None
    )
    unit_price_ht = serializers.SerializerMethodField()

    @extend_schema_field(AsciiDecimalField(max_digits=9, decimal_places=2))
    def get_unit_price_ht(self, product) -> str:
        """The cycle's price when it is offered, else the catalogue's."""
        offer = getattr(product, "offer", None)
        return str(offer.unit_price_ht if offer is not None else product.unit_price_ht)


class OffersExportQuerySerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=OrderCycle.objects.all())

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CoordinateField, MoneyField
from logistics.api.serializers import ZoneField
from producers.choices import Category, Unit
from producers.models import Producer, Product


class ProducerSerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
    siret = serializers.RegexField(
        r"^[0-9]{14}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": _("A SIRET has 14 digits.")},
    )
    latitude = CoordinateField(90, required=False)
    longitude = CoordinateField(180, required=False)
    distance_to_hub_km = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
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
            "commune",
            "latitude",
            "longitude",
            "is_organic",
            "distance_to_hub_km",
            "is_local",
            "zone",
        ]


class ProductSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    unit = serializers.ChoiceField(choices=Unit.choices)
    unit_weight_kg = serializers.DecimalField(
        max_digits=8, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("1000")
    )
    pack_size = serializers.DecimalField(
        max_digits=8,
        decimal_places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("10000"),
        required=False,
    )
    unit_price_ht = MoneyField(max_value=Decimal("100000"))
    vat_rate = serializers.DecimalField(
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

    def __init__(self, *args, producers=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the producers in the caller's scope can be named; others are "unknown".
        if producers is not None:
            self.fields["producer"].queryset = producers
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["producer"].read_only = True

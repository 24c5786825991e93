from decimal import Decimal

from rest_framework import serializers

from core.api.fields import CoordinateField, MoneyField
from logistics.models import Hub, Vehicle, Zone


class ZoneField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", read_only=True, **kwargs)


class HubSerializer(serializers.ModelSerializer):
    latitude = CoordinateField(90)
    longitude = CoordinateField(180)

    class Meta:
        model = Hub
        fields = ["id", "name", "address", "latitude", "longitude"]


class VehicleSerializer(serializers.ModelSerializer):
    capacity_kg = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("40000")
    )
    cost_per_km = MoneyField(max_value=Decimal("100"))

    class Meta:
        model = Vehicle
        fields = ["id", "name", "capacity_kg", "cost_per_km", "is_refrigerated", "is_active"]


class ZoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "kind", "commune"]

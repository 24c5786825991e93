from datetime import time
from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.fields import (
    AsciiDecimalField,
    CharField,
    CoordinateField,
    ModelSerializer,
    MoneyField,
)
from logistics.models import Hub, Round, RoundStop, RoundTrip, UnservedStop, Vehicle, Zone

# What a round adds up over all its stops.
ROUND_TOTALS = ("distance_km", "duration_min", "load_kg", "cost_eur")


class ZoneField(serializers.SlugRelatedField):
    """The zone's code; null for a place outside every zone (most producers)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", read_only=True, allow_null=True, **kwargs)


class HubSerializer(ModelSerializer):
    latitude = CoordinateField(90)
    longitude = CoordinateField(180)

    class Meta:
        model = Hub
        fields = [
            "id",
            "name",
            "address",
            "phone",
            "latitude",
            "longitude",
            "opens_at",
            "closes_at",
        ]

    def validate(self, attrs):
        opens = attrs.get("opens_at", getattr(self.instance, "opens_at", time(5)))
        closes = attrs.get("closes_at", getattr(self.instance, "closes_at", time(21)))
        if opens >= closes:
            message = _("The hub closes after it opens.")
            raise serializers.ValidationError({"closes_at": [message]})
        return attrs


class VehicleSerializer(ModelSerializer):
    capacity_kg = AsciiDecimalField(
        max_digits=8, decimal_places=1, min_value=Decimal("0.1"), max_value=Decimal("40000")
    )
    cost_per_km = MoneyField(max_value=Decimal("100"))
    # Read: the cold room's capacity in force (all of capacity_kg when refrigerated and not
    # given, else 0); written: null goes back to that default.
    cold_capacity_kg = AsciiDecimalField(
        max_digits=8,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("40000"),
        required=False,
        allow_null=True,
    )
    fixed_cost_eur = MoneyField(max_value=Decimal("10000"), required=False)
    max_shift_min = serializers.IntegerField(
        min_value=30, max_value=1440, required=False, allow_null=True
    )

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "name",
            "capacity_kg",
            "cost_per_km",
            "is_refrigerated",
            "cold_capacity_kg",
            "fixed_cost_eur",
            "available_from",
            "available_until",
            "max_shift_min",
            "is_active",
        ]

    def to_representation(self, vehicle):
        data = super().to_representation(vehicle)
        data["cold_capacity_kg"] = f"{vehicle.cold_capacity:.1f}"
        return data

    def validate(self, attrs):
        def value(field):
            if field in attrs:
                return attrs[field]
            return getattr(self.instance, field, None)

        errors = {}
        capacity, cold = value("capacity_kg"), value("cold_capacity_kg")
        if cold is not None and capacity is not None and cold > capacity:
            errors["cold_capacity_kg"] = [_("The cold room cannot hold more than the van.")]
        elif cold and not value("is_refrigerated"):
            errors["cold_capacity_kg"] = [_("Only a refrigerated van has a cold room.")]
        start, end = value("available_from"), value("available_until")
        if start is not None and end is not None and start >= end:
            errors["available_until"] = [_("The van must be back after it leaves.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ZoneSerializer(ModelSerializer):
    class Meta:
        model = Zone
        fields = ["id", "code", "name", "kind", "commune"]


class RoundStopSerializer(ModelSerializer):
    class Meta:
        model = RoundStop
        fields = [
            "sequence",
            "kind",
            "place_id",
            "name",
            "latitude",
            "longitude",
            "arrival_at",
            "departs_at",
            "load_kg",
            "cold_kg",
            "trip",
        ]


class RoundTripSerializer(ModelSerializer):
    load_kg = AsciiDecimalField(max_digits=10, decimal_places=3, allow_null=True)
    cold_kg = AsciiDecimalField(max_digits=10, decimal_places=3, allow_null=True)

    class Meta:
        model = RoundTrip
        fields = ["trip", "departs_at", "returns_at", "load_kg", "cold_kg"]


class RoundSerializer(ModelSerializer):
    """A round; its totals and its trips' loads only for the coordinator (context "totals"):
    a volunteer or a producer would read the other groceries' orders in them (API.md,
    Logistics)."""

    stops = RoundStopSerializer(many=True)
    trips = RoundTripSerializer(many=True)
    vehicle_name = CharField(source="vehicle.name")
    distance_km = AsciiDecimalField(max_digits=8, decimal_places=2, allow_null=True)
    duration_min = serializers.IntegerField(allow_null=True)
    load_kg = AsciiDecimalField(max_digits=10, decimal_places=3, allow_null=True)
    cost_eur = AsciiDecimalField(max_digits=10, decimal_places=2, allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("totals", False):
            data.update(dict.fromkeys(ROUND_TOTALS))
            own_trips = {stop["trip"] for stop in data["stops"]}
            data["trips"] = [
                {**trip, "load_kg": None, "cold_kg": None}
                for trip in data["trips"]
                if trip["trip"] in own_trips
            ]
        return data

    class Meta:
        model = Round
        fields = [
            "id",
            "kind",
            "vehicle",
            "vehicle_name",
            "distance_km",
            "duration_min",
            "load_kg",
            "cost_eur",
            "starts_at",
            "ends_at",
            "stops",
            "trips",
        ]


class UnservedStopSerializer(ModelSerializer):
    class Meta:
        model = UnservedStop
        fields = ["place_id", "kind", "name", "reason"]


class PlanRequestSerializer(serializers.Serializer):
    vehicles = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50
    )
    time_limit_s = serializers.FloatField(min_value=1, max_value=300, default=10)

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import AsciiDecimalField, CharField, ModelSerializer
from logistics.models import Hub
from supply.choices import AllocationRule
from supply.models import CycleEvent, OrderCycle, PurchaseList, PurchaseListLine


class OrderCycleSerializer(ModelSerializer):
    hub = serializers.PrimaryKeyRelatedField(queryset=Hub.objects.all())
    allocation_rule = serializers.ChoiceField(choices=AllocationRule.choices, required=False)

    class Meta:
        model = OrderCycle
        fields = [
            "id",
            "name",
            "opens_at",
            "closes_at",
            "delivery_date",
            "confirm_by",
            "hub",
            "status",
            "allocation_rule",
        ]
        read_only_fields = ["status"]


class CycleEventSerializer(ModelSerializer):
    # null when the scheduler moved the cycle (opens_at / closes_at reached).
    actor: serializers.SlugRelatedField = serializers.SlugRelatedField(
        source="user", slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = CycleEvent
        fields = ["from_status", "to_status", "actor", "occurred_at"]


class PurchaseListLineSerializer(ModelSerializer):
    unit = CharField(source="offer.product.unit")
    unit_price_ht = AsciiDecimalField(source="offer.unit_price_ht", max_digits=9, decimal_places=2)
    total_ht = AsciiDecimalField(max_digits=14, decimal_places=2)
    total_ttc = AsciiDecimalField(max_digits=14, decimal_places=2)
    weight_kg = AsciiDecimalField(max_digits=16, decimal_places=3)
    # What the groceries recorded as received (lines not recorded count as confirmed); null
    # before any reception. The totals above never change with it.
    received_quantity = AsciiDecimalField(max_digits=14, decimal_places=3, allow_null=True)

    class Meta:
        model = PurchaseListLine
        fields = [
            "offer",
            "product_name",
            "unit",
            "ordered_quantity",
            "allocated_quantity",
            "confirmed_quantity",
            "unit_price_ht",
            "total_ht",
            "total_ttc",
            "weight_kg",
            "received_quantity",
        ]


class PurchaseListSerializer(ModelSerializer):
    lines = PurchaseListLineSerializer(many=True)
    producer_name = CharField(source="producer.name")
    # Totals set by selectors.with_line_totals, through which every purchase list passes.
    total_ht = AsciiDecimalField(max_digits=14, decimal_places=2, read_only=True)
    total_ttc = AsciiDecimalField(max_digits=14, decimal_places=2, read_only=True)
    weight_kg = AsciiDecimalField(max_digits=16, decimal_places=3, read_only=True)

    class Meta:
        model = PurchaseList
        fields = [
            "id",
            "cycle",
            "producer",
            "producer_name",
            "status",
            "on_behalf",
            "lines",
            "total_ht",
            "total_ttc",
            "weight_kg",
        ]
        read_only_fields = ["on_behalf"]


class ConfirmationLineSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1)
    confirmed_quantity = AsciiDecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0"))


class CycleConfirmSerializer(serializers.Serializer):
    # Before the deadline: confirm although some producers have not answered (their lists
    # count as zero). Without it, that is refused (409 confirmations_pending).
    missing_as_zero = serializers.BooleanField(default=False)


class ConfirmationSerializer(serializers.Serializer):
    lines = ConfirmationLineSerializer(many=True, max_length=1000)  # type: ignore[call-arg]

    def validate_lines(self, lines):
        offers = [line["offer"] for line in lines]
        if len(set(offers)) != len(offers):
            raise serializers.ValidationError(_("Each offer appears on one line only."))
        return lines


class PackingRowSerializer(serializers.Serializer):
    grocery = serializers.IntegerField()
    grocery_name = CharField()
    order_number = serializers.IntegerField()
    household = CharField(allow_blank=True)
    producer_name = CharField()
    product_name = CharField()
    unit = CharField()
    asked_quantity = AsciiDecimalField(max_digits=14, decimal_places=3)
    packed_quantity = AsciiDecimalField(max_digits=14, decimal_places=3)
    weight_kg = AsciiDecimalField(max_digits=16, decimal_places=3)

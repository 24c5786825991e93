from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounting.models import Funder
from core.api.fields import AsciiDecimalField, CharField, ModelSerializer, MoneyField
from logistics.models import Hub
from orders.models import Grocery
from producers.models import Producer, Product
from supply.choices import AllocationRule
from supply.models import (
    ContractLine,
    CycleEvent,
    CycleSchedule,
    OrderCycle,
    PurchaseList,
    PurchaseListLine,
    SeasonContract,
)


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
            "schedule",
        ]
        read_only_fields = ["status", "schedule"]


class CycleScheduleSerializer(ModelSerializer):
    hub = serializers.PrimaryKeyRelatedField(queryset=Hub.objects.all())
    delivery_weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens_days_before = serializers.IntegerField(min_value=0, max_value=60)
    closes_days_before = serializers.IntegerField(min_value=0, max_value=60)
    confirm_days_before = serializers.IntegerField(min_value=0, max_value=60)
    weeks_ahead = serializers.IntegerField(min_value=1, max_value=26, default=4)
    excluded_dates = serializers.ListField(
        child=serializers.DateField(), max_length=200, required=False, default=list
    )

    class Meta:
        model = CycleSchedule
        fields = [
            "id",
            "name",
            "hub",
            "delivery_weekday",
            "opens_days_before",
            "opens_at_time",
            "closes_days_before",
            "closes_at_time",
            "confirm_days_before",
            "confirm_at_time",
            "weeks_ahead",
            "excluded_dates",
            "is_active",
        ]
        # One active schedule per hub and weekday: the service names the other one.
        validators: list = []


class SkippedDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = CharField()


class GenerateResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField())
    skipped = SkippedDateSerializer(many=True)


class CycleCopySerializer(serializers.Serializer):
    delivery_date = serializers.DateField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    confirm_by = serializers.DateTimeField()
    name = CharField(max_length=200, required=False, allow_blank=True, default="")


class ContractLineSerializer(ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_name = CharField(source="product.name", read_only=True)
    grocery = serializers.PrimaryKeyRelatedField(queryset=Grocery.objects.all())
    quantity_per_delivery = AsciiDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("100000")
    )

    class Meta:
        model = ContractLine
        fields = ["product", "product_name", "grocery", "quantity_per_delivery"]


class ContractSerializer(ModelSerializer):
    producer = serializers.PrimaryKeyRelatedField(queryset=Producer.objects.all())
    producer_name = CharField(source="producer.name", read_only=True)
    lines = ContractLineSerializer(many=True, allow_empty=False, max_length=300)  # type: ignore[call-arg]
    groceries = serializers.SerializerMethodField()
    unit_price_ht = MoneyField(max_value=Decimal("100000"))
    prepayment_rate = AsciiDecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        default=Decimal("0"),
    )
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Funder.objects.all(), required=False, allow_null=True
    )
    programme_share = AsciiDecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        default=Decimal("0"),
    )
    coordinator_signed_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    producer_signed_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = SeasonContract
        fields = [
            "id",
            "name",
            "producer",
            "producer_name",
            "groceries",
            "lines",
            "unit_price_ht",
            "first_delivery",
            "last_delivery",
            "prepayment_rate",
            "programme",
            "programme_share",
            "status",
            "coordinator_signed_by",
            "coordinator_signed_at",
            "producer_signed_by",
            "producer_signed_at",
        ]
        read_only_fields = ["status", "coordinator_signed_at", "producer_signed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["producer"].read_only = True

    def get_groceries(self, contract) -> list[int]:
        return sorted({line.grocery_id for line in contract.lines.all()})


class ContractStatementLineSerializer(serializers.Serializer):
    grocery = serializers.IntegerField()
    grocery_name = CharField()
    product = serializers.IntegerField()
    product_name = CharField()
    quantity_per_delivery = AsciiDecimalField(max_digits=12, decimal_places=3)
    season_quantity = AsciiDecimalField(max_digits=14, decimal_places=3)
    asked = AsciiDecimalField(max_digits=14, decimal_places=3)
    delivered = AsciiDecimalField(max_digits=14, decimal_places=3)
    short = AsciiDecimalField(max_digits=14, decimal_places=3)
    season_value = MoneyField()
    delivered_value = MoneyField()
    short_value = MoneyField()
    left_value = MoneyField()


class ContractShortfallSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    delivery_date = serializers.DateField()
    grocery = serializers.IntegerField()
    product = serializers.IntegerField()
    asked = AsciiDecimalField(max_digits=14, decimal_places=3)
    delivered = AsciiDecimalField(max_digits=14, decimal_places=3)
    short = AsciiDecimalField(max_digits=14, decimal_places=3)


class ContractPrepaymentSerializer(serializers.Serializer):
    funder = serializers.IntegerField(allow_null=True)
    grocery = serializers.IntegerField(allow_null=True)
    amount = MoneyField()


class ContractStatementSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    deliveries = serializers.IntegerField()
    lines = ContractStatementLineSerializer(many=True)
    shortfalls = ContractShortfallSerializer(many=True)
    prepayments = ContractPrepaymentSerializer(many=True)
    season_value = MoneyField()
    delivered_value = MoneyField()
    short_value = MoneyField()
    left_value = MoneyField()
    prepaid = MoneyField()
    prepaid_left = MoneyField()


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

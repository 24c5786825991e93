from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounting.models import Funder
from core.api.fields import (
    AsciiDecimalField,
    CharField,
    CoordinateField,
    ModelSerializer,
    MoneyField,
)
from core.api.serializers import FieldsBuiltOnce
from core.choices import Commune
from logistics.api.serializers import ZoneField
from orders import funding, quantities
from orders.choices import OrderPayment
from orders.models import (
    Grocery,
    Household,
    HouseholdAccessLog,
    Order,
    OrderLine,
    SocialService,
    StandingOrder,
    StandingOrderRun,
    TariffTier,
)
from orders.services import MAX_LINES_PER_ORDER
from producers.models import Product


class GrocerySerializer(ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
    # The organisation's name and commune (orders.services.grocery_create writes them there).
    name = CharField(max_length=200)
    commune = serializers.ChoiceField(choices=Commune.choices)
    latitude = CoordinateField(90, required=False)
    longitude = CoordinateField(180, required=False)
    zone = ZoneField()

    class Meta:
        model = Grocery
        fields = [
            "id",
            "organisation_id",
            "name",
            "address",
            "phone",
            "commune",
            "latitude",
            "longitude",
            "opens_at_time",
            "closes_at_time",
            "zone",
        ]


class SocialServiceSerializer(ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
    name = CharField(max_length=200)
    commune = serializers.ChoiceField(choices=Commune.choices)

    class Meta:
        model = SocialService
        fields = ["id", "organisation_id", "name", "commune"]


class TariffTierSerializer(ModelSerializer):
    code = serializers.RegexField(r"^[A-Z0-9]{1,8}$", max_length=8)
    beneficiary_rate = AsciiDecimalField(
        max_digits=4, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("1")
    )
    max_reste_a_vivre = AsciiDecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal("0"), allow_null=True, required=False
    )

    class Meta:
        model = TariffTier
        fields = ["code", "label", "beneficiary_rate", "max_reste_a_vivre"]
        # The list is replaced as a whole; uniqueness is checked by the service.
        extra_kwargs: dict[str, dict] = {"code": {"validators": []}}


class TariffSuggestSerializer(serializers.Serializer):
    monthly_resources = MoneyField(max_value=Decimal("100000"))
    monthly_charges = MoneyField(max_value=Decimal("100000"))
    persons = serializers.IntegerField(min_value=1, max_value=20)


class TariffSuggestionSerializer(serializers.Serializer):
    reste_a_vivre_per_day = AsciiDecimalField(max_digits=9, decimal_places=2)
    suggested_tier = CharField(allow_null=True)
    eligible = serializers.BooleanField()


class FunderShareSerializer(serializers.Serializer):
    funder = serializers.PrimaryKeyRelatedField(queryset=Funder.objects.all())
    share = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal(1)
    )


class HouseholdCreateSerializer(serializers.Serializer):
    adults = serializers.IntegerField(min_value=1, max_value=20)
    children = serializers.IntegerField(min_value=0, max_value=20, required=False, default=0)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    tier = serializers.SlugRelatedField(slug_field="code", queryset=TariffTier.objects.all())
    monthly_cap = MoneyField(
        min_value=Decimal("0.01"), max_value=Decimal("1000"), required=False, allow_null=True
    )
    pickup_grocery = serializers.PrimaryKeyRelatedField(queryset=Grocery.objects.all())
    funder = serializers.PrimaryKeyRelatedField(queryset=Funder.objects.all(), required=False)
    # Several funders sharing the subsidy (DESIGN.md §12); `funder` alone pays it all.
    funders = FunderShareSerializer(many=True, required=False, max_length=5)  # type: ignore[call-arg]
    consent_at = serializers.DateTimeField()
    contact_name = CharField(max_length=200, required=False, allow_blank=True)
    contact_phone = serializers.RegexField(
        r"^\+?[0-9 .-]{6,20}$", max_length=30, required=False, allow_blank=True
    )
    eligibility_reason = CharField(max_length=500, required=False, allow_blank=True)
    # What POST /tariff/suggest/ answered ("none" when not eligible): a decision that departs
    # from it needs its eligibility_reason. Never stored.
    suggested_tier = CharField(max_length=8, required=False, allow_null=True)

    def __init__(self, *args, funders=None, **kwargs):
        super().__init__(*args, **kwargs)
        if funders is not None:
            self.fields["funder"].queryset = funders
            self.fields["funders"].child.fields["funder"].queryset = funders


class HouseholdSuspendSerializer(serializers.Serializer):
    # Why: kept in the access log beside the suspension.
    reason = CharField(max_length=500)


class HouseholdRenewSerializer(serializers.Serializer):
    valid_until = serializers.DateField()


class HouseholdLimitedSerializer(ModelSerializer):
    """What the volunteer of the pickup grocery sees: no social data."""

    tier = CharField(source="tier.code")
    status = CharField()
    month_spent = MoneyField()
    month_remaining = MoneyField()

    class Meta:
        model = Household
        fields = [
            "id",
            "reference",
            "tier",
            "status",
            "valid_until",
            "monthly_cap",
            "month_spent",
            "month_remaining",
        ]


class HouseholdSummarySerializer(HouseholdLimitedSerializer):
    """The CCAS's list: the decision, without the contact fields (whose reads are logged)."""

    funders = serializers.SerializerMethodField()

    class Meta(HouseholdLimitedSerializer.Meta):
        fields = [
            *HouseholdLimitedSerializer.Meta.fields,
            "social_service",
            "adults",
            "children",
            "valid_from",
            "pickup_grocery",
            "funder",
            "funders",
            "consent_at",
        ]

    @extend_schema_field(FunderShareSerializer(many=True))
    def get_funders(self, household: Household) -> list[dict]:
        """Who pays the subsidy, and how much of it: one funder at 1, or the co-funders."""
        rows = [(row.funder_id, row.share) for row in household.funders.all()]
        return [
            {"funder": funder, "share": f"{share:.4f}"}
            for funder, share in rows or [(household.funder_id, Decimal(1))]
        ]


class HouseholdFullSerializer(HouseholdSummarySerializer):
    """Every field, for the staff of its CCAS; each read is logged."""

    class Meta(HouseholdSummarySerializer.Meta):
        fields = [
            *HouseholdSummarySerializer.Meta.fields,
            "eligibility_reason",
            "contact_name",
            "contact_phone",
        ]


class HouseholdAccessLogSerializer(ModelSerializer):
    household = CharField(source="household.reference")
    user = CharField(source="user.username")

    class Meta:
        model = HouseholdAccessLog
        fields = ["id", "household", "user", "action", "reason", "accessed_at"]


class OrderLineInputSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1)
    quantity = AsciiDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("100000")
    )


class OrderLinesInputSerializer(serializers.Serializer):
    whole_on_patch = True  # PATCH replaces every line: `lines` is required (core.api.schema)
    lines = OrderLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES_PER_ORDER)  # type: ignore[call-arg]


class OrderCreateSerializer(OrderLinesInputSerializer):
    cycle = serializers.IntegerField(min_value=1)
    grocery = serializers.PrimaryKeyRelatedField(
        queryset=Grocery.objects.all(), required=False, allow_null=True
    )
    # Read under its lock, in the caller's scope, by orders.services.order_submit.
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    # A household order at the social tariff, or paid from its credit at a caisse
    # alimentaire (named when the household is a member of several).
    payment = serializers.ChoiceField(choices=OrderPayment.choices, default=OrderPayment.TARIFF)
    caisse = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    def __init__(self, *args, groceries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groceries is not None:
            self.fields["grocery"].queryset = groceries


class SubsidyShareSerializer(serializers.Serializer):
    funder = serializers.IntegerField()
    amount = AsciiDecimalField(max_digits=12, decimal_places=2)


class OrderLineSerializer(FieldsBuiltOnce, ModelSerializer):
    product_name = CharField(source="offer.product.name")
    allocated_quantity = serializers.SerializerMethodField()
    # The line's subsidy per funder, adding up to it (OrderSerializer sets them).
    subsidies = SubsidyShareSerializer(many=True, read_only=True)

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=3, allow_null=True))
    def get_allocated_quantity(self, line) -> str | None:
        quantity = quantities.allocated(line)
        return None if quantity is None else f"{quantity:.3f}"

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "offer",
            "product_name",
            "quantity",
            "allocated_quantity",
            "confirmed_quantity",
            "received_quantity",
            "unit_price_ht",
            "vat_rate",
            "tier_rate",
            "line_ht",
            "line_vat",
            "line_ttc",
            "beneficiary_share",
            "subsidy",
            "subsidies",
        ]


class OrderSerializer(FieldsBuiltOnce, ModelSerializer):
    household = CharField(source="household.reference", allow_null=True)
    # Orders come from orders.selectors (or a write service) with their lines in line_list.
    lines = OrderLineSerializer(many=True, source="line_list")
    programme: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "cycle",
            "grocery",
            "household",
            "status",
            "submitted_at",
            "contract",
            "programme",
            "payment",
            "lines",
            "total_ht",
            "total_ttc",
            "beneficiary_total",
            "subsidy_total",
        ]

    def to_representation(self, order: Order) -> dict:
        # As the write service wrote them or the selector prefetched them; else read.
        fundings = getattr(order, "funding_list", None)
        if fundings is None:
            fundings = list(order.fundings.all())
        shares = [funding.Share(row.funder_id, row.envelope_id, row.share) for row in fundings]
        household = order.household
        for line in order.line_list:
            if household is None:  # a grouped order: its programme's part, if any
                programme = order.programme
                line.subsidies = (
                    [{"funder": programme.funder_id, "amount": line.subsidy}]
                    if programme is not None and line.subsidy
                    else []
                )
            elif order.payment == OrderPayment.SSA:  # paid from a caisse's credit
                line.subsidies = []
            elif shares:
                split = funding.line_split(line.subsidy, shares)
                line.subsidies = [{"funder": f, "amount": a} for f, a in sorted(split.items())]
            else:
                line.subsidies = [{"funder": household.funder_id, "amount": line.subsidy}]
        return super().to_representation(order)


class OrderWarningSerializer(serializers.Serializer):
    # null on a warning about a line that has no offer (a repeated line not on offer).
    offer = serializers.IntegerField(allow_null=True, default=None)
    code = CharField()
    message = CharField()


class OrderWithWarningsSerializer(OrderSerializer):
    warnings = OrderWarningSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "warnings"]


class ReceptionLineSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1)
    received_quantity = AsciiDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0"), max_value=Decimal("100000")
    )
    # Why it differs from what was confirmed (optional).
    reason = CharField(max_length=200, required=False, allow_blank=True)


class ReceptionSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(min_value=1)
    lines = ReceptionLineSerializer(many=True, allow_empty=False, max_length=5000)  # type: ignore[call-arg]

    def validate_lines(self, lines):
        ids = [line["order_line"] for line in lines]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("Each order line appears once."))
        return lines


class OrderRepeatSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(min_value=1)


class StandingOrderLineSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    product_name = CharField(source="product.name", read_only=True)
    quantity = AsciiDecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), max_value=Decimal("100000")
    )


class StandingOrderRunSerializer(ModelSerializer):
    class Meta:
        model = StandingOrderRun
        fields = ["cycle", "order", "outcome", "message", "ran_at"]


class StandingOrderSerializer(ModelSerializer):
    grocery = serializers.PrimaryKeyRelatedField(queryset=Grocery.objects.all(), required=False)
    household = serializers.PrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True
    )
    household_reference = CharField(source="household.reference", read_only=True, allow_null=True)
    lines = StandingOrderLineSerializer(
        many=True, allow_empty=False, max_length=MAX_LINES_PER_ORDER
    )  # type: ignore[call-arg]
    # What became of it in the latest cycles: placed, or why not.
    runs = serializers.SerializerMethodField()

    class Meta:
        model = StandingOrder
        fields = [
            "id",
            "grocery",
            "household",
            "household_reference",
            "lines",
            "is_active",
            "runs",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # One active standing order per grocery or household: the service says so in words.
        validators: list = []

    def __init__(self, *args, groceries=None, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        if groceries is not None:
            self.fields["grocery"].queryset = groceries
        if households is not None:
            self.fields["household"].queryset = households
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["grocery"].read_only = True
            self.fields["household"].read_only = True

    @extend_schema_field(StandingOrderRunSerializer(many=True))
    def get_runs(self, standing) -> list:
        return list(StandingOrderRunSerializer(standing.runs.all()[:5], many=True).data)

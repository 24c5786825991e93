from rest_framework import serializers

from accounting.choices import FunderKind
from accounting.models import Envelope, Funder
from core.api.fields import AsciiDecimalField, CharField, ModelSerializer, MoneyField


class FunderSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=FunderKind.choices)

    class Meta:
        model = Funder
        fields = ["id", "name", "kind", "social_service"]
        extra_kwargs = {"social_service": {"required": False, "allow_null": True}}


class EnvelopeSerializer(ModelSerializer):
    amount = MoneyField(max_value=10**9)
    committed = MoneyField(read_only=True)
    spent = MoneyField(read_only=True)
    remaining = MoneyField(read_only=True)

    class Meta:
        model = Envelope
        fields = [
            "id",
            "funder",
            "period_start",
            "period_end",
            "amount",
            "committed",
            "spent",
            "remaining",
        ]


def Amount() -> serializers.DecimalField:  # noqa: N802
    """A reported amount in euros (may be negative: a balance, a reversal)."""
    return AsciiDecimalField(max_digits=14, decimal_places=2, read_only=True)


class SettlementProducerSerializer(serializers.Serializer):
    producer = serializers.IntegerField()
    name = CharField()
    amount_ttc = Amount()


class SettlementGrocerySerializer(serializers.Serializer):
    grocery = serializers.IntegerField()
    name = CharField()
    goods_ttc = Amount()
    logistics_eur = Amount()
    beneficiary_collected = Amount()


class SettlementFunderSerializer(serializers.Serializer):
    funder = serializers.IntegerField()
    name = CharField()
    subsidy_ttc = Amount()
    households = serializers.IntegerField()


class SettlementSerializer(serializers.Serializer):
    """A cycle's settlement; before the cycle is settled, a preview (`settled` false)."""

    cycle = serializers.IntegerField()
    status = CharField()
    settled = serializers.BooleanField()
    producers = SettlementProducerSerializer(many=True)
    groceries = SettlementGrocerySerializer(many=True)
    funders = SettlementFunderSerializer(many=True)
    total_market_ttc = Amount()
    logistics_total = Amount()
    balanced = serializers.BooleanField()


class TrialBalanceAccountSerializer(serializers.Serializer):
    code = CharField()
    name = CharField()
    kind = CharField()
    debit = Amount()
    credit = Amount()
    balance = Amount()


class TrialBalanceSerializer(serializers.Serializer):
    accounts = TrialBalanceAccountSerializer(many=True)
    total_debit = Amount()
    total_credit = Amount()
    balanced = serializers.BooleanField()


class PartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = CharField()


class EnvelopeStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    amount = Amount()
    committed = Amount()
    spent = Amount()
    remaining = Amount()


class FunderStatementLineSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    cycle_name = CharField()
    delivery_date = serializers.DateField()
    social_service = CharField()
    households = serializers.IntegerField()
    orders = serializers.IntegerField()
    subsidy_ttc = Amount()


class ProducerStatementLineSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    cycle_name = CharField()
    delivery_date = serializers.DateField()
    amount_ttc = Amount()


class GroceryStatementLineSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    cycle_name = CharField()
    delivery_date = serializers.DateField()
    goods_ttc = Amount()
    logistics_eur = Amount()
    beneficiary_collected = Amount()
    total_due = Amount()


def statement_serializer(name: str, party: str, line: type, **totals) -> type:
    """A statement's serializer: the party, `from`, `to` (keywords in Python, hence built
    here), its lines and totals."""

    def get_fields(self):
        return {
            party: PartySerializer(),
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "lines": line(many=True),
            **{key: field() for key, field in totals.items()},
        }

    return type(name, (serializers.Serializer,), {"get_fields": get_fields})


FunderStatementSerializer = statement_serializer(
    "FunderStatementSerializer",
    "funder",
    FunderStatementLineSerializer,
    total_subsidy_ttc=Amount,
    households=serializers.IntegerField,
    envelopes=lambda: EnvelopeStatusSerializer(many=True),
)
ProducerStatementSerializer = statement_serializer(
    "ProducerStatementSerializer",
    "producer",
    ProducerStatementLineSerializer,
    total_ttc=Amount,
)
GroceryStatementSerializer = statement_serializer(
    "GroceryStatementSerializer",
    "grocery",
    GroceryStatementLineSerializer,
    total_due=Amount,
)

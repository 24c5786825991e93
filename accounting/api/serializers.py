from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounting import invoicing
from accounting.choices import BankLineStatus, FunderKind, InvoiceStatus, PartyKind, PaymentMethod
from accounting.models import (
    BankLine,
    BankStatement,
    Envelope,
    Funder,
    FunderProgramme,
    Invoice,
    Payment,
)
from core.api.fields import AsciiDecimalField, CharField, ModelSerializer, MoneyField
from producers.choices import Category


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


class SettlementCaisseSerializer(serializers.Serializer):
    caisse = serializers.IntegerField()
    name = CharField()
    spending_ttc = Amount()


class SettlementSerializer(serializers.Serializer):
    """A cycle's settlement; before the cycle is settled, a preview (`settled` false)."""

    cycle = serializers.IntegerField()
    status = CharField()
    settled = serializers.BooleanField()
    producers = SettlementProducerSerializer(many=True)
    groceries = SettlementGrocerySerializer(many=True)
    funders = SettlementFunderSerializer(many=True)
    caisses = SettlementCaisseSerializer(many=True)
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


class InvoiceSerializer(ModelSerializer):
    party = serializers.SerializerMethodField()
    party_name = serializers.SerializerMethodField()
    total_ht = Amount()
    total_vat = Amount()
    total_ttc = Amount()
    paid = serializers.SerializerMethodField()
    credited = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "series",
            "kind",
            "party_kind",
            "party",
            "party_name",
            "cycle",
            "credit_of",
            "reason",
            "issued_on",
            "due_on",
            "total_ht",
            "total_vat",
            "total_ttc",
            "paid",
            "credited",
            "status",
        ]
        read_only_fields = fields

    def get_party(self, invoice: Invoice) -> int:
        return invoice.party_id

    def get_party_name(self, invoice: Invoice) -> str:
        return invoice.party.name

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_paid(self, invoice: Invoice) -> str:
        return str(invoicing.paid_and_credited(invoice)[0])

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_credited(self, invoice: Invoice) -> str:
        return str(invoicing.paid_and_credited(invoice)[1])

    @extend_schema_field(serializers.ChoiceField(choices=InvoiceStatus.choices))
    def get_status(self, invoice: Invoice) -> str:
        return invoicing.invoice_status(invoice)


class CreditLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = MoneyField(min_value=Decimal("0.01"))


class CreditNoteSerializer(serializers.Serializer):
    reason = CharField(max_length=300)
    lines = CreditLineSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=500, allow_empty=False
    )


class PaymentSerializer(ModelSerializer):
    party = serializers.IntegerField(source="party_id", min_value=1, max_value=2**31 - 1)
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    direction = serializers.CharField(read_only=True)
    amount = MoneyField(min_value=Decimal("0.01"), max_value=10**9)
    date = serializers.DateField(source="paid_on")
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = CharField(max_length=140, required=False, allow_blank=True, default="")
    invoices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=500,
        default=list,
    )
    contributions = serializers.BooleanField(required=False, default=False)
    advance = serializers.BooleanField(
        source="is_advance", required=False, default=False, write_only=True
    )
    is_advance = serializers.BooleanField(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "party_kind",
            "party",
            "direction",
            "amount",
            "date",
            "method",
            "reference",
            "invoices",
            "contributions",
            "advance",
            "is_advance",
            "entry",
        ]
        read_only_fields = ["id", "direction", "entry", "is_advance"]
        validators: list = []

    def to_representation(self, payment: Payment) -> dict:
        data = super().to_representation(payment)
        data["invoices"] = [allocation.invoice_id for allocation in payment.allocations.all()]
        return data


# What is outstanding by age in days; the contract's names are not Python identifiers.
AgeSerializer = type(
    "AgeSerializer",
    (serializers.Serializer,),
    {name: Amount() for name in ("0_30", "31_60", "61_90", "over_90")},
)


class BalanceSerializer(serializers.Serializer):
    party_kind = serializers.ChoiceField(choices=PartyKind.choices)
    party = serializers.IntegerField()
    name = CharField()
    owed = Amount()
    paid = Amount()
    outstanding = Amount()
    age = AgeSerializer()


class BalanceQuerySerializer(serializers.Serializer):
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    party = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class FecQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class BankStatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


class BankStatementSerializer(ModelSerializer):
    lines = serializers.SerializerMethodField()
    matched = serializers.SerializerMethodField()
    unmatched = serializers.SerializerMethodField()

    class Meta:
        model = BankStatement
        fields = [
            "id",
            "file_name",
            "format",
            "iban",
            "imported_at",
            "lines",
            "matched",
            "unmatched",
            "already_imported",
        ]
        read_only_fields = fields

    def _count(self, statement: BankStatement, status: str | None = None) -> int:
        lines = statement.lines.all()
        return sum(1 for line in lines if status is None or line.status == status)

    def get_lines(self, statement: BankStatement) -> int:
        return self._count(statement)

    def get_matched(self, statement: BankStatement) -> int:
        return self._count(statement, BankLineStatus.MATCHED)

    def get_unmatched(self, statement: BankStatement) -> int:
        return self._count(statement, BankLineStatus.UNMATCHED)


class BankLineSerializer(ModelSerializer):
    amount = Amount()

    class Meta:
        model = BankLine
        fields = [
            "id",
            "statement",
            "reference",
            "booked_on",
            "amount",
            "direction",
            "counterparty",
            "remittance",
            "status",
            "note",
            "payment",
        ]
        read_only_fields = fields


class BankLineMatchSerializer(serializers.Serializer):
    invoices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=500,
        default=list,
    )
    party_kind = serializers.ChoiceField(choices=PartyKind.choices, required=False)
    party = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    advance = serializers.BooleanField(required=False, default=False)


class BankLineIgnoreSerializer(serializers.Serializer):
    reason = CharField(max_length=300)


class FunderProgrammeSerializer(ModelSerializer):
    rate = serializers.DecimalField(max_digits=4, decimal_places=3)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices),
        required=False,
        max_length=len(Category.choices),
        default=list,
    )

    class Meta:
        model = FunderProgramme
        fields = [
            "id",
            "funder",
            "envelope",
            "name",
            "rate",
            "categories",
            "local_only",
            "is_active",
        ]
        validators: list = []

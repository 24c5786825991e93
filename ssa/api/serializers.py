from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounting.api.serializers import Amount
from accounting.choices import PaymentMethod
from core.api.fields import AsciiDecimalField, CharField, ModelSerializer, MoneyField
from orders.models import Household
from ssa.choices import AllocationBasis, ProposalStatus, SubjectKind, VoteChoice
from ssa.models import Caisse, Contribution, Grant, Member, Proposal


class CommitteeField(serializers.ListField):
    """The committee's names: read from its register (those sitting), written as a list."""

    def get_attribute(self, instance):
        return [member.name for member in instance.committee.all() if member.is_active]


class CaisseSerializer(ModelSerializer):
    contribution_min = MoneyField(max_value=Decimal("10000"))
    contribution_max = MoneyField(max_value=Decimal("10000"))
    allocation_per_member = MoneyField(max_value=Decimal("10000"))
    allocation_basis = serializers.ChoiceField(choices=AllocationBasis.choices, required=False)
    quorum = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    committee = CommitteeField(child=CharField(max_length=200), required=False, max_length=200)

    class Meta:
        model = Caisse
        fields = [
            "id",
            "name",
            "contribution_min",
            "contribution_max",
            "allocation_per_member",
            "allocation_basis",
            "carry_over",
            "quorum",
            "funders",
            "social_services",
            "committee",
        ]


class MemberSerializer(ModelSerializer):
    monthly_contribution = MoneyField(max_value=Decimal("10000"))
    balance = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "household", "monthly_contribution", "joined_on", "left_on", "balance"]

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (
            households if households is not None else Household.objects.none()
        )
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["household"].read_only = True
            self.fields["joined_on"].read_only = True

    @extend_schema_field(AsciiDecimalField(max_digits=9, decimal_places=2))
    def get_balance(self, member) -> str:
        return f"{member.balance or 0:.2f}"


class ProposalSerializer(ModelSerializer):
    subject_kind = serializers.ChoiceField(choices=SubjectKind.choices)
    subject = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    text = CharField(max_length=5000)
    status = serializers.ChoiceField(choices=ProposalStatus.choices, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "subject_kind",
            "subject",
            "text",
            "opened_on",
            "closes_on",
            "status",
            "decided_on",
        ]
        read_only_fields = ["decided_on"]


class VoteSerializer(serializers.Serializer):
    voter = CharField(max_length=200)
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class ContributionSerializer(ModelSerializer):
    amount = MoneyField(max_value=Decimal("10000"))
    method = serializers.ChoiceField(choices=PaymentMethod.choices)

    # Cancelled since by a reversal of its entry (POST .../contributions/{id}/reverse/).
    reversed = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Contribution
        fields = ["id", "member", "month", "amount", "paid_on", "method", "reversed"]

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members if members is not None else Member.objects.none()


class ReverseSerializer(serializers.Serializer):
    reason = CharField(max_length=250)


class GrantSerializer(ModelSerializer):
    amount = MoneyField(max_value=Decimal("10000000"))

    class Meta:
        model = Grant
        fields = ["id", "funder", "month", "amount"]


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^(19|20)\d{2}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("A month is written YYYY-MM.")},
    )

    def month_start(self) -> date:
        year, month = self.validated_data["month"].split("-")
        return date(int(year), int(month), 1)


class StatementProducerSerializer(serializers.Serializer):
    producer = serializers.IntegerField()
    name = CharField()
    amount = Amount()


class StatementKindSerializer(serializers.Serializer):
    category = CharField()
    name = CharField()
    amount = Amount()


class StatementGrantSerializer(serializers.Serializer):
    funder = serializers.IntegerField()
    name = CharField()
    amount = Amount()


class StatementSerializer(serializers.Serializer):
    """A caisse's month: GET /caisses/{id}/statement/?month=YYYY-MM."""

    caisse = serializers.IntegerField()
    name = CharField()
    month = CharField()
    members = serializers.IntegerField()
    contributions = Amount()
    contributing_members = serializers.IntegerField()
    allocations = Amount()
    expired = Amount()
    spending = Amount()
    spending_local = Amount()
    spending_organic = Amount()
    spending_pending = Amount()
    spending_by_producer = StatementProducerSerializer(many=True)
    spending_by_kind = StatementKindSerializer(many=True)
    deficit = Amount()
    grants = StatementGrantSerializer(many=True)
    grants_total = Amount()
    uncovered = Amount()

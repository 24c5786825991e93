from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import AsciiDecimalField, CharField, ModelSerializer, MoneyField
from orders.models import Household
from ssa.choices import AllocationBasis, ProposalStatus, SubjectKind, VoteChoice
from ssa.models import Caisse, Member, Proposal


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

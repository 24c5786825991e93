from rest_framework import serializers

from accounting.choices import FunderKind
from accounting.models import Envelope, Funder
from core.api.fields import MoneyField


class FunderSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=FunderKind.choices)

    class Meta:
        model = Funder
        fields = ["id", "name", "kind", "social_service"]
        extra_kwargs = {"social_service": {"required": False, "allow_null": True}}


class EnvelopeSerializer(serializers.ModelSerializer):
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

from rest_framework import serializers

from logistics.models import Hub
from supply.choices import AllocationRule
from supply.models import CycleEvent, OrderCycle


class OrderCycleSerializer(serializers.ModelSerializer):
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


class CycleEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CycleEvent
        fields = ["from_status", "to_status", "actor", "occurred_at"]

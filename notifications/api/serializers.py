from rest_framework import serializers

from core.api.fields import ModelSerializer

from ..choices import Kind
from ..models import Notification


class NotificationSerializer(ModelSerializer):
    title = serializers.CharField(source="subject")
    body = serializers.CharField(source="summary")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class OutboxSerializer(ModelSerializer):
    recipient = serializers.CharField(source="recipient.username")

    class Meta:
        model = Notification
        fields = [
            "id",
            "recipient",
            "kind",
            "object_key",
            "subject",
            "status",
            "attempts",
            "created_at",
            "sent_at",
            "error",
        ]
        read_only_fields = fields


class PreferencesSerializer(serializers.Serializer):
    email_off = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), max_length=len(Kind.choices)
    )
    # What this person's role receives, and which of it cannot be turned off.
    kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    needed_to_act = serializers.ListField(child=serializers.CharField(), read_only=True)


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)

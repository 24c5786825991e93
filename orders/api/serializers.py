from rest_framework import serializers

from core.api.fields import CoordinateField
from core.choices import Commune
from logistics.api.serializers import ZoneField
from orders.models import Grocery, SocialService


class GrocerySerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
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
            "commune",
            "latitude",
            "longitude",
            "opens_at_time",
            "closes_at_time",
            "zone",
        ]


class SocialServiceSerializer(serializers.ModelSerializer):
    organisation_id = serializers.IntegerField(read_only=True)
    commune = serializers.ChoiceField(choices=Commune.choices)

    class Meta:
        model = SocialService
        fields = ["id", "organisation_id", "name", "commune"]

from datetime import date

from rest_framework import serializers

from core.api.fields import AsciiDecimalField, CharField
from core.api.serializers import PeriodQuerySerializer
from core.choices import Commune
from dashboards.kpis import GRANULARITIES, KPI_KEYS, Scope, year_so_far
from logistics.models import Zone


class ScopeQuerySerializer(PeriodQuerySerializer):
    """`?from=&to=&commune=&zone=`: cycles delivered in the period (this year so far by
    default), in one commune or one zone."""

    commune = serializers.ChoiceField(choices=Commune.choices, required=False)
    zone = serializers.PrimaryKeyRelatedField(queryset=Zone.objects.all(), required=False)

    def default_period(self, today: date) -> tuple[date, date]:
        return year_so_far(today)

    def scope(self) -> Scope:
        data = self.validated_data
        return Scope(data["from"], data["to"], data.get("commune"), data.get("zone"))


class TimeseriesQuerySerializer(ScopeQuerySerializer):
    metric = serializers.ChoiceField(choices=KPI_KEYS)
    granularity = serializers.ChoiceField(choices=list(GRANULARITIES), default="week")


def _figure(**kwargs):
    return CharField(allow_null=True, **kwargs)


class KpisSerializer(serializers.Serializer):
    """Counts are numbers, except a count of fewer than 5 households: "<5". Money and
    quantities are strings; rates are strings between 0 and 1; null where hidden or
    undefined (no value to divide by)."""

    households_served = serializers.JSONField(help_text='a number, or "<5"')
    persons_served = serializers.IntegerField(allow_null=True)
    orders = serializers.IntegerField()
    kg_distributed = _figure()
    meal_equivalents = serializers.IntegerField()
    market_value_ttc = _figure()
    beneficiary_paid = _figure()
    subsidy_total = _figure()
    subsidy_per_household = _figure()
    producers_paid = _figure()
    producers_count = serializers.IntegerField()
    local_share = _figure()
    organic_share = _figure()
    distance_km = _figure()
    co2_kg = _figure()
    fill_rate = _figure()
    cap_usage = _figure()


class TimeseriesPointSerializer(serializers.Serializer):
    period = serializers.DateField()
    value = serializers.JSONField()


class DefinitionSerializer(serializers.Serializer):
    key = CharField()
    label = CharField()  # type: ignore[assignment]
    explanation = CharField()
    unit = CharField()


class CaisseBandSerializer(serializers.Serializer):
    band = serializers.CharField()
    members = serializers.JSONField(help_text='A count, or "<5" when hidden')


class CaisseSpendingSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = AsciiDecimalField(max_digits=14, decimal_places=2)


class CaisseFiguresSerializer(serializers.Serializer):
    caisse = serializers.CharField()
    # A count, or "<5" and every other figure null when the caisse has fewer than 5 members.
    members = serializers.JSONField()
    bands = CaisseBandSerializer(many=True, allow_null=True)
    spending = AsciiDecimalField(max_digits=14, decimal_places=2, allow_null=True)
    local_share = AsciiDecimalField(max_digits=4, decimal_places=3, allow_null=True)
    organic_share = AsciiDecimalField(max_digits=4, decimal_places=3, allow_null=True)
    by_kind = CaisseSpendingSerializer(many=True, allow_null=True)
    by_producer = CaisseSpendingSerializer(many=True, allow_null=True)

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from rest_framework import serializers


class AsciiDecimalField(serializers.DecimalField):
    """A decimal typed with the digits 0-9 only: Python's Decimal also reads "２" or "٣" as
    numbers, which nobody types on purpose (and a value misread is worse than one refused)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip().isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(serializers.CharField):
    """Text that must be sent as text: DRF's CharField turns a number into its digits, so
    `{"name": 0}` named something "0" where the schema says a string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """The serializer every model serializer of the API derives from: decimals and text read
    as above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: AsciiDecimalField,
        models.CharField: CharField,
        models.TextField: CharField,
    }


def CoordinateField(maximum: int, **kwargs) -> serializers.DecimalField:  # noqa: N802
    """Degrees, rounded half-up to 6 decimals (about 10 cm), within ±maximum."""
    return AsciiDecimalField(
        max_digits=10,
        decimal_places=6,
        min_value=Decimal(-maximum),
        max_value=Decimal(maximum),
        rounding=ROUND_HALF_UP,
        **kwargs,
    )


def MoneyField(**kwargs) -> serializers.DecimalField:  # noqa: N802
    """Euros as a string with two decimals, never negative."""
    kwargs.setdefault("min_value", Decimal("0"))
    return AsciiDecimalField(max_digits=12, decimal_places=2, **kwargs)

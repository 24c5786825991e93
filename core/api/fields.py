from decimal import ROUND_HALF_UP, Decimal

from rest_framework import serializers


def CoordinateField(maximum: int, **kwargs) -> serializers.DecimalField:  # noqa: N802
    """Degrees, rounded half-up to 6 decimals (about 10 cm), within ±maximum."""
    return serializers.DecimalField(
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
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)

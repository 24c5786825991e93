"""Money and quantity helpers: Decimal only, rounded half-up at every boundary."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def quantize_money(value: Decimal | int | str) -> Decimal:
    """Round an amount in euros to the cent, half-up (DESIGN.md §4.1)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantize_quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity (kg, pieces, litres) to three decimals, half-up."""
    return Decimal(value).quantize(MILLI, rounding=ROUND_HALF_UP)


def format_euros(value: Decimal) -> str:
    """An amount for a message, in the active language's format ("41,15 €" in French)."""
    return f"{number_format(quantize_money(value), 2)} €"


def format_quantity(value: Decimal) -> str:
    """A quantity for a message, without trailing zeros ("2,5" in French)."""
    normalized = Decimal(value).normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return number_format(normalized, places)

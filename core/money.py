"""Money and quantity helpers: Decimal only, rounded half-up at every boundary."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def quantize_money(value: Decimal | int | str) -> Decimal:
    """Round an amount in euros to the cent, half-up (DESIGN.md §4.1)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantize_quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity (kg, pieces, litres) to three decimals, half-up."""
    return Decimal(value).quantize(MILLI, rounding=ROUND_HALF_UP)

"""How numbers, amounts and dates read in messages, in the active language's format.

The one place: services, screens and documents call these rather than formatting by hand
("41,15 €", "2,5", "05/12/2026" and "05/12/2026 18:00" in French)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format

from .money import quantize_money


def format_euros(value: Decimal) -> str:
    """An amount for a message ("41,15 €" in French)."""
    return f"{number_format(quantize_money(value), 2)} €"


def format_quantity(value: Decimal) -> str:
    """A quantity for a message, without trailing zeros ("2,5" in French)."""
    normalized = Decimal(value).normalize()
    places = max(0, -int(normalized.as_tuple().exponent))
    return number_format(normalized, places)


def format_date(day: date) -> str:
    """A day, short ("05/12/2026" in French)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def format_datetime(moment: datetime) -> str:
    """An instant in the platform's time zone, short ("05/12/2026 18:00" in French)."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")

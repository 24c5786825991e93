from decimal import Decimal

from django import template
from django.utils.formats import number_format

from core.formats import format_quantity

register = template.Library()


@register.filter
def percent(rate) -> str:
    """0.055 -> "5,5 %", 0.2 -> "20 %" (a rate stored as a fraction, shown as people read it)."""
    if rate in (None, ""):
        return "—"
    value = (Decimal(str(rate)) * 100).normalize()
    places = max(0, -int(value.as_tuple().exponent))
    return f"{number_format(value, min(places, 1))} %"


@register.filter
def typed(quantity) -> str:
    """A number as a person types it in a text input: "2,5" in French, "4", never "4,000";
    what the person typed is shown back as typed."""
    if quantity in (None, ""):
        return ""
    if isinstance(quantity, str):
        return quantity[:20]
    try:
        return format_quantity(Decimal(str(quantity)))
    except ArithmeticError:
        return str(quantity)[:20]


@register.filter
def plain(quantity) -> str:
    """A quantity as an <input type="number"> takes it: "4", "2.5", never "4,000"."""
    if quantity in (None, ""):
        return ""
    if isinstance(quantity, str):  # what the person typed, shown back as typed
        return quantity[:20]
    try:
        return format(Decimal(str(quantity)).normalize(), "f")
    except ArithmeticError:
        return str(quantity)[:20]


@register.filter
def quantity(value) -> str:
    """A quantity for reading: "0,5", "12", "2,75" (no trailing zeros)."""
    if value in (None, ""):
        return "—"
    return format_quantity(Decimal(str(value)))

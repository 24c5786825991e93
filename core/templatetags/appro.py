from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(rate) -> str:
    """0.055 -> "5,5 %", 0.2 -> "20 %" (a rate stored as a fraction, shown as people read it)."""
    if rate in (None, ""):
        return "—"
    value = (Decimal(str(rate)) * 100).normalize()
    places = max(0, -value.as_tuple().exponent)
    return f"{number_format(value, min(places, 1))} %"

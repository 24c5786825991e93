"""Quantities with their unit in words, singular or plural as French says them
("1 pièce", "2 pièces", "40 kilogrammes", "1,5 litre"): `{{ quantity|units:unit }}`."""

from decimal import Decimal

from django import template
from django.utils.translation import npgettext

from core.formats import format_quantity
from producers.choices import Unit

register = template.Library()


def unit_words(unit: str, quantity: Decimal) -> str:
    """The unit's name for this quantity: French makes plural from 2 (1,5 kilogramme)."""
    count = 2 if abs(quantity) >= 2 else 1
    if unit == Unit.KG:
        return npgettext("after a quantity", "kilogram", "kilograms", count)
    if unit == Unit.PIECE:
        return npgettext("after a quantity", "piece", "pieces", count)
    if unit == Unit.LITRE:
        return npgettext("after a quantity", "litre", "litres", count)
    return unit


@register.filter
def units(quantity, unit: str) -> str:
    if quantity in (None, ""):
        return ""
    value = Decimal(str(quantity))
    return f"{format_quantity(value)} {unit_words(unit, value)}"

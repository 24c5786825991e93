"""Quantities read with their unit in French, singular or plural (#19, item 20)."""

from decimal import Decimal

from producers.templatetags.units import units


def test_french_makes_plural_from_two():
    assert units(Decimal("1"), "piece") == "1 pièce"
    assert units(Decimal("2"), "piece") == "2 pièces"
    assert units(Decimal("1.5"), "kg") == "1,5 kilogramme"
    assert units(Decimal("40.000"), "kg") == "40 kilogrammes"
    assert units(Decimal("0.75"), "litre") == "0,75 litre"
    assert units(None, "kg") == ""

"""Prices and the tariff split (DESIGN.md §4.1–4.2), one line at a time."""

from dataclasses import dataclass
from decimal import Decimal

from core.money import quantize_money


@dataclass(frozen=True)
class LinePrice:
    line_ht: Decimal
    line_vat: Decimal
    line_ttc: Decimal
    beneficiary_share: Decimal
    subsidy: Decimal


def price_line(
    *, quantity: Decimal, unit_price_ht: Decimal, vat_rate: Decimal, tier_rate: Decimal | None
) -> LinePrice:
    """Round half-up at each step; the split always adds up to line_ttc exactly.

    `tier_rate` is None for a grocery's grouped order: the grocery pays the whole line.
    """
    line_ht = quantize_money(quantity * unit_price_ht)
    line_vat = quantize_money(line_ht * vat_rate)
    line_ttc = line_ht + line_vat
    if tier_rate is None:
        return LinePrice(line_ht, line_vat, line_ttc, Decimal("0.00"), Decimal("0.00"))
    beneficiary_share = quantize_money(line_ttc * tier_rate)
    return LinePrice(line_ht, line_vat, line_ttc, beneficiary_share, line_ttc - beneficiary_share)


def unit_price_ttc(*, unit_price_ht: Decimal, vat_rate: Decimal) -> Decimal:
    """What one unit costs incl. VAT, rounded as a line of one unit is."""
    return price_line(
        quantity=Decimal(1), unit_price_ht=unit_price_ht, vat_rate=vat_rate, tier_rate=None
    ).line_ttc


def reste_a_vivre_per_day(
    *, monthly_resources: Decimal, monthly_charges: Decimal, persons: int
) -> Decimal:
    """RAV = (resources − charges) ÷ persons ÷ 30, in € per person per day."""
    return quantize_money((monthly_resources - monthly_charges) / persons / 30)


def default_monthly_cap(*, persons: int, social_service) -> Decimal:
    """20 € for one person, 30 € for two, +5 € per extra person, at most 50 € (per CCAS)."""
    if persons <= 1:
        cap = social_service.cap_one_person
    else:
        cap = social_service.cap_two_persons + social_service.cap_per_extra_person * (persons - 2)
    return min(cap, social_service.cap_maximum)

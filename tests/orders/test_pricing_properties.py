"""Property tests of the money rules (DESIGN.md §4.1–4.2)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import quantize_money
from orders.pricing import price_line

quantities = st.decimals(min_value="0.001", max_value="500", places=3)
prices = st.decimals(min_value="0", max_value="999.99", places=2)
vat_rates = st.sampled_from([Decimal("0"), Decimal("0.055"), Decimal("0.1"), Decimal("0.2")])
tier_rates = st.decimals(min_value="0", max_value="1", places=3)


@given(quantities, prices, vat_rates, tier_rates)
def test_every_line_splits_exactly(quantity, unit_price, vat_rate, tier_rate):
    line = price_line(
        quantity=quantity, unit_price_ht=unit_price, vat_rate=vat_rate, tier_rate=tier_rate
    )

    assert line.beneficiary_share + line.subsidy == line.line_ttc
    assert line.line_ttc == line.line_ht + line.line_vat
    assert line.line_ht == quantize_money(quantity * unit_price)
    assert line.line_vat == quantize_money(line.line_ht * vat_rate)
    assert line.beneficiary_share == quantize_money(line.line_ttc * tier_rate)
    assert Decimal("0") <= line.beneficiary_share <= line.line_ttc
    for amount in (line.line_ht, line.line_vat, line.beneficiary_share, line.subsidy):
        assert amount == amount.quantize(Decimal("0.01"))


@given(st.lists(st.tuples(quantities, prices, vat_rates), min_size=1, max_size=30), tier_rates)
def test_order_totals_are_the_sums_of_lines(lines, tier_rate):
    from orders.models import OrderLine
    from orders.services import _totals

    priced = []
    for quantity, unit_price, vat_rate in lines:
        price = price_line(
            quantity=quantity, unit_price_ht=unit_price, vat_rate=vat_rate, tier_rate=tier_rate
        )
        priced.append(
            OrderLine(
                line_ht=price.line_ht,
                line_vat=price.line_vat,
                line_ttc=price.line_ttc,
                beneficiary_share=price.beneficiary_share,
                subsidy=price.subsidy,
            )
        )

    totals = _totals(priced)

    assert totals["total_ttc"] == sum(line.line_ttc for line in priced)
    assert totals["total_ht"] == sum(line.line_ht for line in priced)
    assert totals["beneficiary_total"] + totals["subsidy_total"] == totals["total_ttc"]


@given(quantities, prices, vat_rates)
def test_a_grocery_line_carries_no_subsidy(quantity, unit_price, vat_rate):
    line = price_line(
        quantity=quantity, unit_price_ht=unit_price, vat_rate=vat_rate, tier_rate=None
    )

    assert line.subsidy == line.beneficiary_share == Decimal("0.00")


def test_half_cents_round_up():
    line = price_line(
        quantity=Decimal("2"),
        unit_price_ht=Decimal("2.30"),
        vat_rate=Decimal("0.055"),
        tier_rate=Decimal("0.1"),
    )

    # 4.60 × 0.055 = 0.253 → 0.25; 4.85 × 0.1 = 0.485 → 0.49 (half-up, not banker's).
    assert (line.line_vat, line.beneficiary_share) == (Decimal("0.25"), Decimal("0.49"))

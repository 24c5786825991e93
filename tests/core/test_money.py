"""The one largest-remainder split (core.money): used by the shortage allocation and the
logistics cost shares, and by the co-funding and invoices to come."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import largest_remainder, split_to_the_cent


@given(
    st.integers(0, 10_000),
    st.dictionaries(st.integers(1, 50), st.integers(0, 1_000), min_size=1, max_size=30),
)
def test_the_shares_add_up_and_stay_within_a_unit_of_the_exact_quota(units, weights):
    shares = largest_remainder(units, weights)

    total = sum(weights.values())
    if total == 0:
        assert shares == dict.fromkeys(weights, 0)
        return
    assert sum(shares.values()) == units
    for key, weight in weights.items():
        exact = Decimal(units * weight) / total
        assert exact - 1 < shares[key] <= exact + 1


def test_equal_remainders_go_first_by_the_tie_break():
    weights = {"a": 1, "b": 1, "c": 1}

    assert largest_remainder(4, weights) == {"a": 2, "b": 1, "c": 1}
    assert largest_remainder(4, weights, tie_break=lambda key: {"a": 3, "b": 2, "c": 1}[key]) == {
        "a": 1,
        "b": 1,
        "c": 2,
    }


def test_the_alabama_paradox_is_what_allocate_within_guards_against():
    asked = {1: 6, 2: 6, 3: 2}

    assert largest_remainder(11, asked) == {1: 5, 2: 5, 3: 1}
    assert largest_remainder(10, asked) == {1: 4, 2: 4, 3: 2}  # less in total, more for 3


def test_amounts_are_split_to_the_cent():
    assert split_to_the_cent(Decimal("100.00"), {1: Decimal("2"), 2: Decimal("1")}) == {
        1: Decimal("66.67"),
        2: Decimal("33.33"),
    }

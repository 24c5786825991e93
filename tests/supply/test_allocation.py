"""The shortage allocation rule (DESIGN.md §4.3) on hand-computed cases and properties."""

from datetime import datetime, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from supply.allocation import GROCERIES, HOUSEHOLDS, Request, allocate, allocate_within

T0 = datetime(2026, 11, 20, 9, 0)


def request(line_id, asked, group=GROCERIES, minutes=0):
    return Request(line_id, group, D(asked), T0 + timedelta(minutes=minutes))


def test_proportional_shares_with_a_remainder_to_the_earliest():
    # 10 for 5 + 5 + 10 = 20: quotas 2.5, 2.5, 5 → 2, 2, 5 and one unit left; the two .5
    # remainders tie, the earlier order (line 2, submitted first) gets it.
    requests = [request(1, "5", minutes=10), request(2, "5", minutes=0), request(3, "10")]

    assert allocate(requests, D("10"), D("1")) == {1: D("2"), 2: D("3"), 3: D("5")}


def test_shares_come_in_whole_packs_by_largest_remainder():
    # Packs of 2.5 kg; 10 kg is 4 packs for 2 + 3 + 1 = 6 packs asked: quotas 1.33, 2, 0.67
    # → 1, 2, 0 and one pack left for the largest remainder (0.67, line 3).
    requests = [request(1, "5"), request(2, "7.5"), request(3, "2.5")]

    assert allocate(requests, D("10"), D("2.5")) == {1: D("2.5"), 2: D("5.0"), 3: D("2.5")}


def test_supply_that_is_not_a_whole_number_of_packs_rounds_down():
    requests = [request(1, "6"), request(2, "6")]

    shares = allocate(requests, D("7"), D("2"))  # 3 packs of 2 kg, not 3.5

    assert sum(shares.values()) == D("6")


def test_households_are_served_before_groceries():
    requests = [request(1, "10", GROCERIES), request(2, "4", HOUSEHOLDS, minutes=30)]

    assert allocate(requests, D("6"), D("1")) == {1: D("2"), 2: D("4")}


def test_when_households_alone_pass_supply_groceries_get_nothing():
    requests = [
        request(1, "2", HOUSEHOLDS, minutes=5),
        request(2, "2", HOUSEHOLDS, minutes=1),
        request(3, "5", GROCERIES),
    ]

    assert allocate(requests, D("3"), D("1")) == {1: D("1"), 2: D("2"), 3: D("0")}


def test_equal_remainders_and_equal_times_go_to_the_lowest_line():
    requests = [request(7, "1"), request(3, "1"), request(5, "1")]

    assert allocate(requests, D("2"), D("1")) == {3: D("1"), 5: D("1"), 7: D("0")}


def test_zero_supply_gives_zero_to_everyone():
    requests = [request(1, "3", HOUSEHOLDS), request(2, "4")]

    assert allocate(requests, D("0"), D("1")) == {1: D("0"), 2: D("0")}


def test_supply_above_demand_changes_nothing():
    requests = [request(1, "3", HOUSEHOLDS), request(2, "4.5")]

    assert allocate(requests, D("100"), D("1.5")) == {1: D("3"), 2: D("4.5")}


def test_first_come_serves_each_group_by_submission():
    requests = [
        request(1, "4", GROCERIES, minutes=0),
        request(2, "4", GROCERIES, minutes=5),
        request(3, "3", HOUSEHOLDS, minutes=10),
    ]

    assert allocate(requests, D("8"), D("1"), "first_come") == {3: D("3"), 1: D("4"), 2: D("1")}


def test_less_supply_never_gives_a_line_more_than_it_had():
    # Asked 6, 6 and 2: 11 give 5, 5, 1 (remainders .71, .71, .57) but 10 give 4, 4, 2
    # (remainders .29, .29, .43): the Alabama paradox. Line 3 keeps its 1, and the 9
    # left are shared again between lines 1 and 2 (4.5 each, the earlier gets the unit).
    requests = [request(1, "6", minutes=0), request(2, "6", minutes=1), request(3, "2")]
    at_close = allocate(requests, D("11"), D("1"))
    assert at_close == {1: D("5"), 2: D("5"), 3: D("1")}
    assert allocate(requests, D("10"), D("1"))[3] == D("2")

    confirmed = allocate_within(requests, D("10"), D("1"), "proportional", at_close)

    assert confirmed == {1: D("5"), 2: D("4"), 3: D("1")}


requests_strategy = st.lists(
    st.tuples(st.integers(1, 40), st.sampled_from([HOUSEHOLDS, GROCERIES]), st.integers(0, 600)),
    min_size=1,
    max_size=40,
)


@given(
    requests_strategy,
    st.integers(0, 800),
    st.sampled_from(["1", "0.5", "2.5", "6"]),
    st.sampled_from(["proportional", "first_come"]),
)
def test_never_more_than_asked_nor_than_supply(raw, supply_packs, pack, rule):
    pack = D(pack)
    requests = [
        Request(index, group, pack * packs, T0 + timedelta(seconds=seconds))
        for index, (packs, group, seconds) in enumerate(raw)
    ]
    supply = pack * supply_packs
    demand = sum(item.asked for item in requests)

    shares = allocate(requests, supply, pack, rule)

    assert set(shares) == {item.line_id for item in requests}
    assert all(D("0") <= shares[item.line_id] <= item.asked for item in requests)
    assert all(shares[item.line_id] % pack == 0 for item in requests)
    assert sum(shares.values()) == min(supply, demand)
    households_short = any(
        shares[item.line_id] < item.asked for item in requests if item.group == HOUSEHOLDS
    )
    if households_short:  # no grocery is served while a household is short
        assert all(shares[item.line_id] == 0 for item in requests if item.group == GROCERIES)


@given(
    requests_strategy,
    st.integers(0, 800),
    st.integers(0, 800),
    st.sampled_from(["1", "2.5"]),
    st.sampled_from(["proportional", "first_come"]),
)
def test_a_smaller_supply_shares_within_the_first_shares(raw, first, second, pack, rule):
    pack = D(pack)
    requests = [
        Request(index, group, pack * packs, T0 + timedelta(seconds=seconds))
        for index, (packs, group, seconds) in enumerate(raw)
    ]
    before = allocate(requests, pack * max(first, second), pack, rule)
    supply = pack * min(first, second)

    shares = allocate_within(requests, supply, pack, rule, before)

    assert all(D("0") <= shares[line_id] <= before[line_id] for line_id in before)
    assert all(share % pack == 0 for share in shares.values())
    assert sum(shares.values()) == min(supply, sum(before.values()))

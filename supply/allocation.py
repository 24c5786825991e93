"""Shortage allocation (DESIGN.md §4.3), as pure functions on plain values.

When the supply S of an offer is below the demand D: season-contract lines are served first
(DESIGN.md §10), then households, then groceries; within each group the share is
proportional to the quantity asked, in whole packs, by the largest remainder method, ties
going to the earliest submitted order. Nobody gets more than asked, and no more than S is
given in total. `first_come` serves each group in order of submission instead.
`allocate_within` runs the rule again on a smaller supply without giving any line more than
it had.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from core.money import largest_remainder

from .choices import AllocationRule

CONTRACTS, HOUSEHOLDS, GROCERIES = 0, 1, 2


@dataclass(frozen=True)
class Request:
    line_id: int
    group: int  # CONTRACTS, HOUSEHOLDS or GROCERIES
    asked: Decimal
    submitted_at: datetime


def _proportional(requests: Sequence[Request], units: int, asked: dict[int, int]) -> dict[int, int]:
    if sum(asked[request.line_id] for request in requests) <= units:
        return {request.line_id: asked[request.line_id] for request in requests}
    # Equal remainders go to the earliest order, then the lowest id.
    submitted = {request.line_id: request.submitted_at for request in requests}
    return largest_remainder(
        units,
        {request.line_id: asked[request.line_id] for request in requests},
        tie_break=lambda line_id: (submitted[line_id], line_id),
    )


def _first_come(requests: Sequence[Request], units: int, asked: dict[int, int]) -> dict[int, int]:
    shares = {}
    for request in sorted(requests, key=lambda request: (request.submitted_at, request.line_id)):
        given = min(asked[request.line_id], units)
        shares[request.line_id] = given
        units -= given
    return shares


def allocate(
    requests: Iterable[Request],
    supply: Decimal,
    pack_size: Decimal,
    rule: str = AllocationRule.PROPORTIONAL,
) -> dict[int, Decimal]:
    """Quantity allocated to each line id. Quantities asked are multiples of `pack_size`."""
    requests = list(requests)
    asked = {request.line_id: int(request.asked / pack_size) for request in requests}
    units = max(0, int(supply // pack_size))
    share_group = _first_come if rule == AllocationRule.FIRST_COME else _proportional
    shares: dict[int, int] = {}
    for group in (CONTRACTS, HOUSEHOLDS, GROCERIES):
        members = [request for request in requests if request.group == group]
        given = share_group(members, units, asked)
        shares.update(given)
        units -= sum(given.values())
    return {line_id: pack_size * count for line_id, count in shares.items()}


def allocate_within(
    requests: Iterable[Request],
    supply: Decimal,
    pack_size: Decimal,
    rule: str,
    ceilings: dict[int, Decimal],
) -> dict[int, Decimal]:
    """`allocate` on a supply that shrank, with no line above its ceiling (its earlier share).

    The largest remainder method is not monotone (the Alabama paradox: with asked 6, 6 and 2
    packs, 11 packs give the third line 1 and 10 packs give it 2), so a producer confirming
    less could raise a line above what it was allocated at close. Such a line keeps its
    ceiling and the rest of the supply is shared again, by the same rule, among the others.
    """
    remaining = list(requests)
    fixed: dict[int, Decimal] = {}
    while True:
        shares = allocate(remaining, supply - sum(fixed.values()), pack_size, rule)
        over = {line_id for line_id, share in shares.items() if share > ceilings[line_id]}
        if not over:
            return {**fixed, **shares}
        fixed.update((line_id, ceilings[line_id]) for line_id in over)
        remaining = [request for request in remaining if request.line_id not in over]

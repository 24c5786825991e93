"""Co-funding (DESIGN.md §12): a household's subsidy shared among several funders by rule
(CCAS 60 %, Département 40 %), each share charged to its own funder's envelope.

A household names its funders and shares (HouseholdFunder, shares adding up to 1); without
them, its funder pays the whole subsidy, as before. An order of a co-funded household keeps
the shares it was placed with (OrderFunding, one row per funder with the envelope covering
its delivery), and has no single envelope (Order.envelope stays empty). Every line's subsidy
is split among them by the largest remainder, so the shares add up to the line's subsidy to
the cent, and an envelope carries the sum of its funder's line shares: whoever moves a line's
subsidy (placing, changing, cancelling, shortage, received quantities, settlement) moves
each envelope by the difference of the splits, never by a split of the difference.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.money import split_to_the_cent

from .choices import OrderStatus
from .models import HouseholdFunder, OrderFunding, OrderLine


@dataclass(frozen=True)
class Share:
    funder_id: int
    envelope_id: int
    share: Decimal


def household_shares(household_id: int) -> list[HouseholdFunder]:
    """The co-funders of a household, largest share first; empty when one funder pays all."""
    return list(
        HouseholdFunder.objects.filter(household_id=household_id)
        .select_related("funder")
        .order_by("-share", "funder_id")
    )


def order_shares(order_ids: Iterable[int]) -> dict[int, list[Share]]:
    """The shares of the co-funded orders among these (the others are absent)."""
    shares: dict[int, list[Share]] = defaultdict(list)
    for order_id, funder_id, envelope_id, share in (
        OrderFunding.objects.filter(order_id__in=list(order_ids))
        .order_by("order_id", "funder_id")
        .values_list("order_id", "funder_id", "envelope_id", "share")
    ):
        shares[order_id].append(Share(funder_id, envelope_id, share))
    return dict(shares)


def line_split(subsidy: Decimal, shares: list[Share]) -> dict[int, Decimal]:
    """One line's subsidy per funder, adding up to it to the cent (equal remainders go to
    the funder with the smallest id)."""
    return split_to_the_cent(subsidy, {share.funder_id: share.share for share in shares})


def split_by_funder(subsidies: Iterable[Decimal], shares: list[Share]) -> dict[int, Decimal]:
    """What each funder pays for these line subsidies of one co-funded order."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for subsidy in subsidies:
        for funder_id, amount in line_split(subsidy, shares).items():
            paid[funder_id] += amount
    return dict(paid)


def split_by_envelope(subsidies: Iterable[Decimal], shares: list[Share]) -> dict[int, Decimal]:
    """What each envelope carries for them: each funder's part, on its envelope."""
    envelope_of = {share.funder_id: share.envelope_id for share in shares}
    return {
        envelope_of[funder_id]: amount
        for funder_id, amount in split_by_funder(subsidies, shares).items()
    }


def envelope_deltas(
    before: Iterable[Decimal], after: Iterable[Decimal], shares: list[Share]
) -> dict[int, Decimal]:
    """How each envelope moves when the order's line subsidies go from `before` to `after`."""
    old, new = split_by_envelope(before, shares), split_by_envelope(after, shares)
    return {
        envelope_id: new.get(envelope_id, Decimal(0)) - old.get(envelope_id, Decimal(0))
        for envelope_id in sorted(old.keys() | new.keys())
        if new.get(envelope_id, Decimal(0)) != old.get(envelope_id, Decimal(0))
    }


@dataclass(frozen=True)
class FundedPart:
    """One co-funder's part of one co-funded household order."""

    order_id: int
    household_id: int
    social_service_id: int
    funder_id: int
    envelope_id: int
    subsidy: Decimal


def cycle_cofunded(
    cycle_id: int, overrides: Mapping[int, Decimal] | None = None
) -> list[FundedPart]:
    """Each co-funder's part of each live co-funded order of the cycle, from its lines'
    subsidies (`overrides`: line id -> subsidy of a change not yet written)."""
    shares = order_shares(
        OrderFunding.objects.filter(order__cycle_id=cycle_id)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("order_id", flat=True)
        .distinct()
    )
    if not shares:
        return []
    overrides = overrides or {}
    subsidies: dict[int, list[Decimal]] = defaultdict(list)
    households: dict[int, tuple[int, int]] = {}
    for line_id, order_id, subsidy, household_id, social_service_id in OrderLine.objects.filter(
        order_id__in=list(shares)
    ).values_list(
        "id", "order_id", "subsidy", "order__household_id", "order__household__social_service_id"
    ):
        subsidies[order_id].append(overrides.get(line_id, subsidy))
        households[order_id] = (household_id, social_service_id)
    parts = []
    for order_id, order_funders in sorted(shares.items()):
        envelope_of = {share.funder_id: share.envelope_id for share in order_funders}
        for funder_id, amount in sorted(
            split_by_funder(subsidies[order_id], order_funders).items()
        ):
            parts.append(
                FundedPart(
                    order_id, *households[order_id], funder_id, envelope_of[funder_id], amount
                )
            )
    return parts

"""Money and quantity helpers: Decimal only, rounded half-up at every boundary, and the one
largest-remainder split (shortage allocation, logistics cost shares). How they read in
messages: core.formats."""

from collections.abc import Callable, Hashable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)

CENT = Decimal("0.01")
MILLI = Decimal("0.001")


def quantize_money(value: Decimal | int | str) -> Decimal:
    """Round an amount in euros to the cent, half-up (DESIGN.md §4.1)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def quantize_quantity(value: Decimal | int | str) -> Decimal:
    """Round a quantity (kg, pieces, litres) to three decimals, half-up."""
    return Decimal(value).quantize(MILLI, rounding=ROUND_HALF_UP)


def largest_remainder(
    units: int,
    weights: Mapping[K, int | Decimal],
    *,
    tie_break: Callable[[K], Any] | None = None,
) -> dict[K, int]:
    """Share `units` whole units pro rata to `weights` by the largest remainder method: each
    key gets the whole part of its exact quota, and the units left go one each to the largest
    remainders; equal remainders go to the keys first by `tie_break` (the key itself by
    default). The shares add up to `units` exactly (all zero when the weights sum to zero).

    The quotas are compared as remainders over one denominator, so integer weights give exact
    integer arithmetic and Decimal weights exact decimal arithmetic: no float anywhere.
    """
    total = sum(weights.values())
    if not weights or total <= 0:
        return dict.fromkeys(weights, 0)
    shares: dict[K, int] = {}
    remainders = []
    order = tie_break or (lambda key: key)
    for key, weight in weights.items():
        whole, remainder = divmod(units * weight, total)
        shares[key] = int(whole)
        remainders.append((-remainder, order(key), key))
    left = units - sum(shares.values())
    for _remainder, _order, key in sorted(remainders, key=lambda item: item[:2])[:left]:
        shares[key] += 1
    return shares


def split_to_the_cent(total: Decimal, weights: Mapping[K, int | Decimal]) -> dict[K, Decimal]:
    """Shares of the amount `total` pro rata to `weights`, in cents, adding up to `total`
    exactly (largest remainder; equal remainders to the smallest key)."""
    cents = largest_remainder(int(quantize_money(total) * 100), weights)
    return {key: quantize_money(Decimal(share) / 100) for key, share in cents.items()}

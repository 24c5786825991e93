"""Which quantity of an order line counts, and which orders count: one home, three forms.

A line keeps every quantity beside the one asked (DESIGN.md §4.6): `quantity` (asked),
`allocated_quantity` (at close; null when the line is served in full, so that closing writes
only the lines it reduces), `confirmed_quantity` (after the producer's answer) and
`received_quantity` (at reception). What counts:

- served: what a line is served and priced on until it is received: confirmed, else
  allocated, else what it asked;
- delivered: what it is settled on (DESIGN.md §5.1): received, else served;
- live: an order counts in every status but cancelled.

Each rule comes in three forms, side by side: ORM expressions (selectors and services), SQL
fragments over the aliases `l` (the line) and `o` (its order) for the hand-written snapshot
queries that a year of lines needs, and Python functions on a line already loaded.
tests/orders/test_quantities.py checks that the three give the same numbers on the same data.
"""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.db.models.functions import Coalesce

from .choices import OrderStatus

SERVED_FIELDS = ("confirmed_quantity", "allocated_quantity", "quantity")
DELIVERED_FIELDS = ("received_quantity", *SERVED_FIELDS)
# Orders whose lines have no allocation (yet, or ever).
NOT_YET_ALLOCATED = frozenset({OrderStatus.SUBMITTED, OrderStatus.CANCELLED})
KG: DecimalField = DecimalField(max_digits=14, decimal_places=3)


# --- ORM ---------------------------------------------------------------------------------


def served_quantity(prefix: str = "") -> Coalesce:
    """The served quantity of a line (of `prefix`, e.g. "lines__", from another model)."""
    return Coalesce(*(prefix + name for name in SERVED_FIELDS))


def delivered_quantity(prefix: str = "") -> Coalesce:
    return Coalesce(*(prefix + name for name in DELIVERED_FIELDS))


def delivered_weight_kg() -> ExpressionWrapper:
    """The kilograms a line weighs on arrival (its delivered quantity × the unit weight)."""
    return ExpressionWrapper(
        delivered_quantity() * F("offer__product__unit_weight_kg"), output_field=KG
    )


def live_lines() -> Q:
    """A filter on order lines: lines of orders that count."""
    return ~Q(order__status=OrderStatus.CANCELLED)


def live_orders() -> Q:
    """A filter on orders: the orders that count."""
    return ~Q(status=OrderStatus.CANCELLED)


# --- SQL ---------------------------------------------------------------------------------


def served_sql(line: str = "l") -> str:
    return "COALESCE(" + ", ".join(f"{line}.{name}" for name in SERVED_FIELDS) + ")"


def delivered_sql(line: str = "l") -> str:
    return "COALESCE(" + ", ".join(f"{line}.{name}" for name in DELIVERED_FIELDS) + ")"


def live_order_sql(order: str = "o") -> str:
    return f"{order}.status <> '{OrderStatus.CANCELLED.value}'"


# --- Python ------------------------------------------------------------------------------


def _first_known(line, names: tuple[str, ...]) -> Decimal:
    for name in names:
        value = getattr(line, name)
        if value is not None:
            return value
    raise ValueError(f"order line {line.pk} has no quantity")


def served(line) -> Decimal:
    """The served quantity of a line already loaded."""
    return _first_known(line, SERVED_FIELDS)


def delivered(line) -> Decimal:
    return _first_known(line, DELIVERED_FIELDS)


def allocated(line) -> Decimal | None:
    """What a line was allocated at close, as the API shows it: None before close, and the
    quantity asked for a line served in full (stored null)."""
    if line.allocated_quantity is not None:
        return line.allocated_quantity
    if line.order.status in NOT_YET_ALLOCATED:
        return None
    return line.quantity


def is_live(order) -> bool:
    return order.status != OrderStatus.CANCELLED

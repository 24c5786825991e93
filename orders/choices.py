from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")  # within its validity dates, not suspended
    PENDING = "pending", _("Pending")  # its decision starts later
    EXPIRED = "expired", _("Expired")  # its decision has ended
    SUSPENDED = "suspended", _("Suspended")  # stopped by its CCAS


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")  # placed while the cycle is open
    ALLOCATED = "allocated", _("Allocated")  # quantities allocated at close
    CONFIRMED = "confirmed", _("Confirmed")  # producers confirmed what they supply
    DELIVERED = "delivered", _("Delivered")  # the grocery recorded the reception
    SETTLED = "settled", _("Settled")  # posted to the ledger
    CANCELLED = "cancelled", _("Cancelled")  # withdrawn while the cycle was open


# The one transition table of orders: each status and those it may move to. Orders move with
# their cycle (orders.services.cycle_orders_advance), except a cancellation, one at a time.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.SUBMITTED: frozenset({OrderStatus.ALLOCATED, OrderStatus.CANCELLED}),
    OrderStatus.ALLOCATED: frozenset({OrderStatus.CONFIRMED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.SETTLED}),
}
# Orders that still count (every status but cancelled).
LIVE_ORDER_STATUSES = frozenset(OrderStatus.values) - {OrderStatus.CANCELLED}


class OrderPayment(models.TextChoices):
    """How a household order is paid (DESIGN.md §3, §14)."""

    TARIFF = "tariff", _("Social tariff")  # a share by the household, the rest by its funder
    SSA = "ssa", _("Caisse alimentaire")  # the whole price, from the member's credit


class AccessAction(models.TextChoices):
    READ = "read", _("Read")  # CCAS-only fields were shown
    CREATE = "create", _("Create")  # the household was enrolled
    UPDATE = "update", _("Update")  # the decision was changed (rows written before renew etc.)
    RENEW = "renew", _("Renewal")  # the decision was extended
    SUSPEND = "suspend", _("Suspension")  # the CCAS stopped the household's orders, saying why
    RESUME = "resume", _("Reinstatement")  # the CCAS lifted a suspension

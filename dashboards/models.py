"""Snapshots the dashboards read: figures aggregated from order lines, per order and per
producer, refreshed by dashboards.snapshots (beat, and after each settlement). Pages and
exports aggregate these rows, never the order lines themselves (DESIGN.md §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def euros() -> models.DecimalField:
    """A sum of amounts, to the cent."""
    return models.DecimalField(max_digits=14, decimal_places=2, default=0)


def kilograms() -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=3, default=0)


class CycleSnapshot(models.Model):
    """When a cycle's figures were last taken, and in which state."""

    cycle = models.OneToOneField(
        "supply.OrderCycle", on_delete=models.CASCADE, related_name="snapshot"
    )
    status = models.CharField(_("status"), max_length=16)
    refreshed_at = models.DateTimeField(_("refreshed at"))
    lines = models.PositiveIntegerField(_("order lines"), default=0)

    class Meta:
        verbose_name = _("cycle snapshot")
        verbose_name_plural = _("cycle snapshots")

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.refreshed_at:%Y-%m-%d %H:%M}"


class OrderFact(models.Model):
    """One live order of a cycle confirmed or later, summed from its lines."""

    cycle = models.ForeignKey("supply.OrderCycle", on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    delivery_date = models.DateField()
    # The delivery date's week (its Monday) and month (its first day), to group by.
    week_start = models.DateField()
    month_start = models.DateField()
    # Where the goods go: the grouped order's grocery, or the household's pickup grocery.
    grocery = models.ForeignKey("orders.Grocery", on_delete=models.CASCADE, related_name="+")
    commune = models.CharField(max_length=16)
    zone = models.ForeignKey(
        "logistics.Zone", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    household = models.ForeignKey(
        "orders.Household", on_delete=models.CASCADE, null=True, related_name="+"
    )
    funder = models.ForeignKey(
        "accounting.Funder", on_delete=models.CASCADE, null=True, related_name="+"
    )
    persons = models.PositiveSmallIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    monthly_cap = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    kg_asked = kilograms()
    kg_confirmed = kilograms()
    kg_delivered = kilograms()
    value_ht = euros()
    value_ttc = euros()
    local_ht = euros()
    organic_ht = euros()
    beneficiary_paid = euros()
    subsidy = euros()
    # The order's share of its cycle's rounds, pro rata to the kilograms delivered.
    distance_km = models.DecimalField(max_digits=12, decimal_places=3, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["delivery_date", "commune"], name="orderfact_date_commune"),
            models.Index(fields=["delivery_date", "zone"], name="orderfact_date_zone"),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id}"


class ProducerFact(models.Model):
    """What one producer supplied to one grocery in one cycle."""

    cycle = models.ForeignKey("supply.OrderCycle", on_delete=models.CASCADE, related_name="+")
    delivery_date = models.DateField()
    week_start = models.DateField()
    month_start = models.DateField()
    producer = models.ForeignKey("producers.Producer", on_delete=models.CASCADE, related_name="+")
    grocery = models.ForeignKey("orders.Grocery", on_delete=models.CASCADE, related_name="+")
    commune = models.CharField(max_length=16)
    zone = models.ForeignKey(
        "logistics.Zone", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    value_ttc = euros()
    kg_delivered = kilograms()

    class Meta:
        indexes = [
            models.Index(fields=["delivery_date", "commune"], name="producerfact_date_commune"),
        ]
        constraints = [
            models.UniqueConstraint(
                name="producer_fact_once", fields=["cycle", "producer", "grocery"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer_id} → {self.grocery_id} ({self.cycle_id})"


class HouseholdMonthFact(models.Model):
    """What one household spent in one calendar month against its cap, for cap usage."""

    household = models.ForeignKey("orders.Household", on_delete=models.CASCADE, related_name="+")
    month_start = models.DateField()
    commune = models.CharField(max_length=16)
    zone = models.ForeignKey(
        "logistics.Zone", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    spent = euros()
    cap = euros()

    class Meta:
        indexes = [
            models.Index(fields=["month_start", "commune"], name="householdmonth_month_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month_start:%Y-%m}"

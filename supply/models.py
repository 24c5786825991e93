from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from logistics.models import Hub

from .choices import AllocationRule, CycleStatus, PurchaseListStatus


class OrderCycle(models.Model):
    """One delivery date, many producers, many groceries."""

    name = models.CharField(_("name"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    confirm_by = models.DateTimeField(_("producers confirm by"))
    delivery_date = models.DateField(_("delivery date"))
    hub = models.ForeignKey(Hub, verbose_name=_("hub"), on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT
    )
    allocation_rule = models.CharField(
        _("shortage allocation rule"),
        max_length=16,
        choices=AllocationRule.choices,
        default=AllocationRule.PROPORTIONAL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order cycle")
        verbose_name_plural = _("order cycles")
        ordering = ["-delivery_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="cycle_opens_before_closes", condition=Q(opens_at__lt=F("closes_at"))
            ),
            models.CheckConstraint(
                name="cycle_closes_before_confirm", condition=Q(closes_at__lte=F("confirm_by"))
            ),
            models.CheckConstraint(
                name="cycle_status_valid", condition=Q(status__in=CycleStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CycleEvent(models.Model):
    """One row per status change: who, when, from, to."""

    cycle = models.ForeignKey(OrderCycle, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=CycleStatus.choices)
    to_status = models.CharField(max_length=16, choices=CycleStatus.choices)
    # The user who moved the cycle; None when the scheduler did.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("cycle event")
        verbose_name_plural = _("cycle events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                name="cycle_event_once_per_transition", fields=["cycle", "to_status"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.from_status} → {self.to_status}"


class PurchaseList(models.Model):
    """What the platform buys from one producer for one cycle."""

    cycle = models.ForeignKey(
        OrderCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="purchase_lists"
    )
    producer = models.ForeignKey(
        "producers.Producer",
        verbose_name=_("producer"),
        on_delete=models.PROTECT,
        related_name="purchase_lists",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PurchaseListStatus.choices,
        default=PurchaseListStatus.SENT,
    )
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Who typed the answer: the producer, or the coordinator for a producer who answered by
    # phone (`on_behalf`), so that the record says whose word it is.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    on_behalf = models.BooleanField(_("answer given by phone"), default=False)

    class Meta:
        verbose_name = _("purchase list")
        verbose_name_plural = _("purchase lists")
        ordering = ["cycle_id", "producer__organisation__name"]
        constraints = [
            models.UniqueConstraint(
                name="purchase_list_one_per_producer_and_cycle", fields=["cycle", "producer"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer} — {self.cycle}"


class PurchaseListLine(models.Model):
    """One offer of a purchase list: the sums of its order lines, kept beside each other."""

    purchase_list = models.ForeignKey(PurchaseList, on_delete=models.CASCADE, related_name="lines")
    offer = models.OneToOneField(
        "producers.Offer", on_delete=models.PROTECT, related_name="purchase_list_line"
    )
    # The product's name at close: a purchase order reads as it was sent, whatever the
    # producer renames in its catalogue afterwards.
    product_name = models.CharField(_("product"), max_length=200)
    ordered_quantity = models.DecimalField(max_digits=14, decimal_places=3)
    allocated_quantity = models.DecimalField(max_digits=14, decimal_places=3)
    # What the producer confirmed it will supply; null until it answers.
    confirmed_quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("purchase list line")
        verbose_name_plural = _("purchase list lines")
        ordering = ["purchase_list_id", "offer_id"]
        constraints = [
            models.CheckConstraint(
                name="purchase_line_allocated_within_ordered",
                condition=Q(
                    allocated_quantity__gte=0, allocated_quantity__lte=F("ordered_quantity")
                ),
            ),
            models.CheckConstraint(
                name="purchase_line_confirmed_within_allocated",
                condition=Q(confirmed_quantity__isnull=True)
                | Q(confirmed_quantity__gte=0, confirmed_quantity__lte=F("allocated_quantity")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.allocated_quantity}"

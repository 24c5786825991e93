from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from logistics.models import Hub

from .choices import AllocationRule, ContractStatus, CycleStatus, PurchaseListStatus, Weekday


class CycleSchedule(models.Model):
    """The weekly rhythm of one hub: which weekday it delivers, when ordering opens and
    closes and when producers confirm, relative to that day (DESIGN.md §10)."""

    name = models.CharField(_("name"), max_length=200)
    hub = models.ForeignKey(Hub, verbose_name=_("hub"), on_delete=models.PROTECT)
    delivery_weekday = models.PositiveSmallIntegerField(
        _("delivery weekday"), choices=Weekday.choices
    )
    opens_days_before = models.PositiveSmallIntegerField(_("opens, days before delivery"))
    opens_at_time = models.TimeField(_("opens at"))
    closes_days_before = models.PositiveSmallIntegerField(_("closes, days before delivery"))
    closes_at_time = models.TimeField(_("closes at"))
    confirm_days_before = models.PositiveSmallIntegerField(_("producers confirm, days before"))
    confirm_at_time = models.TimeField(_("producers confirm by"))
    weeks_ahead = models.PositiveSmallIntegerField(_("weeks ahead"), default=4)
    # ISO dates (YYYY-MM-DD) of the deliveries the coordinator leaves out.
    excluded_dates = models.JSONField(_("excluded dates"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cycle schedule")
        verbose_name_plural = _("cycle schedules")
        ordering = ["delivery_weekday", "name"]
        constraints = [
            models.UniqueConstraint(
                name="schedule_one_active_per_hub_and_weekday",
                fields=["hub", "delivery_weekday"],
                condition=Q(is_active=True),
            ),
            models.CheckConstraint(
                name="schedule_weekday_valid", condition=Q(delivery_weekday__lte=6)
            ),
            models.CheckConstraint(
                name="schedule_weeks_ahead_range",
                condition=Q(weeks_ahead__gte=1, weeks_ahead__lte=26),
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    # The schedule that made it, if any: a schedule makes one cycle per delivery date.
    schedule = models.ForeignKey(
        CycleSchedule,
        verbose_name=_("schedule"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
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
            # Two beat runs at once make each week's cycle once.
            models.UniqueConstraint(
                name="cycle_one_per_schedule_and_date",
                fields=["schedule", "delivery_date"],
                condition=Q(schedule__isnull=False),
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


class SeasonContract(models.Model):
    """A season's pre-purchase from one producer for one or more groceries (DESIGN.md §10):
    quantities per delivery at a price fixed for the season, served before any shortage."""

    producer = models.ForeignKey(
        "producers.Producer",
        verbose_name=_("producer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    name = models.CharField(_("name"), max_length=200)
    unit_price_ht = models.DecimalField(
        _("unit price excl. VAT (€)"), max_digits=9, decimal_places=2
    )
    first_delivery = models.DateField(_("first delivery"))
    last_delivery = models.DateField(_("last delivery"))
    # The share of the season's value paid in advance, by the programme and the groceries.
    prepayment_rate = models.DecimalField(
        _("prepayment share"), max_digits=4, decimal_places=3, default=0
    )
    programme = models.ForeignKey(
        "accounting.Funder",
        verbose_name=_("funding programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    # The part of the prepayment the programme pays; the groceries pay the rest.
    programme_share = models.DecimalField(
        _("programme's share of the prepayment"), max_digits=4, decimal_places=3, default=0
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    coordinator_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coordinator_signed_at = models.DateTimeField(null=True, blank=True)
    producer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    producer_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("season contract")
        verbose_name_plural = _("season contracts")
        ordering = ["-first_delivery", "id"]
        constraints = [
            models.CheckConstraint(
                name="contract_season_in_order",
                condition=Q(first_delivery__lte=F("last_delivery")),
            ),
            models.CheckConstraint(
                name="contract_price_not_negative", condition=Q(unit_price_ht__gte=0)
            ),
            models.CheckConstraint(
                name="contract_rates_range",
                condition=Q(
                    prepayment_rate__gte=0,
                    prepayment_rate__lte=1,
                    programme_share__gte=0,
                    programme_share__lte=1,
                ),
            ),
            models.CheckConstraint(
                name="contract_signed_by_both",
                condition=Q(status=ContractStatus.DRAFT)
                | Q(coordinator_signed_at__isnull=False, producer_signed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContractLine(models.Model):
    """What one grocery receives of one product at each delivery of the season."""

    contract = models.ForeignKey(SeasonContract, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "producers.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    grocery = models.ForeignKey(
        "orders.Grocery", verbose_name=_("grocery"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_per_delivery = models.DecimalField(
        _("quantity per delivery"), max_digits=12, decimal_places=3
    )

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["contract_id", "id"]
        constraints = [
            models.UniqueConstraint(
                name="contract_line_one_per_product_and_grocery",
                fields=["contract", "product", "grocery"],
            ),
            models.CheckConstraint(
                name="contract_line_quantity_positive", condition=Q(quantity_per_delivery__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.quantity_per_delivery} × {self.product_id}"


class ContractPrepayment(models.Model):
    """An amount owed in advance on a contract when it is signed: by its programme (a funder)
    or by one of its groceries. The payments that settle it come with the ledger's payments."""

    contract = models.ForeignKey(
        SeasonContract, on_delete=models.PROTECT, related_name="prepayments"
    )
    funder = models.ForeignKey(
        "accounting.Funder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grocery = models.ForeignKey(
        "orders.Grocery", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    owed_at = models.DateTimeField(_("owed since"))

    class Meta:
        verbose_name = _("contract prepayment")
        verbose_name_plural = _("contract prepayments")
        ordering = ["contract_id", "id"]
        constraints = [
            models.CheckConstraint(
                name="prepayment_by_funder_xor_grocery",
                condition=Q(funder__isnull=False, grocery__isnull=True)
                | Q(funder__isnull=True, grocery__isnull=False),
            ),
            models.CheckConstraint(name="prepayment_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(
                name="prepayment_once_per_funder",
                fields=["contract", "funder"],
                condition=Q(funder__isnull=False),
            ),
            models.UniqueConstraint(
                name="prepayment_once_per_grocery",
                fields=["contract", "grocery"],
                condition=Q(grocery__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.amount}"


class ContractShortfall(models.Model):
    """A delivery of a contract line that came short: recorded at the cycle's confirmation
    (and again at reception), against the contract."""

    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="shortfalls")
    cycle = models.ForeignKey(OrderCycle, on_delete=models.PROTECT, related_name="+")
    asked = models.DecimalField(max_digits=12, decimal_places=3)
    delivered = models.DecimalField(max_digits=12, decimal_places=3)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("contract shortfall")
        verbose_name_plural = _("contract shortfalls")
        ordering = ["cycle__delivery_date", "line_id"]
        constraints = [
            models.UniqueConstraint(
                name="shortfall_once_per_line_and_cycle", fields=["line", "cycle"]
            ),
            models.CheckConstraint(
                name="shortfall_below_asked",
                condition=Q(delivered__gte=0, delivered__lt=F("asked")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}@{self.cycle_id}: {self.delivered}/{self.asked}"

    @property
    def short(self):
        return self.asked - self.delivered

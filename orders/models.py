import calendar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Abs, Coalesce
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from core.formats import format_datetime
from core.models import PHONE_VALIDATORS, AppendOnly, Organisation, OrganisationProfile
from logistics.models import Zone, coordinates_constraints

from .choices import AccessAction, OrderPayment, OrderStatus
from .quantities import live_lines, live_orders


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of `day`'s calendar month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def destination_grocery_id() -> Coalesce:
    """The grocery a line goes to: the grouped order's, else the household's pickup grocery."""
    return Coalesce("order__grocery_id", "order__household__pickup_grocery_id")


class OrderQuerySet(models.QuerySet):
    def live(self) -> "OrderQuerySet":
        """Orders that count (orders.quantities)."""
        return self.filter(live_orders())

    def delivered_in_month_of(self, day: date) -> "OrderQuerySet":
        first, last = month_bounds(day)
        return self.filter(cycle__delivery_date__gte=first, cycle__delivery_date__lte=last)


class OrderLineQuerySet(models.QuerySet):
    def live(self) -> "OrderLineQuerySet":
        """Lines of orders that count (orders.quantities)."""
        return self.filter(live_lines())


def cents_equal(left, right) -> LessThan:
    """`left == right` to the cent, for CHECK constraints.

    PostgreSQL compares numerics exactly; SQLite stores decimals as floating point, where
    0.63 + 5.70 is not 6.33. Half a cent of tolerance makes the rule hold on both.
    """
    money: models.DecimalField = models.DecimalField(max_digits=14, decimal_places=4)
    return LessThan(Abs(ExpressionWrapper(left - right, output_field=money)), Decimal("0.005"))


class SocialService(OrganisationProfile):
    """A CCAS: enrols the households of its commune."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="social_service",
    )
    # Default monthly cap of a household, in market value incl. VAT (DESIGN.md §3).
    cap_one_person = models.DecimalField(
        _("monthly cap, one person (€)"), max_digits=7, decimal_places=2, default=Decimal("20")
    )
    cap_two_persons = models.DecimalField(
        _("monthly cap, two persons (€)"), max_digits=7, decimal_places=2, default=Decimal("30")
    )
    cap_per_extra_person = models.DecimalField(
        _("monthly cap, per extra person (€)"), max_digits=7, decimal_places=2, default=Decimal("5")
    )
    cap_maximum = models.DecimalField(
        _("monthly cap, maximum (€)"), max_digits=7, decimal_places=2, default=Decimal("50")
    )
    # Days a household waits after its period ends before it can be renewed (0: none).
    renewal_waiting_days = models.PositiveIntegerField(
        _("waiting period before renewal (days)"), default=0
    )

    class Meta:
        verbose_name = _("social service (CCAS)")
        verbose_name_plural = _("social services (CCAS)")
        ordering = ["organisation__name"]


class Grocery(OrganisationProfile):
    """A solidarity grocery: places grouped orders, receives deliveries, hands out orders."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="grocery",
    )
    # Printed on its invoices (the buyer's identity, French invoicing rules).
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Printed on route sheets: whom the driver calls on the way.
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=PHONE_VALIDATORS)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    # Deliveries arrive within these hours on the delivery date.
    opens_at_time = models.TimeField(_("opens at"))
    closes_at_time = models.TimeField(_("closes at"))
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("grocery")
        verbose_name_plural = _("groceries")
        ordering = ["organisation__name"]
        constraints = [
            *coordinates_constraints("grocery"),
            models.CheckConstraint(
                name="grocery_opens_before_closes",
                condition=Q(opens_at_time__lt=F("closes_at_time")),
            ),
            models.CheckConstraint(
                name="grocery_siret_digits",
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
            ),
        ]


class TariffTier(models.Model):
    """A tier of the social tariff, set by the coordinator for the whole platform."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("label"), max_length=100)
    # Share of the market price the household pays (0.10 = 10 %).
    beneficiary_rate = models.DecimalField(_("beneficiary rate"), max_digits=4, decimal_places=3)
    # Highest reste-à-vivre (€ per person per day) that suggests this tier; null: no bound.
    max_reste_a_vivre = models.DecimalField(
        _("max reste à vivre (€/person/day)"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("tariff tier")
        verbose_name_plural = _("tariff tiers")
        ordering = ["beneficiary_rate", "code"]
        constraints = [
            models.CheckConstraint(
                name="tier_rate_range",
                condition=Q(beneficiary_rate__gte=0, beneficiary_rate__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Household(models.Model):
    """A household referred by a CCAS. Only the decision is kept, never the evidence."""

    social_service = models.ForeignKey(
        SocialService, verbose_name=_("CCAS"), on_delete=models.PROTECT, related_name="households"
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    adults = models.PositiveSmallIntegerField(_("adults"))
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    tier = models.ForeignKey(TariffTier, verbose_name=_("tier"), on_delete=models.PROTECT)
    monthly_cap = models.DecimalField(_("monthly cap (€)"), max_digits=7, decimal_places=2)
    pickup_grocery = models.ForeignKey(
        Grocery,
        verbose_name=_("pickup grocery"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    funder = models.ForeignKey(
        "accounting.Funder",
        verbose_name=_("funder"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    consent_at = models.DateTimeField(_("consent given at"))
    # A CCAS decision outside the default thresholds must say why.
    eligibility_reason = models.CharField(_("reason for the decision"), max_length=500, blank=True)
    # CCAS-only fields: every read is logged.
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    # Set by the retention pass: contact fields and the reason were erased (figures stay).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                name="household_valid_period", condition=Q(valid_from__lt=F("valid_until"))
            ),
            models.CheckConstraint(name="household_has_an_adult", condition=Q(adults__gte=1)),
            models.CheckConstraint(name="household_cap_positive", condition=Q(monthly_cap__gt=0)),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def persons(self) -> int:
        return self.adults + self.children


class HouseholdFunder(models.Model):
    """One of the funders that share a household's subsidy (orders.funding). Shares add up
    to 1, checked by the service that writes them all at once."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="funders")
    funder = models.ForeignKey(
        "accounting.Funder", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="+"
    )
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("household co-funder")
        verbose_name_plural = _("household co-funders")
        ordering = ["household_id", "-share", "funder_id"]
        constraints = [
            models.UniqueConstraint(name="household_funder_once", fields=["household", "funder"]),
            models.CheckConstraint(
                name="household_funder_share_within_0_1",
                condition=Q(share__gt=0, share__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder_id}: {self.share}"


class HouseholdReferenceCounter(models.Model):
    """Last sequence number used per CCAS and year (HEL-2026-0042)."""

    social_service = models.ForeignKey(SocialService, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                name="reference_counter_unique", fields=["social_service", "year"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.social_service_id}/{self.year}: {self.last_number}"


class HouseholdAccessLog(AppendOnly):
    """Who saw or changed a household's CCAS-only data, and when."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(max_length=8, choices=AccessAction.choices)
    accessed_at = models.DateTimeField(db_index=True)
    # Why, for a suspension (null elsewhere: a nullable column is added without rebuilding the
    # append-only table, whose triggers would go with it on SQLite).
    reason = models.TextField(_("reason"), null=True, blank=True)

    class Meta:
        verbose_name = _("household access log entry")
        verbose_name_plural = _("household access log")
        ordering = ["-accessed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.household_id} {self.accessed_at:%Y-%m-%d %H:%M}"


class Order(models.Model):
    """A grocery's grouped order, or a household's order, for one cycle."""

    cycle = models.ForeignKey(
        "supply.OrderCycle",
        verbose_name=_("cycle"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    grocery = models.ForeignKey(
        Grocery,
        verbose_name=_("grocery"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    # The envelope that carries this order's subsidy commitment (household orders only).
    envelope = models.ForeignKey(
        "accounting.Envelope",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    # The funder programme subsidising a grouped order's eligible lines (DESIGN.md §12); its
    # envelope is then the order's envelope.
    programme = models.ForeignKey(
        "accounting.FunderProgramme",
        verbose_name=_("funder programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    # Set on the order that carries a season contract's lines for its grocery (DESIGN.md
    # §10): placed when the cycle opens, at the contract's price, served before any shortage.
    contract = models.ForeignKey(
        "supply.SeasonContract",
        verbose_name=_("season contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    # A household order paid by a caisse alimentaire (DESIGN.md §14): the member whose
    # credit pays the whole price; the social tariff's split does not apply.
    payment = models.CharField(
        _("payment"), max_length=8, choices=OrderPayment.choices, default=OrderPayment.TARIFF
    )
    ssa_member = models.ForeignKey(
        "ssa.Member",
        verbose_name=_("caisse member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(_("updated at"))
    total_ht = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total_ttc = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    beneficiary_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    subsidy_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    objects = OrderQuerySet.as_manager()
    # The lines a write service just created, so that its answer needs no query to read them.
    line_list: list["OrderLine"]
    # Offers of those lines whose total demand now passes what was offered (same service).
    shortage_warnings: list[dict]
    # Its co-funders' shares (orders.funding), as written or prefetched.
    funding_list: list

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="order_for_grocery_xor_household",
                condition=Q(grocery__isnull=False, household__isnull=True)
                | Q(grocery__isnull=True, household__isnull=False),
            ),
            models.UniqueConstraint(
                name="order_one_grouped_per_grocery_and_cycle",
                fields=["cycle", "grocery"],
                condition=Q(grocery__isnull=False, contract__isnull=True) & ~Q(status="cancelled"),
            ),
            models.UniqueConstraint(
                name="order_one_per_contract_grocery_and_cycle",
                fields=["cycle", "grocery", "contract"],
                condition=Q(contract__isnull=False),
            ),
            models.CheckConstraint(
                name="order_contract_is_grouped",
                condition=Q(contract__isnull=True) | Q(grocery__isnull=False),
            ),
            models.UniqueConstraint(
                name="order_one_per_household_and_cycle",
                fields=["cycle", "household"],
                condition=Q(household__isnull=False) & ~Q(status="cancelled"),
            ),
            models.CheckConstraint(
                name="order_split_adds_up",
                condition=Q(household__isnull=True)
                | Q(payment="ssa")
                | Q(cents_equal(F("total_ttc"), F("beneficiary_total") + F("subsidy_total"))),
            ),
            models.CheckConstraint(
                name="order_payment_valid", condition=Q(payment__in=OrderPayment.values)
            ),
            models.CheckConstraint(
                name="order_ssa_by_a_member",
                condition=Q(payment="tariff", ssa_member__isnull=True)
                | Q(payment="ssa", ssa_member__isnull=False, household__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    offer = models.ForeignKey("producers.Offer", on_delete=models.PROTECT, related_name="lines")
    # What was asked; the later quantities sit beside it, never over it (DESIGN.md §4.6).
    # allocated_quantity stays null when the line is served in full: close writes only the
    # lines it reduces (see supply.consolidation).
    quantity = models.DecimalField(_("quantity asked"), max_digits=12, decimal_places=3)
    allocated_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    confirmed_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    received_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    # Frozen at submission: the offer's price, the product's VAT rate, the tier's rate.
    unit_price_ht = models.DecimalField(max_digits=9, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tier_rate = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    line_ht = models.DecimalField(max_digits=12, decimal_places=2)
    line_vat = models.DecimalField(max_digits=12, decimal_places=2)
    line_ttc = models.DecimalField(max_digits=12, decimal_places=2)
    beneficiary_share = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    subsidy = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    objects = OrderLineQuerySet.as_manager()
    # The line's subsidy per funder, as the API shows it (set by its OrderSerializer).
    subsidies: list[dict]

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(name="order_line_one_per_offer", fields=["order", "offer"]),
            models.CheckConstraint(
                name="order_line_quantity_positive", condition=Q(quantity__gt=0)
            ),
            models.CheckConstraint(
                name="order_line_allocated_within_asked",
                condition=Q(allocated_quantity__isnull=True)
                | Q(allocated_quantity__gte=0, allocated_quantity__lte=F("quantity")),
            ),
            models.CheckConstraint(
                name="order_line_confirmed_within_allocated",
                condition=Q(confirmed_quantity__isnull=True)
                | Q(
                    confirmed_quantity__gte=0,
                    confirmed_quantity__lte=Coalesce(F("allocated_quantity"), F("quantity")),
                ),
            ),
            models.CheckConstraint(
                name="order_line_ttc_is_ht_plus_vat",
                condition=Q(cents_equal(F("line_ttc"), F("line_ht") + F("line_vat"))),
            ),
            models.CheckConstraint(
                name="order_line_split_adds_up",
                condition=Q(tier_rate__isnull=True)
                | Q(cents_equal(F("line_ttc"), F("beneficiary_share") + F("subsidy"))),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × offer {self.offer_id}"


class OrderFunding(models.Model):
    """The shares a co-funded household's order was placed with, each with the envelope of
    its funder that covers the delivery (orders.funding). Written with the order, never
    changed: a new rule applies to the next orders."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fundings")
    funder = models.ForeignKey("accounting.Funder", on_delete=models.PROTECT, related_name="+")
    envelope = models.ForeignKey(
        "accounting.Envelope", on_delete=models.PROTECT, related_name="order_fundings"
    )
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("order co-funding")
        verbose_name_plural = _("order co-fundings")
        ordering = ["order_id", "funder_id"]
        constraints = [
            models.UniqueConstraint(name="order_funding_once", fields=["order", "funder"]),
            models.CheckConstraint(
                name="order_funding_share_within_0_1", condition=Q(share__gt=0, share__lte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.funder_id}: {self.share}"


def offer_demand_subquery(excluding_order_id: int | None = None) -> Subquery:
    """What the live orders ask of the offer OuterRef("pk"), to annotate a page of offers
    with (for a whole cycle at close: supply.consolidation.offer_demand).

    Cancelled orders are left out with NOT EXISTS (one index probe per line), not with
    OrderLine.objects.live(): its join, or an EXISTS on live orders, made PostgreSQL scan every
    order once per offer (4.4 against 9.8 ms for a page of 50 offers on 1 000 orders)."""
    cancelled = Order.objects.filter(pk=OuterRef("order_id"), status=OrderStatus.CANCELLED)
    lines = OrderLine.objects.filter(offer=OuterRef("pk"))
    if excluding_order_id is not None:
        lines = lines.exclude(order_id=excluding_order_id)
    return Subquery(
        lines.exclude(Exists(cancelled))
        .values("offer")
        .annotate(total=Sum("quantity"))
        .values("total")
    )


class Reception(models.Model):
    """What a grocery recorded as received for a cycle. Each recording is kept: a correction
    is a new reception, and the line shows the latest."""

    grocery = models.ForeignKey(Grocery, on_delete=models.PROTECT, related_name="receptions")
    cycle = models.ForeignKey("supply.OrderCycle", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.grocery} {format_datetime(self.recorded_at)}"


class ReceptionLine(models.Model):
    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="lines")
    # The database's foreign key refuses to delete a line that was received (constraint
    # checked at commit). DO_NOTHING, not PROTECT: an order of an open cycle (never received)
    # then replaces its lines with one DELETE instead of reading them and their receptions.
    order_line = models.ForeignKey(OrderLine, on_delete=models.DO_NOTHING, related_name="+")
    received_quantity = models.DecimalField(max_digits=12, decimal_places=3)
    # Why what arrived differs from what was confirmed (damaged, missing, …), when said.
    reason = models.CharField(_("reason for the difference"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="reception_quantity_not_negative", condition=Q(received_quantity__gte=0)
            ),
            models.UniqueConstraint(name="reception_line_once", fields=["reception", "order_line"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.received_quantity}"


class StandingOrder(models.Model):
    """A grouped order (or a household's order) placed by itself in each cycle that opens
    (DESIGN.md §10), by the same rules as one typed by a volunteer."""

    grocery = models.ForeignKey(
        Grocery, verbose_name=_("grocery"), on_delete=models.PROTECT, related_name="standing_orders"
    )
    # A household's standing order is kept by its pickup grocery's volunteers.
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standing_orders",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("standing order")
        verbose_name_plural = _("standing orders")
        ordering = ["grocery_id", "id"]
        constraints = [
            models.UniqueConstraint(
                name="standing_order_one_grouped_per_grocery",
                fields=["grocery"],
                condition=Q(household__isnull=True, is_active=True),
            ),
            models.UniqueConstraint(
                name="standing_order_one_per_household",
                fields=["household"],
                condition=Q(household__isnull=False, is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class StandingOrderLine(models.Model):
    standing_order = models.ForeignKey(
        StandingOrder, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "producers.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["standing_order_id", "id"]
        constraints = [
            models.UniqueConstraint(
                name="standing_line_one_per_product", fields=["standing_order", "product"]
            ),
            models.CheckConstraint(
                name="standing_line_quantity_positive", condition=Q(quantity__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class StandingOrderRun(models.Model):
    """What became of a standing order in one cycle: placed, or why not (shown to its
    grocery). One row per cycle: opening a cycle again places nothing twice."""

    PLACED, REFUSED, SKIPPED = "placed", "refused", "skipped"

    standing_order = models.ForeignKey(StandingOrder, on_delete=models.CASCADE, related_name="runs")
    cycle = models.ForeignKey("supply.OrderCycle", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True)
    outcome = models.CharField(
        max_length=16,
        choices=[
            (PLACED, _("Placed")),
            (REFUSED, _("Not placed")),
            (SKIPPED, _("Already ordered")),
        ],
    )
    message = models.TextField(blank=True)
    ran_at = models.DateTimeField()

    class Meta:
        ordering = ["-ran_at", "id"]
        constraints = [
            models.UniqueConstraint(
                name="standing_run_once_per_cycle", fields=["standing_order", "cycle"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standing_order_id}@{self.cycle_id}: {self.outcome}"

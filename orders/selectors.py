from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounting.selectors import envelope_list
from core.access import Actor
from core.choices import Role
from producers.models import Offer
from producers.selectors import offer_list
from supply.choices import TAKES_ORDERS, TAKES_RECEPTIONS
from supply.models import OrderCycle

from . import pricing
from .choices import HouseholdStatus, OrderPayment
from .models import (
    Grocery,
    Household,
    HouseholdAccessLog,
    Order,
    OrderLine,
    SocialService,
    StandingOrder,
    StandingOrderRun,
    destination_grocery_id,
)
from .quantities import served_quantity


def grocery_list(*, actor: Actor) -> QuerySet[Grocery]:
    groceries = Grocery.objects.select_related("zone").order_by("organisation__name", "id")
    if actor.role in (Role.COORDINATOR, Role.CCAS_STAFF, Role.OFFICIAL):
        # Groceries are public places: CCAS staff choose pickup groceries, officials map them.
        return groceries
    if actor.role == Role.GROCERY_VOLUNTEER:
        return groceries.filter(organisation_id=actor.organisation_id)
    return groceries.none()


def social_service_list(*, actor: Actor) -> QuerySet[SocialService]:
    services = SocialService.objects.order_by("organisation__name", "id")
    if actor.role == Role.COORDINATOR:
        return services
    if actor.role == Role.CCAS_STAFF:
        return services.filter(organisation_id=actor.organisation_id)
    return services.none()


def household_list(*, actor: Actor, today: date) -> QuerySet[Household]:
    """Households in the caller's scope, with status and this month's spending annotated.

    The staff of a CCAS see its households; a volunteer sees those who pick up at their
    grocery. Nobody else sees any.
    """
    spent = (
        Order.objects.live()
        .delivered_in_month_of(today)
        .filter(household=OuterRef("pk"), payment=OrderPayment.TARIFF)  # a caisse's: no cap
        .values("household")
        .annotate(total=Sum("total_ttc"))
        .values("total")
    )
    money: DecimalField = DecimalField(max_digits=12, decimal_places=2)
    households = (
        Household.objects.select_related("tier")
        .prefetch_related("funders")
        .annotate(
            status=Case(
                When(suspended_at__isnull=False, then=Value(HouseholdStatus.SUSPENDED)),
                When(valid_from__gt=today, then=Value(HouseholdStatus.PENDING)),
                When(valid_until__gte=today, then=Value(HouseholdStatus.ACTIVE)),
                default=Value(HouseholdStatus.EXPIRED),
                output_field=CharField(),
            ),
            month_spent=Coalesce(Subquery(spent, output_field=money), Value(Decimal("0.00"))),
        )
        .annotate(
            month_remaining=Greatest(
                F("monthly_cap") - F("month_spent"), Value(Decimal("0.00")), output_field=money
            )
        )
        .order_by("reference")
    )
    return households.filter(_household_scope(actor))


def household_scope(*, actor: Actor) -> QuerySet[Household]:
    """The households of household_list, without its annotations (to lock one of them)."""
    return Household.objects.filter(_household_scope(actor))


def _household_scope(actor: Actor) -> Q:
    if actor.role == Role.CCAS_STAFF:
        return Q(social_service__organisation_id=actor.organisation_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        return Q(pickup_grocery__organisation_id=actor.organisation_id)
    return Q(pk__in=[])


def active_first() -> Case:
    """An ordering for lists of households (annotated by household_list): those who can
    order first, expired ones last."""
    return Case(
        When(status=HouseholdStatus.ACTIVE, then=Value(0)),
        When(status=HouseholdStatus.PENDING, then=Value(1)),
        When(status=HouseholdStatus.SUSPENDED, then=Value(2)),
        default=Value(3),
    )


def household_access_log_list(*, actor: Actor) -> QuerySet[HouseholdAccessLog]:
    log = HouseholdAccessLog.objects.select_related("household", "user")
    if actor.role == Role.CCAS_STAFF:
        return log.filter(household__social_service__organisation_id=actor.organisation_id)
    return log.none()


def _orders_with_lines() -> QuerySet[Order]:
    """Orders with their lines in `line_list` (the name the write services give the lines
    they wrote, so that an answer needs no read back)."""
    lines = OrderLine.objects.select_related("offer__product").order_by("id")
    return Order.objects.select_related("household", "programme").prefetch_related(
        Prefetch("lines", queryset=lines, to_attr="line_list"),
        Prefetch("fundings", to_attr="funding_list"),
    )


def order_written(*, order_id: int) -> Order:
    """An order the caller has just written, read back for the answer: its scope was checked
    on the way in, so this read skips the scope's joins."""
    return _orders_with_lines().get(pk=order_id)


def order_list(*, actor: Actor) -> QuerySet[Order]:
    orders = _orders_with_lines().order_by("-submitted_at", "-id")
    if actor.role == Role.COORDINATOR:
        return orders
    if actor.role == Role.GROCERY_VOLUNTEER:
        return orders.filter(
            Q(grocery__organisation_id=actor.organisation_id)
            | Q(household__pickup_grocery__organisation_id=actor.organisation_id)
        )
    return orders.none()


def destination_lines(*, grocery_id: int, cycle_id: int) -> QuerySet[OrderLine]:
    """The live lines of a cycle that go to a grocery (grouped order and its households),
    with what each was served."""
    return (
        OrderLine.objects.live()
        .filter(order__cycle_id=cycle_id)
        .annotate(destination=destination_grocery_id(), served=served_quantity())
        .filter(destination=grocery_id)
        .select_related("offer__product__producer__organisation", "order__household")
        .order_by(
            "offer__product__producer__organisation__name", "offer__product__name", "order_id", "id"
        )
    )


def home_for_volunteer(*, actor: Actor, now: datetime) -> dict:
    """Open cycles to order in (with the grocery's order if any) and deliveries to record."""
    grocery = grocery_list(actor=actor).first()
    cycles = list(
        OrderCycle.objects.filter(status__in=TAKES_ORDERS | TAKES_RECEPTIONS).order_by(
            "delivery_date", "id"
        )
    )
    orders = {
        order.cycle_id: order
        for order in Order.objects.live().filter(
            grocery=grocery, contract__isnull=True, cycle__in=cycles
        )
    }
    household_orders = dict(
        Order.objects.live()
        .filter(household__pickup_grocery=grocery, cycle__in=cycles)
        .values("cycle_id")
        .annotate(count=Count("id"))
        .values_list("cycle_id", "count")
    )
    # Standing orders (the grocery's and its households') that could not be placed.
    refused = {
        run.cycle_id: run
        for run in StandingOrderRun.objects.filter(
            cycle__in=cycles,
            standing_order__grocery=grocery,
            outcome=StandingOrderRun.REFUSED,
        ).order_by("ran_at")
    }
    for cycle in cycles:
        cycle.grocery_order = orders.get(cycle.id)
        cycle.household_order_count = household_orders.get(cycle.id, 0)
        cycle.standing_refused = refused.get(cycle.id)
    return {
        "grocery": grocery,
        "open_cycles": [cycle for cycle in cycles if cycle.status in TAKES_ORDERS],
        "receivable_cycles": [cycle for cycle in cycles if cycle.status in TAKES_RECEPTIONS],
    }


# A decision ending within this many days is shown to its CCAS as one to renew.
EXPIRY_WARNING_DAYS = 30


def households_expiring(*, actor: Actor, today: date) -> QuerySet[Household]:
    return (
        household_list(actor=actor, today=today)
        .filter(
            suspended_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .order_by("valid_until", "reference")
    )


def home_for_ccas(*, actor: Actor, now: datetime) -> dict:
    """Decisions ending within 30 days or ended in the last 30, and the envelopes in force."""
    today = timezone.localdate(now)
    households = household_list(actor=actor, today=today)
    recently_expired = households.filter(
        suspended_at__isnull=True,
        valid_until__lt=today,
        valid_until__gte=today - timedelta(days=EXPIRY_WARNING_DAYS),
    ).order_by("-valid_until", "reference")
    envelopes = (
        envelope_list(actor=actor)
        .filter(period_start__lte=today, period_end__gte=today)
        .select_related("funder")
    )
    return {
        "today": today,
        "household_count": households.count(),
        "expiring": households_expiring(actor=actor, today=today),
        "recently_expired": recently_expired,
        "envelopes": envelopes,
        "warning_days": EXPIRY_WARNING_DAYS,
    }


def offers_to_order(*, actor: Actor, cycle: OrderCycle) -> list[Offer]:
    """The cycle's offers of active products, each with what remains to order and its unit
    price incl. VAT, for the order screens."""
    offers = list(offer_list(actor=actor).filter(cycle=cycle, product__is_active=True))
    for offer in offers:
        offer.remaining = offer.quantity_available - offer.quantity_ordered
        offer.unit_price_ttc = pricing.unit_price_ttc(
            unit_price_ht=offer.unit_price_ht, vat_rate=offer.product.vat_rate
        )
    return offers


def standing_order_list(*, actor: Actor) -> QuerySet[StandingOrder]:
    """Standing orders of the volunteer's grocery (its own and its households'), with their
    latest runs; the coordinator sees them all."""
    standing = StandingOrder.objects.select_related("household").prefetch_related(
        "lines__product",
        Prefetch("runs", queryset=StandingOrderRun.objects.order_by("-ran_at", "-id")),
    )
    if actor.role == Role.COORDINATOR:
        return standing.order_by("grocery_id", "id")
    if actor.role == Role.GROCERY_VOLUNTEER:
        return standing.filter(grocery__organisation_id=actor.organisation_id).order_by("id")
    return standing.none()

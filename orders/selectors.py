from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
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

from core.access import Actor
from core.choices import Role

from .choices import HouseholdStatus
from .models import Grocery, Household, HouseholdAccessLog, Order, OrderLine, SocialService


def grocery_list(*, actor: Actor) -> QuerySet[Grocery]:
    groceries = Grocery.objects.select_related("zone").order_by("name", "id")
    if actor.role in (Role.COORDINATOR, Role.CCAS_STAFF, Role.OFFICIAL):
        # Groceries are public places: CCAS staff choose pickup groceries, officials map them.
        return groceries
    if actor.role == Role.GROCERY_VOLUNTEER:
        return groceries.filter(organisation_id=actor.organisation_id)
    return groceries.none()


def social_service_list(*, actor: Actor) -> QuerySet[SocialService]:
    services = SocialService.objects.order_by("name", "id")
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
        .filter(household=OuterRef("pk"))
        .values("household")
        .annotate(total=Sum("total_ttc"))
        .values("total")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    households = (
        Household.objects.select_related("tier")
        .annotate(
            status=Case(
                When(suspended_at__isnull=False, then=Value(HouseholdStatus.SUSPENDED)),
                When(
                    valid_from__lte=today,
                    valid_until__gte=today,
                    then=Value(HouseholdStatus.ACTIVE),
                ),
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
    if actor.role == Role.CCAS_STAFF:
        return households.filter(social_service__organisation_id=actor.organisation_id)
    if actor.role == Role.GROCERY_VOLUNTEER:
        return households.filter(pickup_grocery__organisation_id=actor.organisation_id)
    return households.none()


def household_access_log_list(*, actor: Actor) -> QuerySet[HouseholdAccessLog]:
    log = HouseholdAccessLog.objects.select_related("household", "user")
    if actor.role == Role.CCAS_STAFF:
        return log.filter(household__social_service__organisation_id=actor.organisation_id)
    return log.none()


def order_list(*, actor: Actor) -> QuerySet[Order]:
    orders = (
        Order.objects.select_related("household")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("offer__product").order_by("id"),
            )
        )
        .order_by("-submitted_at", "-id")
    )
    if actor.role == Role.COORDINATOR:
        return orders
    if actor.role == Role.GROCERY_VOLUNTEER:
        return orders.filter(
            Q(grocery__organisation_id=actor.organisation_id)
            | Q(household__pickup_grocery__organisation_id=actor.organisation_id)
        )
    return orders.none()

"""The CCAS module: enrolment, renewal, status, the reste-à-vivre suggestion, tariff tiers."""

import calendar
import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounting.models import Funder
from core.errors import InvalidInput, StateConflict
from core.formats import format_date, format_quantity
from core.models import User
from supply.models import OrderCycle

from . import locks, pricing
from .choices import AccessAction, HouseholdStatus, OrderPayment
from .models import (
    Grocery,
    Household,
    HouseholdAccessLog,
    HouseholdFunder,
    HouseholdReferenceCounter,
    Order,
    SocialService,
    TariffTier,
)

COMMUNE_PREFIX = {"Lille": "LIL", "Lomme": "LOM", "Hellemmes": "HEL"}
MIN_VALIDITY_MONTHS, MAX_VALIDITY_MONTHS = 3, 6


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def household_status(household: Household, on: date) -> str:
    if household.suspended_at is not None:
        return HouseholdStatus.SUSPENDED
    if on < household.valid_from:
        return HouseholdStatus.PENDING
    if on <= household.valid_until:
        return HouseholdStatus.ACTIVE
    return HouseholdStatus.EXPIRED


def household_month_orders(
    *, household_id: int, cycle: OrderCycle, excluding_order_id: int | None = None
) -> tuple[Decimal, bool]:
    """What the household's orders delivered in the month of `cycle` cost (market value
    incl. VAT), and whether one of them is of `cycle` itself: one query. Read under the
    household's lock."""
    orders = Order.objects.live().delivered_in_month_of(cycle.delivery_date)
    orders = orders.filter(household_id=household_id)
    if excluding_order_id is not None:
        orders = orders.exclude(pk=excluding_order_id)
    found = orders.aggregate(
        # Orders a caisse alimentaire paid are not the social tariff's: outside the cap.
        total=Sum("total_ttc", filter=Q(payment=OrderPayment.TARIFF)),
        in_cycle=Count("id", filter=Q(cycle_id=cycle.pk)),
    )
    return found["total"] or Decimal("0.00"), bool(found["in_cycle"])


def _check_validity(*, valid_from: date, valid_until: date, field: str = "valid_until") -> None:
    shortest = add_months(valid_from, MIN_VALIDITY_MONTHS) - timedelta(days=1)
    longest = add_months(valid_from, MAX_VALIDITY_MONTHS)
    if not shortest <= valid_until <= longest:
        message = _(
            "A decision is valid for 3 to 6 months: from %(start)s, until "
            "%(shortest)s at the earliest and %(longest)s at the latest."
        ) % {
            "start": format_date(valid_from),
            "shortest": format_date(shortest),
            "longest": format_date(longest),
        }
        raise InvalidInput(message, fields={field: [message]})


def funders_usable_by(social_service: SocialService) -> QuerySet[Funder]:
    """A CCAS may charge its own funder or a platform-wide one (city, metropole, …)."""
    return Funder.objects.filter(Q(social_service=social_service) | Q(social_service__isnull=True))


def _next_reference(social_service: SocialService, year: int) -> str:
    counter = locks.reference_counter_lock(social_service=social_service, year=year)
    HouseholdReferenceCounter.objects.filter(pk=counter.pk).update(
        last_number=counter.last_number + 1
    )
    prefix = COMMUNE_PREFIX.get(social_service.commune, "CCAS")
    return f"{prefix}-{year}-{counter.last_number + 1:04d}"


def access_log(
    *, household: Household, user: User, action: str, at: datetime, reason: str | None = None
) -> None:
    HouseholdAccessLog.objects.create(
        household=household, user=user, action=action, accessed_at=at, reason=reason
    )


@transaction.atomic
def household_enrol(
    *,
    social_service: SocialService,
    user: User,
    now: datetime,
    adults: int,
    children: int,
    valid_from: date,
    valid_until: date,
    tier: TariffTier,
    pickup_grocery: Grocery,
    consent_at: datetime,
    funder: Funder | None = None,
    funders: list[dict] | None = None,
    monthly_cap: Decimal | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    eligibility_reason: str = "",
    suggested_tier: str | None = None,
) -> Household:
    """Enrol a household on its CCAS's decision. `suggested_tier` is what the reste-à-vivre
    calculator suggested (NOT_ELIGIBLE above the thresholds; None when it was not used): a
    decision that departs from it, or a cap above the default, needs its reason."""
    _check_validity(valid_from=valid_from, valid_until=valid_until)
    if consent_at > now:
        message = _("Consent cannot be dated in the future.")
        raise InvalidInput(message, fields={"consent_at": [message]})
    shares = _funder_shares(social_service=social_service, funder=funder, funders=funders)
    default_cap = pricing.default_monthly_cap(
        persons=adults + children, social_service=social_service
    )
    departs = (suggested_tier is not None and suggested_tier != tier.code) or (
        monthly_cap is not None and monthly_cap > default_cap
    )
    if departs and not eligibility_reason.strip():
        message = _(
            "This decision departs from the rules (another tier than the suggested one, a "
            "household above the thresholds or a cap above the default): say why."
        )
        raise InvalidInput(message, fields={"eligibility_reason": [message]})
    if monthly_cap is None:
        monthly_cap = default_cap
    household = Household.objects.create(
        social_service=social_service,
        reference=_next_reference(social_service, valid_from.year),
        adults=adults,
        children=children,
        valid_from=valid_from,
        valid_until=valid_until,
        tier=tier,
        monthly_cap=monthly_cap,
        pickup_grocery=pickup_grocery,
        funder=shares[0][0],  # the funder of the largest share
        consent_at=consent_at,
        contact_name=contact_name,
        contact_phone=contact_phone,
        eligibility_reason=eligibility_reason,
    )
    if len(shares) > 1:
        HouseholdFunder.objects.bulk_create(
            HouseholdFunder(household=household, funder=each, share=share) for each, share in shares
        )
    access_log(household=household, user=user, action=AccessAction.CREATE, at=now)
    return household


def _funder_shares(
    *, social_service: SocialService, funder: Funder | None, funders: list[dict] | None
) -> list[tuple[Funder, Decimal]]:
    """Who pays a household's subsidy: one funder for all of it, or several whose shares
    add up to 1 (orders.funding); the largest share first."""
    single = not funders
    if not funders:
        if funder is None:
            message = _("Name the funder of the subsidy, or the funders and their shares.")
            raise InvalidInput(message, fields={"funder": [message]})
        funders = [{"funder": funder, "share": Decimal(1)}]
    usable = set(funders_usable_by(social_service).values_list("id", flat=True))
    errors: dict[str, list[str]] = {
        "funder" if single else f"funders.{index}.funder": [
            _("This funder belongs to another CCAS.")
        ]
        for index, row in enumerate(funders)
        if row["funder"].pk not in usable
    }
    if len({row["funder"].pk for row in funders}) != len(funders):
        errors["funders"] = [_("A funder is named twice.")]
    total = sum((row["share"] for row in funders), Decimal(0))
    if total != 1:
        errors["funders"] = [
            _("The shares must add up to 1 (100 %%); they add up to %(total)s.")
            % {"total": format_quantity(total)}
        ]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    return sorted(
        ((row["funder"], row["share"]) for row in funders), key=lambda pair: (-pair[1], pair[0].pk)
    )


@transaction.atomic
def household_renew(
    *, household: Household, user: User, valid_until: date, today: date, now: datetime
) -> Household:
    """Extend a decision by 3 to 6 months, after the CCAS's waiting period if it has one.

    A household still valid continues from the day after its current end; an expired one
    starts again today.
    """
    household = locks.household_lock(household.pk)
    if household.suspended_at is not None:
        raise StateConflict(
            _("A suspended household must be reinstated before renewal."),
            code="household_suspended",
        )
    waiting_days = household.social_service.renewal_waiting_days
    renewable_from = household.valid_until + timedelta(days=waiting_days)
    if waiting_days and today < renewable_from:
        raise StateConflict(
            _("This household can be renewed from %(date)s (waiting period of %(days)d days).")
            % {"date": format_date(renewable_from), "days": waiting_days},
            code="renewal_waiting_period",
        )
    if household.valid_until >= today:
        period_start = household.valid_until + timedelta(days=1)
    else:
        period_start = today
        household.valid_from = today
    _check_validity(valid_from=period_start, valid_until=valid_until)
    household.valid_until = valid_until
    household.save(update_fields=["valid_from", "valid_until"])
    access_log(household=household, user=user, action=AccessAction.RENEW, at=now)
    return household


# What the calculator suggests above every tier's threshold.
NOT_ELIGIBLE = "none"


def tariff_suggest(*, monthly_resources: Decimal, monthly_charges: Decimal, persons: int) -> dict:
    """The tier a reste-à-vivre suggests. Stores nothing and logs nothing."""
    reste_a_vivre = pricing.reste_a_vivre_per_day(
        monthly_resources=monthly_resources, monthly_charges=monthly_charges, persons=persons
    )
    for tier in TariffTier.objects.order_by("beneficiary_rate", "code"):
        if tier.max_reste_a_vivre is None or reste_a_vivre <= tier.max_reste_a_vivre:
            return {
                "reste_a_vivre_per_day": reste_a_vivre,
                "suggested_tier": tier.code,
                "eligible": True,
            }
    return {"reste_a_vivre_per_day": reste_a_vivre, "suggested_tier": None, "eligible": False}


@transaction.atomic
def tariff_tiers_replace(*, tiers: list[dict]) -> list[TariffTier]:
    """Replace the platform's tiers. Rates already on order lines do not change."""
    codes = [tier["code"] for tier in tiers]
    if len(set(codes)) != len(codes):
        message = _("Each tier code appears once.")
        raise InvalidInput(message, fields={"code": [message]})
    ordered = sorted(tiers, key=lambda tier: tier["beneficiary_rate"])
    for lower, higher in itertools.pairwise(ordered):
        lower_bound, higher_bound = lower.get("max_reste_a_vivre"), higher.get("max_reste_a_vivre")
        if lower_bound is None or (higher_bound is not None and higher_bound <= lower_bound):
            message = _("A higher rate goes with a higher reste-à-vivre threshold.")
            raise InvalidInput(message, fields={"max_reste_a_vivre": [message]})
    in_use = set(
        Household.objects.exclude(tier__code__in=codes).values_list("tier__code", flat=True)
    )
    if in_use:
        raise StateConflict(
            _("Tiers still used by households cannot be removed: %(codes)s.")
            % {"codes": ", ".join(sorted(in_use))},
            code="tier_in_use",
        )
    TariffTier.objects.exclude(code__in=codes).delete()
    for tier in tiers:
        TariffTier.objects.update_or_create(
            code=tier["code"],
            defaults={
                "label": tier["label"],
                "beneficiary_rate": tier["beneficiary_rate"],
                "max_reste_a_vivre": tier.get("max_reste_a_vivre"),
            },
        )
    return list(TariffTier.objects.order_by("beneficiary_rate", "code"))


@transaction.atomic
def household_suspend(
    *, household: Household, user: User, now: datetime, suspended: bool, reason: str = ""
) -> Household:
    """Suspend a household, saying why (kept in the access log), or reinstate it: a suspended
    household cannot order."""
    reason = reason.strip()
    if suspended and not reason:
        message = _("Say why the household is suspended.")
        raise InvalidInput(message, fields={"reason": [message]})
    if len(reason) > 500:
        message = _("A reason has at most 500 characters.")
        raise InvalidInput(message, fields={"reason": [message]})
    household = locks.household_lock(household.pk)
    household.suspended_at = now if suspended else None
    household.save(update_fields=["suspended_at"])
    access_log(
        household=household,
        user=user,
        action=AccessAction.SUSPEND if suspended else AccessAction.RESUME,
        at=now,
        reason=reason or None,
    )
    return household


def retention_cutoff(*, today: date, years: int) -> date:
    return add_months(today, -12 * years)


@transaction.atomic
def households_anonymise(*, now: datetime, years: int, dry_run: bool = False) -> int:
    """Erase the contact fields and the reason of households with no decision in force and
    no order delivered for `years` years. Their reference, size, tier and orders stay, so
    every aggregate (dashboards, statements, the ledger) is unchanged."""
    cutoff = retention_cutoff(today=now.date(), years=years)
    recent_orders = Order.objects.filter(cycle__delivery_date__gte=cutoff).values("household_id")
    stale = Household.objects.filter(
        anonymised_at__isnull=True, valid_until__lt=cutoff, created_at__date__lt=cutoff
    ).exclude(pk__in=recent_orders)
    if dry_run:
        return stale.count()
    return stale.update(contact_name="", contact_phone="", eligibility_reason="", anonymised_at=now)


def household_export(*, household: Household, user: User, now: datetime) -> dict:
    """Everything kept about one household, for a subject access request. The read is logged."""
    access_log(household=household, user=user, action=AccessAction.READ, at=now)
    orders = (
        Order.objects.filter(household=household)
        .select_related("cycle")
        .prefetch_related("lines__offer__product")
        .order_by("cycle__delivery_date", "id")
    )
    return {
        "exported_at": now.isoformat(),
        "household": {
            "reference": household.reference,
            "ccas": household.social_service.name,
            "adults": household.adults,
            "children": household.children,
            "valid_from": household.valid_from.isoformat(),
            "valid_until": household.valid_until.isoformat(),
            "tier": household.tier.code,
            "monthly_cap": str(household.monthly_cap),
            "pickup_grocery": household.pickup_grocery.name,
            "funder": household.funder.name,
            "consent_at": household.consent_at.isoformat(),
            "eligibility_reason": household.eligibility_reason,
            "contact_name": household.contact_name,
            "contact_phone": household.contact_phone,
            "suspended_at": household.suspended_at and household.suspended_at.isoformat(),
            "anonymised_at": household.anonymised_at and household.anonymised_at.isoformat(),
        },
        "orders": [
            {
                "cycle": order.cycle.name,
                "delivery_date": order.cycle.delivery_date.isoformat(),
                "status": order.status,
                "total_ttc": str(order.total_ttc),
                "paid_by_household": str(order.beneficiary_total),
                "subsidy": str(order.subsidy_total),
                "lines": [
                    {
                        "product": line.offer.product.name,
                        "quantity": str(line.quantity),
                        "line_ttc": str(line.line_ttc),
                    }
                    for line in order.lines.all()
                ],
            }
            for order in orders
        ],
        "access_log": [
            {
                "at": entry.accessed_at.isoformat(),
                "user": entry.user.get_username(),
                "action": entry.action,
            }
            for entry in household.access_log.select_related("user").order_by("accessed_at")
        ],
    }

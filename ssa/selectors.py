from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.access import Actor
from core.choices import Role
from core.money import quantize_money
from dashboards.kpis import SMALL_CELL, SUPPRESSED, hidden_cells
from orders.choices import OrderStatus
from orders.models import Household, OrderLine
from producers.choices import Category
from producers.models import Product

from .choices import MovementKind, ProposalStatus, SubjectKind
from .models import Caisse, Contribution, CreditMovement, Member


def balance():
    """A member's credit (the sum of its movements), to annotate members with."""
    movements = (
        CreditMovement.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=9, decimal_places=2)
    return Coalesce(Subquery(movements, output_field=money), Value(0, output_field=money))


def member_credit(member: Member, *, excluding_order_id: int | None = None) -> Decimal:
    """One member's credit now, as balance() reads it for many; without the spending of
    `excluding_order_id` when that order is being changed."""
    movements = member.movements.all()
    if excluding_order_id is not None:
        movements = movements.exclude(order_id=excluding_order_id)
    return movements.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def caisse_list(*, actor: Actor) -> QuerySet[Caisse]:
    """The coordinator's caisses; a CCAS's staff see those their CCAS enrols members in."""
    caisses = Caisse.objects.prefetch_related("funders", "social_services", "committee")
    if actor.role == Role.COORDINATOR:
        return caisses
    if actor.role == Role.CCAS_STAFF:
        return caisses.filter(social_services__organisation=actor.organisation)
    return caisses.none()


def member_households(*, actor: Actor) -> QuerySet[Household]:
    """The households whose membership the caller may see: its CCAS's, or all for the
    coordinator (who sees a pseudonymous reference and a balance, no social data)."""
    if actor.role == Role.CCAS_STAFF:
        return Household.objects.filter(social_service__organisation=actor.organisation)
    if actor.role == Role.COORDINATOR:
        return Household.objects.all()
    return Household.objects.none()


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def caisse_statement(*, caisse: Caisse, month: date) -> dict:
    """The caisse's month (DESIGN.md §14): contributions received, allocations credited and
    what expired, what the settled orders delivered that month cost (paid to producers in
    full), per producer and per kind of product; the deficit and the grants covering it."""
    month = month.replace(day=1)
    end = _month_end(month)
    movements = dict(
        CreditMovement.objects.filter(member__caisse=caisse, month=month)
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
        .order_by()
    )
    settled = settled_ssa_lines(start=month, end=end).filter(order__ssa_member__caisse=caisse)
    producers = list(
        settled.values(
            "offer__product__producer_id", "offer__product__producer__organisation__name"
        )
        .annotate(amount=Sum("line_ttc"))
        .order_by("offer__product__producer__organisation__name")
    )
    kinds = list(
        settled.values("offer__product__category")
        .annotate(amount=Sum("line_ttc"))
        .order_by("offer__product__category")
    )
    shares = settled.aggregate(
        total=Sum("line_ttc"),
        local=Sum(
            "line_ttc",
            filter=Q(offer__product__producer__distance_to_hub_km__lte=settings.LOCAL_RADIUS_KM),
        ),
        organic=Sum("line_ttc", filter=Q(offer__product__is_organic=True)),
    )
    grants = list(
        caisse.grants.filter(month=month)
        .values("funder_id", "funder__name")
        .annotate(amount=Sum("amount"))
        .order_by("funder__name")
    )
    contributions = (
        caisse_contributions(caisse)
        .filter(month=month, entry__reversed_by__isnull=True)
        .aggregate(total=Sum("amount"), members=Count("member", distinct=True))
    )
    pending = CreditMovement.objects.filter(
        member__caisse=caisse, month=month, kind=MovementKind.SPENDING
    ).exclude(order__status=OrderStatus.SETTLED)
    money = quantize_money
    allocations = money(movements.get(MovementKind.ALLOCATION) or 0)
    contributed = money(contributions["total"] or 0)
    granted = money(sum((row["amount"] for row in grants), Decimal(0)))
    deficit = allocations - contributed
    return {
        "caisse": caisse.id,
        "name": caisse.name,
        "month": f"{month:%Y-%m}",
        "members": caisse.members.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=month))
        .count(),
        "contributions": contributed,
        "contributing_members": contributions["members"],
        "allocations": allocations,
        "expired": -money(
            (movements.get(MovementKind.EXPIRY) or 0) + (movements.get(MovementKind.CLOSING) or 0)
        ),
        "spending": money(shares["total"] or 0),
        "spending_local": money(shares["local"] or 0),
        "spending_organic": money(shares["organic"] or 0),
        "spending_pending": -money(pending.aggregate(total=Sum("amount"))["total"] or 0),
        "spending_by_producer": [
            {
                "producer": row["offer__product__producer_id"],
                "name": row["offer__product__producer__organisation__name"],
                "amount": money(row["amount"]),
            }
            for row in producers
        ],
        "spending_by_kind": [
            {
                "category": row["offer__product__category"],
                "name": str(Category(row["offer__product__category"]).label),
                "amount": money(row["amount"]),
            }
            for row in kinds
        ],
        "deficit": deficit,
        "grants": [
            {
                "funder": row["funder_id"],
                "name": row["funder__name"],
                "amount": money(row["amount"]),
            }
            for row in grants
        ],
        "grants_total": granted,
        "uncovered": deficit - granted,
    }


def caisse_contributions(caisse: Caisse) -> QuerySet[Contribution]:
    """Every contribution of the caisse, those cancelled since (`reversed`) included."""
    return (
        Contribution.objects.filter(member__caisse=caisse)
        .select_related("member__household", "entry__reversed_by")
        .annotate(reversed=Q(entry__reversed_by__isnull=False))
    )


def member_on(*, household: Household, day: date) -> Member | None:
    """The household's membership open on `day`, with its credit (a screen's reading; the
    order's service reads it again under its lock)."""
    return (
        Member.objects.filter(household=household, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("caisse")
        .annotate(balance=balance())
        .order_by("id")
        .first()
    )


# The officials' figures (DESIGN.md §7, §14): aggregates only, small cells hidden.

BANDS = [  # monthly contribution bands, € (upper bounds included)
    ("1–10 €", Decimal("10")),
    ("11–30 €", Decimal("30")),
    ("31–60 €", Decimal("60")),
    ("61–100 €", Decimal("100")),
    ("> 100 €", None),
]


def _band(amount: Decimal) -> str:
    for label, upper in BANDS:
        if upper is None or amount <= upper:
            return label
    raise AssertionError  # the last band has no upper bound


HIDDEN_CAISSE = dict.fromkeys(
    ["bands", "spending", "local_share", "organic_share", "by_kind", "by_producer"]
)


def caisse_figures(*, start: date, end: date) -> list[dict]:
    """Per caisse, over a period: its members, how many contribute in each band, what its
    members' delivered orders cost and the shares of local and organic products. A caisse
    of fewer than 5 members shows "<5" and nothing else; a band of 1 to 4 members is hidden,
    with the next smallest when it is the only one (kpis.hidden_cells)."""
    members = (
        Member.objects.filter(joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list("caisse_id", "monthly_contribution")
    )
    counts: dict[int, int] = {}
    bands: dict[int, dict[str, int]] = {}
    for caisse_id, contribution in members:
        counts[caisse_id] = counts.get(caisse_id, 0) + 1
        row = bands.setdefault(caisse_id, dict.fromkeys((label for label, _ in BANDS), 0))
        row[_band(contribution)] += 1
    spending = {
        row["order__ssa_member__caisse_id"]: row
        for row in settled_ssa_lines(start=start, end=end)
        .values("order__ssa_member__caisse_id")
        .annotate(
            total=Sum("line_ttc"),
            local=Sum(
                "line_ttc",
                filter=Q(
                    offer__product__producer__distance_to_hub_km__lte=settings.LOCAL_RADIUS_KM
                ),
            ),
            organic=Sum("line_ttc", filter=Q(offer__product__is_organic=True)),
        )
        .order_by()
    }
    detail: dict[int, dict[str, dict[str, Decimal]]] = {}
    for caisse_id, category, producer, amount in (
        settled_ssa_lines(start=start, end=end)
        .values_list(
            "order__ssa_member__caisse_id",
            "offer__product__category",
            "offer__product__producer__organisation__name",
        )
        .annotate(amount=Sum("line_ttc"))
        .order_by()
    ):
        sums = detail.setdefault(caisse_id, {"kind": {}, "producer": {}})
        label = str(Category(category).label)
        sums["kind"][label] = sums["kind"].get(label, Decimal(0)) + amount
        sums["producer"][producer] = sums["producer"].get(producer, Decimal(0)) + amount
    rows: list[dict[str, Any]] = []
    for caisse in Caisse.objects.order_by("name"):
        count = counts.get(caisse.id, 0)
        if 0 < count < SMALL_CELL:
            rows.append({"caisse": caisse.name, "members": SUPPRESSED, **HIDDEN_CAISSE})
            continue
        by_band = bands.get(caisse.id, {})
        hidden = hidden_cells(by_band)
        spent = spending.get(caisse.id, {})
        total = quantize_money(spent.get("total") or 0)
        rows.append(
            {
                "caisse": caisse.name,
                "members": count,
                "bands": [
                    {"band": label, "members": SUPPRESSED if label in hidden else n}
                    for label, n in by_band.items()
                ],
                "spending": total,
                "local_share": _share(spent.get("local"), total),
                "organic_share": _share(spent.get("organic"), total),
                **{
                    f"by_{key}": [
                        {"name": name, "amount": quantize_money(amount)}
                        for name, amount in sorted(sums.items(), key=lambda item: -item[1])
                    ]
                    for key, sums in detail.get(caisse.id, {"kind": {}, "producer": {}}).items()
                },
            }
        )
    return rows


def settled_ssa_lines(*, start: date, end: date) -> QuerySet[OrderLine]:
    """The lines of the orders caisses paid, settled, delivered between two days."""
    return OrderLine.objects.live().filter(
        order__ssa_member__isnull=False,
        order__status=OrderStatus.SETTLED,
        order__cycle__delivery_date__range=(start, end),
    )


def _share(part, total: Decimal) -> Decimal | None:
    return (quantize_money(part or 0) / total).quantize(Decimal("0.001")) if total else None


@dataclass(frozen=True)
class Approved:
    """What a caisse's committee approved (conventionné): whole producers, single products."""

    producers: frozenset[int]
    products: frozenset[int]

    def covers(self, product: Product) -> bool:
        return product.id in self.products or product.producer_id in self.producers


def approved(caisse: Caisse) -> Approved:
    """One query."""
    producers, products = set(), set()
    for kind, producer_id, product_id in caisse.proposals.filter(
        status=ProposalStatus.APPROVED
    ).values_list("subject_kind", "producer_id", "product_id"):
        if kind == SubjectKind.PRODUCER:
            producers.add(producer_id)
        else:
            products.add(product_id)
    return Approved(frozenset(producers), frozenset(products))

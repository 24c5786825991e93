"""The officials' figures (DESIGN.md §7), defined once: what each counts, from which state of
the cycle, and how small cells are hidden.

Every figure is an aggregate over the snapshot rows of dashboards.models, for the cycles
delivered in a period, optionally in one commune or one zone. A group of fewer than 5
households (but at least one) shows "<5", and every figure about households in it is null;
when a single cell of a table is hidden that way, the next smallest is hidden too, so that
no difference between two published figures gives it away.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import quantize_money, quantize_quantity
from logistics.choices import ZoneKind
from logistics.models import Zone

from .models import HouseholdMonthFact, OrderFact, ProducerFact

SMALL_CELL = 5
SUPPRESSED = "<5"
KG_PER_MEAL = Decimal("0.5")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str | Promise
    explanation: str | Promise
    unit: str  # "€", "kg", "km", "%" (a rate between 0 and 1), or "" for a count
    about_households: bool = False  # hidden when the households are fewer than 5


COUNTED_FROM = _("cycles confirmed or later, by delivery date; quantities received once recorded")

KPIS = [
    Kpi(
        "households_served",
        _("Households served"),
        _("Distinct households referred by a CCAS with at least one order in the period."),
        "",
        about_households=True,
    ),
    Kpi(
        "persons_served",
        _("Persons served"),
        _("Adults and children of those households, each household counted once."),
        "",
        about_households=True,
    ),
    Kpi("orders", _("Orders"), _("Household orders and groceries' grouped orders."), ""),
    Kpi(
        "kg_distributed",
        _("Food distributed"),
        _("Kilograms delivered to the groceries (received, else confirmed)."),
        "kg",
    ),
    Kpi("meal_equivalents", _("Meal equivalents"), _("Kilograms distributed ÷ 0.5 kg."), ""),
    Kpi(
        "market_value_ttc",
        _("Market value"),
        _("What the food distributed is worth at the producers' prices, incl. VAT."),
        "€",
    ),
    Kpi(
        "beneficiary_paid",
        _("Paid by beneficiaries"),
        _("The households' own share (10 to 30 percent by tariff tier), incl. VAT."),
        "€",
        about_households=True,
    ),
    Kpi(
        "subsidy_total",
        _("Subsidies"),
        _("What the funders pay for the households' orders, incl. VAT."),
        "€",
        about_households=True,
    ),
    Kpi(
        "subsidy_per_household",
        _("Subsidy per household"),
        _("Subsidies ÷ households served."),
        "€",
        about_households=True,
    ),
    Kpi(
        "producers_paid",
        _("Paid to producers"),
        _("What the producers are paid, in full, incl. VAT."),
        "€",
    ),
    Kpi("producers_count", _("Producers"), _("Producers who supplied food in the period."), ""),
    Kpi(
        "local_share",
        _("Local products"),
        _("Share of value excl. VAT from producers within the local radius of the hub."),
        "%",
    ),
    Kpi(
        "organic_share",
        _("Organic products"),
        _("Share of value excl. VAT of organic products (EGAlim target: 20 percent)."),
        "%",
    ),
    Kpi(
        "distance_km",
        _("Distance driven"),
        _("Kilometres of the collection and delivery rounds (shared by kg delivered)."),
        "km",
    ),
    Kpi("co2_kg", _("CO2 emitted"), _("Distance driven × the vans' emission factor."), "kg"),
    Kpi(
        "fill_rate",
        _("Fill rate"),
        _("Kilograms confirmed by the producers ÷ kilograms asked."),
        "%",
    ),
    Kpi(
        "cap_usage",
        _("Cap usage"),
        _("What households spent ÷ their monthly caps, over the months they ordered."),
        "%",
        about_households=True,
    ),
]
KPI_KEYS = [kpi.key for kpi in KPIS]
ABOUT_HOUSEHOLDS = {kpi.key for kpi in KPIS if kpi.about_households}


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    commune: str | None = None
    zone: Zone | None = None

    def filter(self) -> Q:
        return self._place(Q(delivery_date__gte=self.start, delivery_date__lte=self.end))

    def month_filter(self) -> Q:
        """The calendar months the period touches (caps are monthly)."""
        return self._place(Q(month_start__gte=self.start.replace(day=1), month_start__lte=self.end))

    def _place(self, condition: Q) -> Q:
        if self.commune:
            condition &= Q(commune=self.commune)
        if self.zone is not None:
            if self.zone.kind == ZoneKind.QPV:
                condition &= Q(zone=self.zone)
            else:  # a commune's zone holds its priority neighbourhoods too
                condition &= Q(commune=self.zone.commune)
        return condition


# Snapshot columns holding each delivery date's Monday and first of the month.
GRANULARITIES = {"week": "week_start", "month": "month_start"}


def _grouped(queryset, keys: dict, **aggregates) -> dict[tuple, dict]:
    """Aggregates per group of `keys` (a name -> expression map), keyed by the tuple of
    the groups' values; one query."""
    if not keys:
        return {(): queryset.aggregate(**aggregates)}
    names = list(keys)
    expressions = {name: F(key) if isinstance(key, str) else key for name, key in keys.items()}
    rows = queryset.annotate(**expressions).values(*names).annotate(**aggregates).order_by()
    return {_key(row[name] for name in names): row for row in rows}


def _key(values) -> tuple:
    """A group's key, days as ISO text whichever way the database answered."""
    return tuple(str(value) if isinstance(value, date) else value for value in values)


def figures_by(scope: Scope, keys: dict) -> dict[tuple, dict]:
    """Raw figures (numbers, before suppression) per group; five queries whatever the
    number of orders or groups."""
    facts = OrderFact.objects.filter(scope.filter())
    households = facts.filter(household__isnull=False)
    totals = _grouped(
        facts,
        keys,
        orders=Count("id"),
        kg_asked=Sum("kg_asked"),
        kg_confirmed=Sum("kg_confirmed"),
        kg_delivered=Sum("kg_delivered"),
        value_ht=Sum("value_ht"),
        value_ttc=Sum("value_ttc"),
        local_ht=Sum("local_ht"),
        organic_ht=Sum("organic_ht"),
        beneficiary_paid=Sum("beneficiary_paid"),
        subsidy_total=Sum("subsidy"),
        distance_km=Sum("distance_km"),
    )
    served = _persons(households, keys)
    caps = _cap_usage(scope, households, keys)
    producers = _grouped(
        ProducerFact.objects.filter(scope.filter()),
        keys,
        producers_paid=Sum("value_ttc"),
        producers_count=Count("producer_id", distinct=True),
    )
    figures: dict = {}
    for group in totals.keys() | producers.keys():
        row = {**totals.get(group, {}), **producers.get(group, {})}
        household_count, person_count = served.get(group, (0, 0))
        row["households_served"] = household_count or 0
        row["persons_served"] = person_count or 0
        row["cap_usage"] = caps.get(group)
        figures[group] = row
    return figures


def _nested(queryset, keys: dict, inner: dict, outer: str) -> dict[tuple, tuple]:
    """An aggregate of aggregates, both in the database: `inner` per (group, household…),
    then `outer` (SQL over the inner columns) per group. Answers group -> outer values."""
    names = list(keys)
    expressions = {name: F(key) if isinstance(key, str) else key for name, key in keys.items()}
    rows = (
        queryset.annotate(**expressions).values(*names, "household_id").annotate(**inner).order_by()
    )
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    grouped = f"SELECT {columns + ', ' if names else ''}{outer} FROM ({sql}) inner_rows"
    if names:
        grouped += f" GROUP BY {columns}"
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        return {_key(row[: len(names)]): row[len(names) :] for row in cursor.fetchall()}


def _persons(households, keys: dict) -> dict[tuple, tuple[int, int]]:
    """Distinct households and their persons per group (a household's largest size)."""
    return _nested(households, keys, {"size": Max("persons")}, "COUNT(*), SUM(size)")


def _cap_usage(scope: "Scope", households, keys: dict) -> dict[tuple, Decimal | None]:
    """Spent ÷ cap over each household's months in each group: from the household-month
    rows of the months the period touches, except by week (a week holds part of a month)."""
    if "week_start" in keys.values():
        months = _nested(
            households,
            {**keys, "month": "month_start"},
            {"spent": Sum("value_ttc"), "cap": Max("monthly_cap")},
            "SUM(spent), SUM(cap)",
        )
        totals: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for group, (spent, cap) in months.items():
            totals[group[:-1]][0] += Decimal(spent or 0)
            totals[group[:-1]][1] += Decimal(cap or 0)
    else:
        grouped = _grouped(
            HouseholdMonthFact.objects.filter(scope.month_filter()),
            keys,
            spent=Sum("spent"),
            cap=Sum("cap"),
        )
        totals = {
            group: [Decimal(row["spent"] or 0), Decimal(row["cap"] or 0)]
            for group, row in grouped.items()
        }
    return {group: spent / cap if cap else None for group, (spent, cap) in totals.items()}


def _rate(numerator, denominator) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator or 0) / Decimal(denominator)).quantize(Decimal("0.001")))


def present(row: dict, *, hidden: bool) -> dict:
    """The contract's shape: money and quantities as strings, counts as numbers, rates as
    strings between 0 and 1; a hidden cell shows "<5" and nulls what it would reveal."""
    households = row.get("households_served", 0)
    kg = Decimal(row.get("kg_delivered") or 0)
    distance = Decimal(row.get("distance_km") or 0)
    subsidy = quantize_money(row.get("subsidy_total") or 0)
    figures = {
        "households_served": households,
        "persons_served": row.get("persons_served", 0),
        "orders": row.get("orders") or 0,
        "kg_distributed": str(quantize_quantity(kg)),
        "meal_equivalents": int(kg / KG_PER_MEAL),
        "market_value_ttc": str(quantize_money(row.get("value_ttc") or 0)),
        "beneficiary_paid": str(quantize_money(row.get("beneficiary_paid") or 0)),
        "subsidy_total": str(subsidy),
        "subsidy_per_household": str(quantize_money(subsidy / households)) if households else None,
        "producers_paid": str(quantize_money(row.get("producers_paid") or 0)),
        "producers_count": row.get("producers_count") or 0,
        "local_share": _rate(row.get("local_ht"), row.get("value_ht")),
        "organic_share": _rate(row.get("organic_ht"), row.get("value_ht")),
        "distance_km": str(distance.quantize(Decimal("0.1"))),
        "co2_kg": str((distance * Decimal(settings.CO2_KG_PER_KM)).quantize(Decimal("0.1"))),
        "fill_rate": _rate(row.get("kg_confirmed"), row.get("kg_asked")),
        "cap_usage": _rate(row["cap_usage"], 1) if row.get("cap_usage") is not None else None,
    }
    if hidden:
        figures.update(dict.fromkeys(ABOUT_HOUSEHOLDS, None))
        figures["households_served"] = SUPPRESSED
    return figures


def hidden_cells(counts: dict) -> set:
    """Primary suppression (1 to 4 households), then, if a single cell is hidden, the next
    smallest non-empty cell too (a total minus the others would give the hidden one)."""
    hidden = {key for key, count in counts.items() if 0 < count < SMALL_CELL}
    if len(hidden) == 1:
        others = sorted(
            ((count, key) for key, count in counts.items() if key not in hidden and count > 0),
            key=lambda item: (item[0], str(item[1])),
        )
        if others:
            hidden.add(others[0][1])
    return hidden


def _households_by(scope: Scope, field: str) -> dict:
    period = Scope(scope.start, scope.end)
    rows = (
        OrderFact.objects.filter(period.filter(), household__isnull=False)
        .values(field)
        .annotate(count=Count("household_id", distinct=True))
        .order_by()
    )
    return {row[field]: row["count"] for row in rows}


def kpis(scope: Scope) -> dict:
    """The figures of one scope, small cells hidden against the commune (or zone) table."""
    row = figures_by(scope, {}).get((), {"households_served": 0, "cap_usage": None})
    count = row["households_served"]
    hidden = 0 < count < SMALL_CELL
    commune = scope.commune or (scope.zone.commune if scope.zone is not None else None)
    # The same queries whatever the figures: the table the cell belongs to is always read.
    if commune:
        hidden = commune in hidden_cells(_households_by(scope, "commune")) or hidden
    if scope.zone is not None and scope.zone.kind == ZoneKind.QPV:
        zones = set(Zone.objects.filter(commune=commune).values_list("id", flat=True))
        in_commune = {
            zone: count for zone, count in _households_by(scope, "zone_id").items() if zone in zones
        }
        hidden = scope.zone.id in hidden_cells(in_commune) or hidden
    return present(row, hidden=hidden)


def timeseries(scope: Scope, *, metric: str, granularity: str) -> list[dict]:
    figures = figures_by(scope, {"period": GRANULARITIES[granularity]})
    series = []
    for (period,), row in sorted(figures.items()):
        count = row["households_served"]
        value = present(row, hidden=0 < count < SMALL_CELL)[metric]
        series.append({"period": period, "value": value})
    return series


def by_commune_and_month(scope: Scope) -> list[dict]:
    """The export: every figure per commune and month, hidden cells per month."""
    figures = figures_by(scope, {"month_of": "month_start", "commune_of": "commune"})
    by_month: dict[Any, dict[str, dict]] = defaultdict(dict)
    for (month, commune), row in figures.items():
        by_month[month][commune] = row
    rows = []
    for month in sorted(by_month):
        communes = by_month[month]
        hidden = hidden_cells({name: row["households_served"] for name, row in communes.items()})
        for commune in sorted(communes):
            rows.append(
                {
                    "month": month[:7],
                    "commune": commune,
                    **present(communes[commune], hidden=commune in hidden),
                }
            )
    return rows


def subsidy_by_funder(scope: Scope) -> list[dict]:
    """Subsidies per funder for the chart; a funder's cell of fewer than 5 households hidden."""
    rows = (
        OrderFact.objects.filter(scope.filter(), funder__isnull=False)
        .values("funder_id", "funder__name")
        .annotate(subsidy=Sum("subsidy"), households=Count("household_id", distinct=True))
        .order_by("-subsidy")
    )
    hidden = hidden_cells({row["funder_id"]: row["households"] for row in rows})
    return [
        {
            "funder": row["funder__name"],
            "subsidy_ttc": None
            if row["funder_id"] in hidden
            else str(quantize_money(row["subsidy"])),
            "households": SUPPRESSED if row["funder_id"] in hidden else row["households"],
        }
        for row in rows
    ]


def delivery_weeks(scope: Scope) -> int:
    """How many weeks of the period had deliveries that count."""
    return OrderFact.objects.filter(scope.filter()).values("week_start").distinct().count()


def comparable(scope: Scope, earlier: Scope) -> bool:
    """Whether the earlier period says something about this one: it had deliveries in at
    least half as many weeks (a period that began with the platform, or a test week, would
    show +1 000 % on every figure), and households enough to be shown (5)."""
    weeks = delivery_weeks(scope)
    return (
        weeks > 0
        and delivery_weeks(earlier) * 2 >= weeks
        and OrderFact.objects.filter(earlier.filter(), household__isnull=False)
        .values("household_id")
        .distinct()
        .count()
        >= SMALL_CELL
    )


def year_so_far(today: date) -> tuple[date, date]:
    """The period the dashboard shows when none is asked: this year so far."""
    return date(today.year, 1, 1), today


def previous(scope: Scope) -> Scope:
    """The period of the same length just before, for the change shown beside each figure."""
    length = scope.end - scope.start
    end = scope.start - timedelta(days=1)
    return Scope(end - length, end, scope.commune, scope.zone)


def by_commune(scope: Scope) -> list[dict]:
    """The table of the page: every figure per commune, small cells hidden as a table."""
    figures = figures_by(scope, {"commune_of": "commune"})
    hidden = hidden_cells({key[0]: row["households_served"] for key, row in figures.items()})
    return [
        {"commune": commune, **present(figures[(commune,)], hidden=commune in hidden)}
        for (commune,) in sorted(figures)
    ]


def places(scope: Scope) -> dict:
    """Groceries by kilograms received and producers by value supplied, for the map."""
    groceries = (
        OrderFact.objects.filter(scope.filter())
        .values(
            "grocery_id", "grocery__organisation__name", "grocery__latitude", "grocery__longitude"
        )
        .annotate(kg=Sum("kg_delivered"))
        .order_by("-kg")
    )
    producers = (
        ProducerFact.objects.filter(scope.filter())
        .values(
            "producer_id",
            "producer__organisation__name",
            "producer__latitude",
            "producer__longitude",
        )
        .annotate(value=Sum("value_ttc"))
        .order_by("-value")
    )
    return {
        "groceries": [
            {
                "name": row["grocery__organisation__name"],
                "latitude": float(row["grocery__latitude"]),
                "longitude": float(row["grocery__longitude"]),
                "kg": float(row["kg"] or 0),
            }
            for row in groceries
        ],
        "producers": [
            {
                "name": row["producer__organisation__name"],
                "latitude": float(row["producer__latitude"]),
                "longitude": float(row["producer__longitude"]),
                "value": float(row["value"] or 0),
            }
            for row in producers
        ],
    }

"""Refresh of the dashboards' snapshot rows from the order lines, one cycle at a time.

The cycles to refresh are replaced in one transaction by two INSERT … SELECT … GROUP BY
statements that the database runs itself (no order line travels to Python), so a page view
never scans order lines and a refresh of a year of cycles takes seconds.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum

from accounting.models import Envelope
from core import db
from core.models import Organisation
from logistics.models import Round
from orders import locks, quantities
from orders.models import Grocery, Household, Order, OrderLine
from producers.models import Offer, Producer, Product
from supply.choices import COUNTED_IN_DASHBOARDS, FINISHED
from supply.models import OrderCycle

from .models import CycleSnapshot, HouseholdMonthFact, OrderFact, ProducerFact


def _tables() -> dict[str, str]:
    return {
        "line": OrderLine._meta.db_table,
        "order": Order._meta.db_table,
        "cycle": OrderCycle._meta.db_table,
        "household": Household._meta.db_table,
        "envelope": Envelope._meta.db_table,
        "grocery": Grocery._meta.db_table,
        "organisation": Organisation._meta.db_table,
        "offer": Offer._meta.db_table,
        "product": Product._meta.db_table,
        "producer": Producer._meta.db_table,
        "order_fact": OrderFact._meta.db_table,
        "producer_fact": ProducerFact._meta.db_table,
    }


def _truncations() -> dict[str, str]:
    """The delivery date's Monday and first of the month, in the database's own dialect."""
    return {
        "week": db.week_start_sql("c.delivery_date"),
        "month": db.month_start_sql("c.delivery_date"),
    }


# Lines are summed first, grouped by small integer keys only (the order; or the cycle,
# producer and destination grocery), then the few thousand sums meet the wide columns.
LINES_OF_CYCLES = (
    """
    FROM {line} l
    JOIN {order} o ON o.id = l.order_id
    LEFT JOIN {household} h ON h.id = o.household_id
    JOIN {offer} f ON f.id = l.offer_id
    JOIN {product} p ON p.id = f.product_id
    JOIN {producer} pr ON pr.id = p.producer_id
    WHERE o.cycle_id IN ({cycles}) AND """
    + quantities.live_order_sql("o")
    + """
"""
)
DELIVERED_KG = f"SUM({quantities.delivered_sql('l')} * p.unit_weight_kg)"

ORDER_FACTS = (
    """
    INSERT INTO {order_fact} (
        cycle_id, order_id, delivery_date, week_start, month_start, grocery_id, commune,
        zone_id, household_id, funder_id, persons, lines, monthly_cap, kg_asked, kg_confirmed,
        kg_delivered, value_ht, value_ttc, local_ht, organic_ht, beneficiary_paid, subsidy,
        distance_km
    )
    SELECT o.cycle_id, o.id, c.delivery_date, {week}, {month}, g.id, go.commune, g.zone_id,
        o.household_id,
        CASE WHEN o.household_id IS NULL THEN NULL ELSE COALESCE(e.funder_id, h.funder_id) END,
        COALESCE(h.adults + h.children, 0), s.lines, h.monthly_cap, s.kg_asked, s.kg_confirmed,
        s.kg_delivered, s.value_ht, s.value_ttc, s.local_ht, s.organic_ht, s.beneficiary_paid,
        s.subsidy, 0
    FROM (
        SELECT l.order_id, COUNT(*) AS lines,
            SUM(l.quantity * p.unit_weight_kg) AS kg_asked,
            SUM("""
    + quantities.served_sql("l")
    + """ * p.unit_weight_kg) AS kg_confirmed,
            """
    + DELIVERED_KG
    + """ AS kg_delivered,
            SUM(l.line_ht) AS value_ht, SUM(l.line_ttc) AS value_ttc,
            SUM(CASE WHEN pr.distance_to_hub_km <= %s THEN l.line_ht ELSE 0 END) AS local_ht,
            SUM(CASE WHEN p.is_organic THEN l.line_ht ELSE 0 END) AS organic_ht,
            SUM(l.beneficiary_share) AS beneficiary_paid, SUM(l.subsidy) AS subsidy
        """
    + LINES_OF_CYCLES
    + """
        GROUP BY l.order_id
    ) s
    JOIN {order} o ON o.id = s.order_id
    JOIN {cycle} c ON c.id = o.cycle_id
    LEFT JOIN {household} h ON h.id = o.household_id
    LEFT JOIN {envelope} e ON e.id = o.envelope_id
    JOIN {grocery} g ON g.id = COALESCE(o.grocery_id, h.pickup_grocery_id)
    JOIN {organisation} go ON go.id = g.organisation_id
    """
)

PRODUCER_FACTS = (
    """
    INSERT INTO {producer_fact} (
        cycle_id, delivery_date, week_start, month_start, producer_id, grocery_id, commune,
        zone_id, value_ttc, kg_delivered
    )
    SELECT s.cycle_id, c.delivery_date, {week}, {month}, s.producer_id, g.id, go.commune,
        g.zone_id, s.value_ttc, s.kg_delivered
    FROM (
        SELECT o.cycle_id, p.producer_id,
            COALESCE(o.grocery_id, h.pickup_grocery_id) AS grocery_id,
            SUM(l.line_ttc) AS value_ttc, """
    + DELIVERED_KG
    + """ AS kg_delivered
        """
    + LINES_OF_CYCLES
    + """
        GROUP BY o.cycle_id, p.producer_id, COALESCE(o.grocery_id, h.pickup_grocery_id)
    ) s
    JOIN {cycle} c ON c.id = s.cycle_id
    JOIN {grocery} g ON g.id = s.grocery_id
    JOIN {organisation} go ON go.id = g.organisation_id
    """
)


@transaction.atomic
def cycles_snapshot_refresh(*, cycle_ids: list[int], now: datetime) -> int:
    """Replace the snapshot rows of some cycles in one pass over their lines (a cycle not,
    or no longer, counted gets none); answers the number of orders taken."""
    cycles = locks.cycles_lock(cycle_ids)
    facts = OrderFact.objects.filter(cycle_id__in=cycles)
    months_before = set(facts.values_list("month_start", flat=True).distinct())
    facts.delete()
    ProducerFact.objects.filter(cycle_id__in=cycles).delete()
    counted = [cycle_id for cycle_id, status in cycles.items() if status in COUNTED_IN_DASHBOARDS]
    CycleSnapshot.objects.filter(cycle_id__in=set(cycles) - set(counted)).delete()
    if not counted:
        return 0
    tables = {**_tables(), **_truncations(), "cycles": ", ".join(["%s"] * len(counted))}
    with connection.cursor() as cursor:
        # Hash joins and aggregates over a year of lines stay in memory.
        db.work_memory_raise(cursor)
        cursor.execute(ORDER_FACTS.format(**tables), [Decimal(settings.LOCAL_RADIUS_KM), *counted])
        orders = cursor.rowcount
        cursor.execute(PRODUCER_FACTS.format(**tables), counted)
    _share_distance(counted)
    household_months_rebuild(
        months=months_before
        | set(OrderFact.objects.filter(cycle_id__in=counted).values_list("month_start", flat=True))
    )
    lines = dict(
        OrderFact.objects.filter(cycle_id__in=counted)
        .values("cycle_id")
        .annotate(count=Sum("lines"))
        .values_list("cycle_id", "count")
        .order_by()
    )
    CycleSnapshot.objects.filter(cycle_id__in=counted).delete()
    CycleSnapshot.objects.bulk_create(
        CycleSnapshot(
            cycle_id=cycle_id,
            status=cycles[cycle_id],
            refreshed_at=now,
            lines=lines.get(cycle_id, 0),
        )
        for cycle_id in counted
    )
    return orders


HOUSEHOLD_MONTHS = """
    INSERT INTO {household_month} (household_id, month_start, commune, zone_id, spent, cap)
    SELECT household_id, month_start, commune, zone_id, SUM(value_ttc), MAX(monthly_cap)
    FROM {order_fact}
    WHERE household_id IS NOT NULL AND month_start IN ({months})
    GROUP BY household_id, month_start, commune, zone_id
"""


def household_months_rebuild(*, months: set) -> None:
    """Rebuild the household-month rows of these months from all their order facts (a month
    holds several cycles: the rows of the refreshed ones and of the others)."""
    if not months:
        return
    ordered = sorted(months)
    HouseholdMonthFact.objects.filter(month_start__in=ordered).delete()
    tables = {
        **_tables(),
        "household_month": HouseholdMonthFact._meta.db_table,
        "months": ", ".join(["%s"] * len(ordered)),
    }
    with connection.cursor() as cursor:
        cursor.execute(HOUSEHOLD_MONTHS.format(**tables), ordered)


def _share_distance(cycle_ids: list[int]) -> None:
    """Each cycle's kilometres spread over its orders pro rata to the kilograms delivered."""
    distances = dict(
        Round.objects.filter(cycle_id__in=cycle_ids)
        .values("cycle_id")
        .annotate(km=Sum("distance_km"))
        .values_list("cycle_id", "km")
        .order_by()
    )
    kilograms = dict(
        OrderFact.objects.filter(cycle_id__in=cycle_ids)
        .values("cycle_id")
        .annotate(kg=Sum("kg_delivered"))
        .values_list("cycle_id", "kg")
        .order_by()
    )
    for cycle_id, distance in distances.items():
        if distance and kilograms.get(cycle_id):
            OrderFact.objects.filter(cycle_id=cycle_id).update(
                distance_km=F("kg_delivered") * Decimal(distance) / Decimal(kilograms[cycle_id])
            )


def snapshots_refresh(*, now: datetime, cycle_ids: Iterable[int] | None = None) -> dict:
    """Refresh the given cycles, or those whose figures may have moved: counted cycles not
    yet settled (receptions come in), settled ones never taken or taken before settling,
    and cycles that left the counted states (none do today; cheap to check)."""
    if cycle_ids is None:
        snapshots = dict(CycleSnapshot.objects.values_list("cycle_id", "status"))
        cycle_ids = [
            cycle_id
            for cycle_id, status in OrderCycle.objects.values_list("id", "status")
            if (
                status in COUNTED_IN_DASHBOARDS
                and (status not in FINISHED or snapshots.get(cycle_id) != status)
            )
            or (status not in COUNTED_IN_DASHBOARDS and cycle_id in snapshots)
        ]
    cycle_ids = list(cycle_ids)
    orders = cycles_snapshot_refresh(cycle_ids=cycle_ids, now=now)
    return {"cycles": len(cycle_ids), "orders": orders}

"""Refresh of the dashboards' snapshot rows from the order lines, one cycle at a time.

Each cycle is replaced in its own transaction by two INSERT … SELECT … GROUP BY statements
that the database runs itself (no order line travels to Python), so a page view never scans
order lines and a refresh of a year of cycles takes seconds.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum

from accounting.models import Envelope
from logistics.models import Round
from orders.models import Grocery, Household, Order, OrderLine
from producers.models import Offer, Producer, Product
from supply.choices import CycleStatus
from supply.models import OrderCycle

from .models import CycleSnapshot, OrderFact, ProducerFact

# Figures count from confirmation on: quantities are known (confirmed, then received).
COUNTED = (
    CycleStatus.CONFIRMED,
    CycleStatus.DISPATCHED,
    CycleStatus.DELIVERED,
    CycleStatus.SETTLED,
)


def _tables() -> dict[str, str]:
    return {
        "line": OrderLine._meta.db_table,
        "order": Order._meta.db_table,
        "cycle": OrderCycle._meta.db_table,
        "household": Household._meta.db_table,
        "envelope": Envelope._meta.db_table,
        "grocery": Grocery._meta.db_table,
        "offer": Offer._meta.db_table,
        "product": Product._meta.db_table,
        "producer": Producer._meta.db_table,
        "order_fact": OrderFact._meta.db_table,
        "producer_fact": ProducerFact._meta.db_table,
    }


# The joins from a line to what the dashboards group by; `g` is where the goods go.
FROM_LINES = """
    FROM {line} l
    JOIN {order} o ON o.id = l.order_id
    JOIN {cycle} c ON c.id = o.cycle_id
    LEFT JOIN {household} h ON h.id = o.household_id
    LEFT JOIN {envelope} e ON e.id = o.envelope_id
    JOIN {grocery} g ON g.id = COALESCE(o.grocery_id, h.pickup_grocery_id)
    JOIN {offer} f ON f.id = l.offer_id
    JOIN {product} p ON p.id = f.product_id
    JOIN {producer} pr ON pr.id = p.producer_id
    WHERE o.cycle_id = %s AND o.status <> 'cancelled'
"""
DELIVERED_KG = (
    "SUM(COALESCE(l.received_quantity, l.confirmed_quantity, l.allocated_quantity, l.quantity)"
    " * p.unit_weight_kg)"
)

ORDER_FACTS = (
    """
    INSERT INTO {order_fact} (
        cycle_id, order_id, delivery_date, grocery_id, commune, zone_id, household_id,
        funder_id, persons, monthly_cap, kg_asked, kg_confirmed, kg_delivered, value_ht,
        value_ttc, local_ht, organic_ht, beneficiary_paid, subsidy, distance_km
    )
    SELECT o.cycle_id, o.id, c.delivery_date, g.id, g.commune, g.zone_id, o.household_id,
        CASE WHEN o.household_id IS NULL THEN NULL ELSE COALESCE(e.funder_id, h.funder_id) END,
        COALESCE(h.adults + h.children, 0), h.monthly_cap,
        SUM(l.quantity * p.unit_weight_kg),
        SUM(COALESCE(l.confirmed_quantity, l.allocated_quantity, l.quantity) * p.unit_weight_kg),
        """
    + DELIVERED_KG
    + """,
        SUM(l.line_ht), SUM(l.line_ttc),
        SUM(CASE WHEN pr.distance_to_hub_km <= %s THEN l.line_ht ELSE 0 END),
        SUM(CASE WHEN p.is_organic THEN l.line_ht ELSE 0 END),
        SUM(l.beneficiary_share), SUM(l.subsidy), 0
    """
    + FROM_LINES
    + """
    GROUP BY o.cycle_id, o.id, c.delivery_date, g.id, g.commune, g.zone_id, o.household_id,
        e.funder_id, h.funder_id, h.adults, h.children, h.monthly_cap
    """
)

PRODUCER_FACTS = (
    """
    INSERT INTO {producer_fact} (
        cycle_id, delivery_date, producer_id, grocery_id, commune, zone_id, value_ttc,
        kg_delivered
    )
    SELECT o.cycle_id, c.delivery_date, p.producer_id, g.id, g.commune, g.zone_id,
        SUM(l.line_ttc), """
    + DELIVERED_KG
    + FROM_LINES
    + """
    GROUP BY o.cycle_id, c.delivery_date, p.producer_id, g.id, g.commune, g.zone_id
    """
)


@transaction.atomic
def cycle_snapshot_refresh(*, cycle_id: int, now: datetime) -> int:
    """Replace one cycle's snapshot rows; a cycle not (or no longer) counted gets none."""
    cycle = OrderCycle.objects.select_for_update().get(pk=cycle_id)
    OrderFact.objects.filter(cycle_id=cycle_id).delete()
    ProducerFact.objects.filter(cycle_id=cycle_id).delete()
    if cycle.status not in COUNTED:
        CycleSnapshot.objects.filter(cycle_id=cycle_id).delete()
        return 0
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(ORDER_FACTS.format(**tables), [Decimal(settings.LOCAL_RADIUS_KM), cycle_id])
        orders = cursor.rowcount
        cursor.execute(PRODUCER_FACTS.format(**tables), [cycle_id])
    _share_distance(cycle_id)
    CycleSnapshot.objects.update_or_create(
        cycle_id=cycle_id,
        defaults={
            "status": cycle.status,
            "refreshed_at": now,
            "lines": OrderLine.objects.filter(order__cycle_id=cycle_id).count(),
        },
    )
    return orders


def _share_distance(cycle_id: int) -> None:
    """The cycle's kilometres spread over its orders pro rata to the kilograms delivered."""
    distance = Round.objects.filter(cycle_id=cycle_id).aggregate(km=Sum("distance_km"))["km"]
    kilograms = OrderFact.objects.filter(cycle_id=cycle_id).aggregate(kg=Sum("kg_delivered"))["kg"]
    if distance and kilograms:
        OrderFact.objects.filter(cycle_id=cycle_id).update(
            distance_km=F("kg_delivered") * Decimal(distance) / Decimal(kilograms)
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
                status in COUNTED
                and (status != CycleStatus.SETTLED or snapshots.get(cycle_id) != status)
            )
            or (status not in COUNTED and cycle_id in snapshots)
        ]
    refreshed = {
        cycle_id: cycle_snapshot_refresh(cycle_id=cycle_id, now=now) for cycle_id in cycle_ids
    }
    return {"cycles": len(refreshed), "orders": sum(refreshed.values())}

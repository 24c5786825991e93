"""The officials' dashboard on a year of settled cycles, on PostgreSQL.

    python bench/dashboards.py            # generate (if needed), refresh, measure
    python bench/dashboards.py generate   # only build the data set
    python bench/dashboards.py measure    # only refresh the snapshots and time the endpoint

The data set: 52 weekly settled cycles, 1 000 000 order lines (about 1 800 household orders
of ~10 lines and 30 grouped orders of ~40 lines per cycle), 3 000 households in the three
communes, 30 groceries, 40 producers. Built by INSERT ... SELECT generate_series in the
database itself (a couple of minutes). It lives in its own database (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/appro_dashboard_bench).

Measured: the snapshot refresh of all 52 cycles; GET /api/v1/dashboards/kpis/ for the year
(median of 20 calls through Django's test client, in process), against the same figures by
hand-written SQL over the same snapshot tables in the same process; for scale, the same
figures by one SQL scan of the order lines.
"""

import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _world
from _setup import fresh_database, setup_django, timed, use_database

use_database("appro_dashboard_bench")

CYCLES = 52
HOUSEHOLDS = 3_000
GROCERIES = 30
PRODUCERS = 40
OFFERS_PER_CYCLE = 120
HOUSEHOLD_ORDERS_PER_CYCLE = 1_805
HOUSEHOLD_LINES = 10
GROUPED_LINES = 40
FIRST_DELIVERY = date(2025, 11, 27)
TARGETS = {"kpi_ms": 200.0, "ratio": 2.0, "refresh_s": 30.0}


def generate() -> None:
    fresh_database()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from core.choices import Role
    from core.formats import format_date
    from core.models import Membership, Organisation, User
    from logistics.models import Round, Vehicle, Zone
    from orders.models import Household, TariffTier
    from producers.models import Offer
    from supply.models import OrderCycle

    call_command("load_zones", verbosity=0)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        platform, hub = _world.platform_hub()
        coordinator = User.objects.create(username="bench-coordinator")
        Membership.objects.create(user=coordinator, organisation=platform, role=Role.COORDINATOR)
        city = Organisation.objects.create(kind="city", name="Ville de Lille", commune="Lille")
        official = User.objects.create(username="bench-official")
        Membership.objects.create(user=official, organisation=city, role=Role.OFFICIAL)
        van = Vehicle.objects.create(
            organisation=platform,
            name="Fourgon",
            capacity_kg=Decimal("1200"),
            cost_per_km=Decimal("0.4"),
        )
        communes = ["Lille", "Lomme", "Hellemmes"]
        zones = {zone.commune: zone for zone in Zone.objects.filter(kind="commune")}
        services, funders = [], []
        for commune in communes:
            service, funder, _ = _world.ccas_funder(
                commune,
                period_start=FIRST_DELIVERY - timedelta(days=7),
                period_end=FIRST_DELIVERY + timedelta(days=7 * CYCLES + 7),
                amount="100000000.00",
            )
            services.append(service)
            funders.append(funder)
        groceries = [
            _world.grocery(index, commune=communes[index % 3], zone=zones.get(communes[index % 3]))
            for index in range(GROCERIES)
        ]
        products = []
        for index in range(PRODUCERS):
            producer = _world.producer(
                index, distance_to_hub_km=Decimal(8 + index * 3), is_organic=index % 5 == 0
            )
            for number in range(OFFERS_PER_CYCLE // PRODUCERS):
                products.append(
                    _world.product(
                        producer,
                        f"Produit {index}-{number}",
                        pack_size=Decimal("1"),
                        unit_price_ht=Decimal(80 + (index * 37 + number * 53) % 900) / 100,
                        is_organic=(index + number) % 6 == 0,
                    )
                )
        tiers = [  # flush emptied the tiers of the data migration
            TariffTier.objects.get_or_create(
                code=code,
                defaults={"label": code, "beneficiary_rate": rate, "max_reste_a_vivre": ceiling},
            )[0]
            for code, rate, ceiling in (
                ("T1", Decimal("0.10"), Decimal("4")),
                ("T2", Decimal("0.20"), Decimal("8")),
                ("T3", Decimal("0.30"), Decimal("12")),
            )
        ]
        Household.objects.bulk_create(
            Household(
                social_service=services[index % 3],
                reference=f"BEN-{index:05d}",
                adults=1 + index % 2,
                children=index % 4,
                valid_from=FIRST_DELIVERY - timedelta(days=7),
                valid_until=FIRST_DELIVERY + timedelta(days=7 * CYCLES + 7),
                tier=tiers[index % len(tiers)],
                monthly_cap=Decimal("50"),
                pickup_grocery=groceries[(index % 3) + 3 * ((index // 3) % (GROCERIES // 3))],
                funder=funders[index % 3],
                consent_at=now,
            )
            for index in range(HOUSEHOLDS)
        )
        for week in range(CYCLES):
            delivery = FIRST_DELIVERY + timedelta(days=7 * week)
            moment = timezone.make_aware(
                timezone.datetime.combine(
                    delivery - timedelta(days=3), timezone.datetime.min.time()
                )
            )
            cycle = OrderCycle.objects.create(
                name=f"Livraison du {format_date(delivery)}",
                opens_at=moment - timedelta(days=4),
                closes_at=moment,
                confirm_by=moment + timedelta(days=1),
                delivery_date=delivery,
                hub=hub,
                status="settled",
            )
            Offer.objects.bulk_create(
                Offer(
                    cycle=cycle,
                    product=product,
                    quantity_available=Decimal("100000"),
                    unit_price_ht=product.unit_price_ht,
                )
                for product in products
            )
            for kind, km in (("collection", 62 + week % 9), ("delivery", 41 + week % 7)):
                Round.objects.create(
                    cycle=cycle,
                    kind=kind,
                    vehicle=van,
                    distance_km=Decimal(km),
                    duration_min=240,
                    load_kg=Decimal("900"),
                    cost_eur=Decimal(km) * Decimal("0.4") + Decimal("96"),
                    starts_at=moment,
                    ends_at=moment,
                    planned_at=moment,
                )
        with connection.cursor() as cursor:
            cursor.execute(
                _ORDERS_SQL,
                {
                    "placed_by": coordinator.id,
                    "per_cycle": HOUSEHOLD_ORDERS_PER_CYCLE,
                    "households": HOUSEHOLDS,
                    "groceries": GROCERIES,
                },
            )
            cursor.execute(
                _LINES_SQL, {"household_lines": HOUSEHOLD_LINES, "grouped_lines": GROUPED_LINES}
            )
            cursor.execute(_TOTALS_SQL)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM orders_orderline")
        lines = cursor.fetchone()[0]
    print(f"generated {lines} order lines in {time.perf_counter() - started:.0f} s")


# Household orders: per cycle, households taken in turn (a different slice each week);
# grouped orders: one per grocery and cycle.
_ORDERS_SQL = """
INSERT INTO orders_order (cycle_id, grocery_id, household_id, envelope_id, placed_by_id, status,
    submitted_at, updated_at, total_ht, total_ttc, beneficiary_total, subsidy_total)
SELECT c.id, NULL, h.id, e.id, %(placed_by)s, 'settled', c.opens_at, c.opens_at, 0, 0, 0, 0
FROM supply_ordercycle c
CROSS JOIN generate_series(0, %(per_cycle)s - 1) n
JOIN orders_household h
    ON h.reference = 'BEN-' || lpad(((n + c.id * 377) %% %(households)s)::text, 5, '0')
JOIN accounting_envelope e ON e.funder_id = h.funder_id
UNION ALL
SELECT c.id, g.id, NULL, NULL, %(placed_by)s, 'settled', c.opens_at, c.opens_at, 0, 0, 0, 0
FROM supply_ordercycle c CROSS JOIN orders_grocery g
"""

# Lines: distinct offers of the order's cycle; quantities 1..6 kg (groceries 5..40),
# some confirmed short and received short; prices and the split per DESIGN.md §4.1–4.2.
_LINES_SQL = """
WITH picks AS (
    SELECT o.id AS order_id, o.cycle_id, o.household_id, t.beneficiary_rate AS rate, k,
        CASE WHEN o.household_id IS NULL THEN 5 + (o.id * 7 + k * 13) %% 36
             ELSE 1 + (o.id * 3 + k) %% 6 END AS quantity,
        (o.id * 31 + k * 17) AS seed
    FROM orders_order o
    LEFT JOIN orders_household h ON h.id = o.household_id
    LEFT JOIN orders_tarifftier t ON t.id = h.tier_id
    CROSS JOIN LATERAL generate_series(
        1, CASE WHEN o.household_id IS NULL THEN %(grouped_lines)s ELSE %(household_lines)s END) k
),
offered AS (
    SELECT f.id, f.cycle_id, f.unit_price_ht, p.vat_rate,
        row_number() OVER (PARTITION BY f.cycle_id ORDER BY f.id) - 1 AS position,
        count(*) OVER (PARTITION BY f.cycle_id) AS offers
    FROM producers_offer f JOIN producers_product p ON p.id = f.product_id
),
priced AS (
    SELECT pk.*, f.id AS offer_id, f.unit_price_ht, f.vat_rate,
        CASE WHEN pk.seed %% 11 = 0 THEN pk.quantity - 1 ELSE pk.quantity END AS confirmed,
        CASE WHEN pk.seed %% 23 = 0 THEN GREATEST(pk.quantity - 2, 0) ELSE NULL END AS received
    FROM picks pk
    JOIN offered f ON f.cycle_id = pk.cycle_id
        AND f.position = (pk.order_id * 7 + pk.k * 11) %% f.offers
),
amounts AS (
    SELECT *, round(COALESCE(received, confirmed) * unit_price_ht, 2) AS line_ht FROM priced
),
split AS (
    SELECT *, round(line_ht * vat_rate, 2) AS line_vat,
        line_ht + round(line_ht * vat_rate, 2) AS line_ttc
    FROM amounts
)
INSERT INTO orders_orderline (order_id, offer_id, quantity, allocated_quantity,
    confirmed_quantity, received_quantity, unit_price_ht, vat_rate, tier_rate, line_ht,
    line_vat, line_ttc, beneficiary_share, subsidy)
SELECT order_id, offer_id, quantity, NULL, confirmed, received, unit_price_ht, vat_rate, rate,
    line_ht, line_vat, line_ttc,
    CASE WHEN household_id IS NULL THEN 0 ELSE round(line_ttc * rate, 2) END,
    CASE WHEN household_id IS NULL THEN 0 ELSE line_ttc - round(line_ttc * rate, 2) END
FROM split
ON CONFLICT DO NOTHING
"""

_TOTALS_SQL = """
UPDATE orders_order o SET total_ht = s.ht, total_ttc = s.ttc, beneficiary_total = s.share,
    subsidy_total = s.subsidy
FROM (SELECT order_id, sum(line_ht) ht, sum(line_ttc) ttc, sum(beneficiary_share) share,
    sum(subsidy) subsidy FROM orders_orderline GROUP BY order_id) s
WHERE s.order_id = o.id
"""

# The same figures as the endpoint, by hand, over the same snapshot tables.
_HAND_SQL = [
    """SELECT count(*), sum(kg_asked), sum(kg_confirmed), sum(kg_delivered), sum(value_ht),
        sum(value_ttc), sum(local_ht), sum(organic_ht), sum(beneficiary_paid), sum(subsidy),
        sum(distance_km)
    FROM dashboards_orderfact WHERE delivery_date BETWEEN %(start)s AND %(end)s""",
    """SELECT count(DISTINCT household_id) FROM dashboards_orderfact
    WHERE delivery_date BETWEEN %(start)s AND %(end)s AND household_id IS NOT NULL""",
    """SELECT sum(size) FROM (SELECT max(persons) size FROM dashboards_orderfact
        WHERE delivery_date BETWEEN %(start)s AND %(end)s AND household_id IS NOT NULL
        GROUP BY household_id) s""",
    """SELECT sum(spent), sum(cap) FROM dashboards_householdmonthfact
    WHERE month_start BETWEEN date_trunc('month', %(start)s::date) AND %(end)s""",
    """SELECT sum(value_ttc), count(DISTINCT producer_id) FROM dashboards_producerfact
    WHERE delivery_date BETWEEN %(start)s AND %(end)s""",
]

# For scale only: the headline sums straight from the order lines.
_RAW_SQL = """
SELECT count(DISTINCT o.id), count(DISTINCT o.household_id), sum(l.line_ttc), sum(l.subsidy),
    sum(COALESCE(l.received_quantity, l.confirmed_quantity, l.quantity) * p.unit_weight_kg)
FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
JOIN supply_ordercycle c ON c.id = o.cycle_id
JOIN producers_offer f ON f.id = l.offer_id JOIN producers_product p ON p.id = f.product_id
WHERE c.delivery_date BETWEEN %(start)s AND %(end)s AND o.status <> 'cancelled'
"""


def measure() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from core.models import User
    from dashboards.snapshots import snapshots_refresh
    from supply.models import OrderCycle

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_orderline")
        lines = cursor.fetchone()[0]
    print(f"order lines: {lines}")
    started = time.perf_counter()
    every_cycle = list(OrderCycle.objects.values_list("id", flat=True))
    refreshed = snapshots_refresh(now=timezone.now(), cycle_ids=every_cycle)
    refresh_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_orderfact")
        cursor.execute("ANALYZE dashboards_producerfact")
    print(
        f"snapshot refresh: {refresh_s:.1f} s for {refreshed['cycles']} cycles, "
        f"{refreshed['orders']} orders (target <= {TARGETS['refresh_s']:.0f} s)"
    )

    period = {"start": FIRST_DELIVERY, "end": FIRST_DELIVERY + timedelta(days=7 * CYCLES)}
    client = Client()
    client.force_login(User.objects.get(username="bench-official"))
    path = f"/api/v1/dashboards/kpis/?from={period['start']}&to={period['end']}"
    response = client.get(path)
    assert response.status_code == 200, response.content
    print("figures:", response.json())

    def hand_written():
        with connection.cursor() as cursor:
            for sql in _HAND_SQL:
                cursor.execute(sql, period)
                cursor.fetchall()

    def raw_scan():
        with connection.cursor() as cursor:
            cursor.execute(_RAW_SQL, period)
            cursor.fetchall()

    for _ in range(3):  # warm the caches of both sides alike
        client.get(path)
        hand_written()
    baseline_ms, baseline_all = timed(hand_written, 20, scale=1000)
    endpoint_ms, endpoint_all = timed(lambda: client.get(path), 20, scale=1000)
    raw_ms, _raw_all = timed(raw_scan, 3, scale=1000)
    ratio = endpoint_ms / baseline_ms
    print(
        f"hand-written SQL over the snapshots (baseline): median {baseline_ms:.1f} ms "
        f"[{min(baseline_all):.1f}-{max(baseline_all):.1f}]"
    )
    print(
        f"GET /dashboards/kpis/ (a year): median {endpoint_ms:.1f} ms "
        f"[{min(endpoint_all):.1f}-{max(endpoint_all):.1f}] = {ratio:.2f} x baseline "
        f"(target <= {TARGETS['ratio']} x, <= {TARGETS['kpi_ms']:.0f} ms)"
    )
    print(f"for scale, one SQL scan of the order lines: median {raw_ms:.0f} ms")
    commune_ms, _ = timed(lambda: client.get(path + "&commune=Lomme"), 20, scale=1000)
    print(f"GET /dashboards/kpis/?commune=Lomme: median {commune_ms:.1f} ms")
    passed = (
        endpoint_ms <= TARGETS["kpi_ms"]
        and ratio <= TARGETS["ratio"]
        and refresh_s <= TARGETS["refresh_s"]
    )
    print(
        f"dashboards: kpis {endpoint_ms:.0f} ms, {ratio:.2f} x SQL, refresh {refresh_s:.1f} s "
        f"(target <= {TARGETS['kpi_ms']:.0f} ms, <= {TARGETS['ratio']} x, "
        f"<= {TARGETS['refresh_s']:.0f} s) {'PASS' if passed else 'FAIL'}"
    )


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("generate", "all"):
        generate()
    if step in ("measure", "all"):
        measure()

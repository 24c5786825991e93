"""Close a cycle of production size on PostgreSQL, and time it against a plain aggregate.

    python bench/consolidation.py            # generate (if needed) then measure
    python bench/consolidation.py generate   # only build the data set
    python bench/consolidation.py measure    # only time (in a fresh process: its peak RSS
                                             # is the worker's memory)

The data set: 40 groceries, 5 000 household orders and 40 grouped orders, 300 000 order
lines over 200 offers, a quarter of the offers short of demand. It lives in its own database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/appro_bench).

Figures are medians; repeated closes run inside a transaction that is rolled back, so each
starts from the same open cycle; one last close commits, and its time is printed too.
"""

import io
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _world
from _setup import fresh_database, setup_django, timed, use_database

use_database("appro_bench")

GROCERIES = 40
HOUSEHOLD_ORDERS = 5_000
LINES = 300_000
OFFERS = 200
PRODUCERS = 20
SHORT_SHARE = 4  # one offer in four is short
TARGETS = {"query_ratio": 1.5, "close_s": 5.0, "csv_s": 2.0, "rss_mb": 1024}


def generate() -> None:
    fresh_database()
    from django.db import connection, transaction
    from django.utils import timezone

    from accounting.models import Envelope
    from core.choices import Role
    from core.models import Membership, User
    from orders.models import Household, Order, OrderLine
    from orders.pricing import price_line
    from producers.models import Offer

    random.seed(42)
    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        platform, hub = _world.platform_hub()
        coordinator = User.objects.create(username="bench-coordinator")
        Membership.objects.create(user=coordinator, organisation=platform, role=Role.COORDINATOR)
        tier = _world.tier("T1", "0.1", "4")
        social_service, funder, envelope = _world.ccas_funder(
            "Lille",
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=60),
            amount="10000000.00",
        )
        groceries = [_world.grocery(index) for index in range(GROCERIES)]
        cycle = _world.open_cycle(hub, now=now, today=today, name="Cycle de référence")
        offers = []
        for index in range(PRODUCERS):
            producer = _world.producer(index)
            for number in range(OFFERS // PRODUCERS):
                pack = random.choice([Decimal("1"), Decimal("1"), Decimal("0.5"), Decimal("6")])
                product = _world.product(
                    producer,
                    f"Produit {index}-{number}",
                    pack_size=pack,
                    unit_price_ht=Decimal(random.randint(80, 1500)) / 100,
                )
                offers.append(
                    Offer.objects.create(
                        cycle=cycle,
                        product=product,
                        quantity_available=Decimal("0"),
                        unit_price_ht=product.unit_price_ht,
                    )
                )
        households = Household.objects.bulk_create(
            _world.household(
                f"LIL-2026-{index:05d}",
                service=social_service,
                tier=tier,
                grocery=groceries[index % GROCERIES],
                funder=funder,
                today=today,
                now=now,
            )
            for index in range(HOUSEHOLD_ORDERS)
        )
        orders = Order.objects.bulk_create(
            [
                Order(
                    cycle=cycle,
                    household=household,
                    envelope=envelope,
                    placed_by=coordinator,
                    submitted_at=now - timedelta(seconds=index),
                    updated_at=now,
                )
                for index, household in enumerate(households)
            ]
            + [
                Order(
                    cycle=cycle,
                    grocery=grocery,
                    placed_by=coordinator,
                    submitted_at=now - timedelta(hours=1, seconds=index),
                    updated_at=now,
                )
                for index, grocery in enumerate(groceries)
            ]
        )
        grouped_lines = GROCERIES * OFFERS
        per_household, extra = divmod(LINES - grouped_lines, HOUSEHOLD_ORDERS)
        buffer = io.StringIO()
        demand = dict.fromkeys((offer.id for offer in offers), Decimal("0"))
        totals = {}
        count = 0
        for index, order in enumerate(orders):
            is_household = order.household_id is not None
            size = per_household + (1 if index < extra else 0)
            chosen = random.sample(offers, size) if is_household else offers
            sums = [Decimal("0")] * 4
            for offer in chosen:
                pack = offer.product.pack_size
                quantity = pack * (random.randint(1, 3) if is_household else random.randint(5, 40))
                price = price_line(
                    quantity=quantity,
                    unit_price_ht=offer.unit_price_ht,
                    vat_rate=Decimal("0.055"),
                    tier_rate=tier.beneficiary_rate if is_household else None,
                )
                buffer.write(
                    f"{order.id}\t{offer.id}\t{quantity}\t{offer.unit_price_ht}\t0.0550\t"
                    f"{tier.beneficiary_rate if is_household else chr(92) + 'N'}\t"
                    f"{price.line_ht}\t{price.line_vat}\t{price.line_ttc}\t"
                    f"{price.beneficiary_share}\t{price.subsidy}\n"
                )
                demand[offer.id] += quantity
                sums = [
                    sums[0] + price.line_ht,
                    sums[1] + price.line_ttc,
                    sums[2] + price.beneficiary_share,
                    sums[3] + price.subsidy,
                ]
                count += 1
            totals[order.id] = sums
        buffer.seek(0)
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY orders_orderline (order_id, offer_id, quantity, unit_price_ht, vat_rate, "
                "tier_rate, line_ht, line_vat, line_ttc, beneficiary_share, subsidy) FROM STDIN"
            ) as copy,
        ):
            copy.write(buffer.read())
        for order in orders:
            order.total_ht, order.total_ttc, order.beneficiary_total, order.subsidy_total = totals[
                order.id
            ]
        Order.objects.bulk_update(
            orders, ["total_ht", "total_ttc", "beneficiary_total", "subsidy_total"], 2000
        )
        Envelope.objects.filter(pk=envelope.pk).update(
            committed=sum(totals[order.id][3] for order in orders)
        )
        for index, offer in enumerate(offers):
            ratio = Decimal("0.6") if index % SHORT_SHARE == 0 else Decimal("1.5")
            offer.quantity_available = (demand[offer.id] * ratio).quantize(Decimal("1"))
        Offer.objects.bulk_update(offers, ["quantity_available"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"generated: {OrderLine.objects.count()} lines, {Order.objects.count()} orders, "
        f"{len(offers)} offers in {time.perf_counter() - started:.1f} s"
    )


RESTORE_SQL = [
    # Lines back to what was asked, priced the way orders.pricing does (ROUND on numeric is
    # half away from zero, i.e. half-up for these positive amounts).
    """UPDATE orders_orderline AS l SET allocated_quantity = NULL, confirmed_quantity = NULL,
        line_ht = v.ht, line_vat = v.vat, line_ttc = v.ht + v.vat,
        beneficiary_share = CASE WHEN l.tier_rate IS NULL THEN 0
                                 ELSE ROUND((v.ht + v.vat) * l.tier_rate, 2) END,
        subsidy = CASE WHEN l.tier_rate IS NULL THEN 0
                       ELSE (v.ht + v.vat) - ROUND((v.ht + v.vat) * l.tier_rate, 2) END
      FROM (SELECT id, ROUND(quantity * unit_price_ht, 2) AS ht,
                   ROUND(ROUND(quantity * unit_price_ht, 2) * vat_rate, 2) AS vat
              FROM orders_orderline
             WHERE allocated_quantity IS NOT NULL OR confirmed_quantity IS NOT NULL) AS v
     WHERE l.id = v.id""",
    """UPDATE orders_order AS o SET status = 'submitted', total_ht = s.ht, total_ttc = s.ttc,
        beneficiary_total = s.share, subsidy_total = s.subsidy
      FROM (SELECT order_id, SUM(line_ht) AS ht, SUM(line_ttc) AS ttc,
                   SUM(beneficiary_share) AS share, SUM(subsidy) AS subsidy
              FROM orders_orderline GROUP BY order_id) AS s
     WHERE o.id = s.order_id""",
    """UPDATE accounting_envelope AS e SET committed = (
        SELECT COALESCE(SUM(subsidy_total), 0) FROM orders_order WHERE envelope_id = e.id)""",
    "DELETE FROM supply_purchaselistline",
    "DELETE FROM supply_purchaselist",
    "DELETE FROM supply_cycleevent WHERE to_status = 'closed'",
    "UPDATE supply_ordercycle SET status = 'open', closes_at = now() + interval '1 day'",
]


def restore(cycle) -> None:
    """Put the data set back as generated, so that `measure` can run again."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for statement in RESTORE_SQL:
            cursor.execute(statement)


def measure() -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from core.models import TaskRun, User
    from supply import consolidation, tasks
    from supply.models import OrderCycle

    call_command("migrate", verbosity=0)  # the data set may predate the latest migrations
    cycle = OrderCycle.objects.get(name="Cycle de référence")
    restore(cycle)  # in case a previous run stopped half-way
    with connection.cursor() as cursor:  # the restore leaves dead rows behind: clear them
        cursor.execute("VACUUM ANALYZE orders_orderline, orders_order")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orders_orderline")
        lines = cursor.fetchone()[0]

    def plain_aggregate():
        with connection.cursor() as cursor:
            cursor.execute("SELECT offer_id, SUM(quantity) FROM orders_orderline GROUP BY offer_id")
            cursor.fetchall()

    def consolidation_query():
        list(consolidation.offer_demand(cycle.id))

    plain_aggregate()
    consolidation_query()  # warm the caches of both alike
    plain, _ = timed(plain_aggregate, 7)
    query, _ = timed(consolidation_query, 7)

    def close_and_roll_back():
        with transaction.atomic():
            run = TaskRun.objects.create(name="cycle_close")
            tasks.cycle_close_task.apply(
                kwargs={"cycle_id": cycle.id, "user_id": None, "task_run_id": str(run.id)}
            ).get()
            transaction.set_rollback(True)

    close, close_runs = timed(close_and_roll_back, 3)
    run = TaskRun.objects.create(name="cycle_close")
    started = time.perf_counter()
    result = tasks.cycle_close_task.apply(
        kwargs={"cycle_id": cycle.id, "user_id": None, "task_run_id": str(run.id)}
    ).get()
    committed_close = time.perf_counter() - started

    client = APIClient()
    client.force_authenticate(User.objects.get(username="bench-coordinator"))

    def render_csvs():
        purchase = client.get(f"/api/v1/cycles/{cycle.id}/purchase-lists/?format=csv")
        packing = client.get(f"/api/v1/cycles/{cycle.id}/packing-lists/?format=csv")
        assert purchase.status_code == packing.status_code == 200
        packed = b"".join(packing.streaming_content) if packing.streaming else packing.content
        return len(purchase.content) + len(packed)

    csv_size = render_csvs()
    csv, _ = timed(render_csvs, 3)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    restore(cycle)
    print(
        f"data set: {lines} order lines, {result['offers']} offers "
        f"({result['short_offers']} short, {result['lines_reallocated']} lines reallocated)"
    )
    print(f"plain SQL GROUP BY offer (baseline): median {plain * 1000:.1f} ms")
    print(
        f"consolidation query:                 median {query * 1000:.1f} ms "
        f"= {query / plain:.2f} x baseline (target <= {TARGETS['query_ratio']} x)"
    )
    print(
        f"close task (rolled back), 3 runs:    median {close:.2f} s "
        f"[{', '.join(f'{value:.2f}' for value in close_runs)}] = {close / plain:.0f} x baseline"
    )
    print(
        f"close task (committed):              {committed_close:.2f} s "
        f"(target <= {TARGETS['close_s']} s)"
    )
    print(
        f"purchase + packing lists as CSV:     median {csv:.2f} s for "
        f"{csv_size / 1e6:.1f} MB (target <= {TARGETS['csv_s']} s)"
    )
    print(f"peak memory of this process:         {rss_mb:.0f} MB (target < {TARGETS['rss_mb']})")
    checks = [
        query / plain <= TARGETS["query_ratio"],
        max(close, committed_close) <= TARGETS["close_s"],
        csv <= TARGETS["csv_s"],
        rss_mb < TARGETS["rss_mb"],
    ]
    verdict = "PASS" if all(checks) else "FAIL"
    print(
        f"consolidation: close {max(close, committed_close):.2f} s, query "
        f"{query / plain:.2f} x, CSV {csv:.2f} s, {rss_mb:.0f} MB "
        f"(target close <= 5 s, query <= 1.5 x, CSV <= 2 s, < 1024 MB) {verdict}"
    )


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step == "generate":
        generate()
    elif step == "measure":
        measure()
    else:
        generate()
        # A fresh process, so that its peak memory is the close's, not the generation's.
        subprocess.run([sys.executable, __file__, "measure"], check=True)

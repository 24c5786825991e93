"""Money at production size, on PostgreSQL (DESIGN.md §12).

    python bench/money.py            # prepare (if needed) then measure
    python bench/money.py prepare    # the 300 000-line cycle of consolidation.py, delivered
    python bench/money.py measure

1. Settling the 300 000-line cycle of bench/consolidation.py (5 040 orders, 20 producers)
   with its invoices, against the same settlement with invoicing turned off, measured in
   the same run: each settlement runs in a fresh copy of the delivered cycle's database
   (CREATE DATABASE … TEMPLATE), in its own process, alternating with and without.
2. The FEC of a year of 52 such cycles (the settled cycle's entries posted again for each
   week of the year: about 260 000 entries, 800 000 lines), against a plain COPY of the same
   join to a file (the floor of reading those rows).

Targets (issue #23): settling with invoices within 2 × the settlement without; the FEC of
the year in at most 10 s.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup_django, use_database

BASE = "appro_money_base"
RUN = "appro_money_run"
RUNS = 3
TARGETS = {"settle_ratio": 2.0, "fec_s": 10.0}
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _exists(name: str) -> bool:
    with _admin() as connection:
        return bool(
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def _copy(source: str, target: str) -> None:
    with _admin() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def _drop(name: str) -> None:
    with _admin() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _in(database: str, step: str, *args: str) -> dict:
    """Run one step of this file in its own process on `database`; its JSON answer."""
    environment = {**os.environ, "BENCH_DATABASE_URL": f"{SERVER}/{database}"}
    output = subprocess.run(
        [sys.executable, __file__, step, *args],
        env=environment,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def deliver_step() -> dict:
    """The data set's cycle closed, confirmed in full, one round, dispatched and delivered."""
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from core.models import Organisation
    from logistics.models import Round, Vehicle
    from supply.models import OrderCycle, PurchaseList
    from supply.services import (
        cycle_close,
        cycle_confirm,
        cycle_deliver,
        cycle_dispatch,
        purchase_list_confirm,
    )

    call_command("migrate", verbosity=0)
    cycle = OrderCycle.objects.get(name="Cycle de référence")
    now = timezone.now()
    started = time.perf_counter()
    cycle_close(cycle_id=cycle.id, user=None, now=now)
    for purchase_list in PurchaseList.objects.filter(cycle=cycle):
        purchase_list_confirm(purchase_list=purchase_list, confirmed={}, now=now)
    cycle_confirm(cycle_id=cycle.id, user=None, now=now)
    vehicle = Vehicle.objects.create(
        organisation=Organisation.objects.get(kind="platform"),
        name="Fourgon du banc",
        capacity_kg=1000,
        cost_per_km=0.4,
    )
    Round.objects.create(
        cycle=cycle,
        kind="delivery",
        vehicle=vehicle,
        distance_km=80,
        duration_min=300,
        load_kg=900,
        cost_eur="120.00",
        starts_at=now,
        ends_at=now,
        planned_at=now,
    )
    cycle_dispatch(cycle_id=cycle.id, user=None, now=now)
    cycle_deliver(cycle_id=cycle.id, user=None, now=now)
    return {"cycle": cycle.id, "seconds": time.perf_counter() - started}


def migrate_step() -> dict:
    """The prepared database brought to today's schema (it may predate a migration)."""
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {"migrated": True}


def settle_step(invoices: str) -> dict:
    setup_django()
    from django.utils import timezone

    from accounting import invoicing, settlement
    from accounting.models import Invoice, JournalEntry
    from supply.models import OrderCycle

    if invoices == "off":  # today's settlement, before #23
        settlement.invoicing.cycle_invoices_issue = lambda **kwargs: []
    # The statements' e-mails (PDFs rendered after commit) are the same either way: left out.
    settlement.notifications.statements_ready = lambda **kwargs: 0
    cycle = OrderCycle.objects.get(name="Cycle de référence")
    started = time.perf_counter()
    settlement.cycle_settle(cycle_id=cycle.id, user=None, now=timezone.now())
    seconds = time.perf_counter() - started
    assert invoicing  # the module the switch above turns off
    return {
        "seconds": seconds,
        "entries": JournalEntry.objects.count(),
        "invoices": Invoice.objects.count(),
    }


YEAR_OF_ENTRIES = [
    # Each entry of the settled cycle posted again on each other week of the year.
    """INSERT INTO accounting_journalentry
         (source_key, kind, cycle_id, order_id, purchase_list_id, reverses_id, memo, posted_at,
          posted_by_id)
       SELECT e.source_key || ':w' || w, e.kind, e.cycle_id, e.order_id, e.purchase_list_id,
              NULL, e.memo, date_trunc('year', e.posted_at) + w * interval '7 days',
              e.posted_by_id
         FROM accounting_journalentry e, generate_series(0, 50) AS w
        WHERE e.source_key NOT LIKE '%%:w%%'""",
    """INSERT INTO accounting_journalline (entry_id, account_id, debit, credit)
       SELECT n.id, l.account_id, l.debit, l.credit
         FROM accounting_journalline l
         JOIN accounting_journalentry o ON o.id = l.entry_id
         JOIN generate_series(0, 50) AS w ON true
         JOIN accounting_journalentry n ON n.source_key = o.source_key || ':w' || w""",
    "VACUUM ANALYZE accounting_journalentry",
    "VACUUM ANALYZE accounting_journalline",
]

PLAIN_FEC = """COPY (
    SELECT a.code, a.name, e.id, e.posted_at, e.memo, l.debit, l.credit
      FROM accounting_journalline l
      JOIN accounting_journalentry e ON e.id = l.entry_id
      JOIN accounting_account a ON a.id = l.account_id
     WHERE e.posted_at >= %s AND e.posted_at < %s
     ORDER BY e.posted_at, e.id, l.id) TO STDOUT"""


def fec_step() -> dict:
    setup_django()
    from datetime import datetime

    from django.db import connection
    from django.utils import timezone

    from accounting import fec
    from accounting.models import JournalEntry, JournalLine

    with connection.cursor() as cursor:
        for statement in YEAR_OF_ENTRIES:
            cursor.execute(statement)
    year = timezone.localdate().year
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))

    def plain() -> int:
        size = 0
        connection.ensure_connection()
        raw = connection.connection  # psycopg's own cursor, for COPY
        with raw.cursor() as cursor, cursor.copy(PLAIN_FEC, [start, end]) as copy:
            for block in copy:
                size += len(block)
        return size

    plain()
    fec_runs, plain_runs, size = [], [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        plain()
        plain_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        size = sum(len(chunk) for chunk in fec.fec_chunks(year))
        fec_runs.append(time.perf_counter() - started)
    return {
        "entries": JournalEntry.objects.filter(posted_at__year=year).count(),
        "lines": JournalLine.objects.filter(entry__posted_at__year=year).count(),
        "bytes": size,
        "fec": fec_runs,
        "plain": plain_runs,
        "problems": fec.fec_check(year),
    }


def prepare() -> None:
    use_database("appro_bench")
    if not _exists("appro_bench"):
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "consolidation.py"), "generate"],
            check=True,
            cwd=ROOT,
        )
    _copy("appro_bench", BASE)
    delivered = _in(BASE, "deliver")
    print(f"prepared: cycle {delivered['cycle']} delivered in {delivered['seconds']:.1f} s")


def measure() -> None:
    if not _exists(BASE):
        prepare()
    _in(BASE, "migrate")
    runs: dict[str, list[float]] = {"on": [], "off": []}
    counts = {}
    for _ in range(RUNS):
        for switch in ("off", "on"):
            _copy(BASE, RUN)
            answer = _in(RUN, "settle", switch)
            runs[switch].append(answer["seconds"])
            counts[switch] = answer
    with_invoices, without = statistics.median(runs["on"]), statistics.median(runs["off"])
    ratio = with_invoices / without
    print(
        f"settlement without invoices (baseline): median {without:.2f} s "
        f"[{', '.join(f'{value:.2f}' for value in runs['off'])}], "
        f"{counts['off']['entries']} entries"
    )
    print(
        f"settlement with invoices:               median {with_invoices:.2f} s "
        f"[{', '.join(f'{value:.2f}' for value in runs['on'])}], "
        f"{counts['on']['invoices']} invoices = {ratio:.2f} x baseline "
        f"(target <= {TARGETS['settle_ratio']} x)"
    )
    year = _in(RUN, "fec")  # the last settled copy, its entries spread over the year
    _drop(RUN)
    fec_s, plain_s = statistics.median(year["fec"]), statistics.median(year["plain"])
    print(
        f"FEC of a year: {year['entries']} entries, {year['lines']} lines, "
        f"{year['bytes'] / 1e6:.0f} MB: median {fec_s:.2f} s "
        f"[{', '.join(f'{value:.2f}' for value in year['fec'])}] against a plain COPY of the "
        f"same join {plain_s:.2f} s = {fec_s / plain_s:.1f} x (target <= {TARGETS['fec_s']} s); "
        f"read back: {year['problems'] or 'equal to the ledger'}"
    )
    verdict = (
        "PASS"
        if ratio <= TARGETS["settle_ratio"] and fec_s <= TARGETS["fec_s"] and not year["problems"]
        else "FAIL"
    )
    print(
        f"money: settle with invoices {ratio:.2f} x, FEC of a year {fec_s:.2f} s "
        f"(target settle <= 2 x, FEC <= 10 s) {verdict}"
    )


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("migrate", "deliver", "settle", "fec"):
        use_database("appro_bench")  # BENCH_DATABASE_URL names the copy
        steps = {
            "migrate": migrate_step,
            "deliver": deliver_step,
            "settle": settle_step,
            "fec": fec_step,
        }
        answer = steps[step](*sys.argv[2:])
        print(json.dumps(answer))
    elif step == "prepare":
        prepare()
    elif step == "measure":
        measure()
    else:
        prepare()
        measure()

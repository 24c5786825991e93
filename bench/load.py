"""50 grocery volunteers ordering at once, against gunicorn and PostgreSQL (locust, headless).

    python bench/load.py                       # 5 minutes of volunteers, 1 minute of ceiling
    python bench/load.py --minutes 1 --users 20

What it does, in one run:
1. builds its own database (BENCH_DATABASE_URL, default postgres://…/appro_load): one open
   cycle of 100 offers, 50 groceries with a volunteer and a token each, 30 households per
   grocery with their funder's envelope;
2. serves it with gunicorn under the production settings (the Procfile's web line: same
   worker count, WEB_WORKERS, default 3), a Redis cache, DEBUG off;
3. the ceiling: the same number of users hitting GET /api/v1/me/ (authenticated, no work);
4. the volunteers (bench/_load_users.py): offers read, grouped orders changed and read back,
   household orders placed (3 in 10 sent twice with the same Idempotency-Key) and cancelled;
   no pause between requests (unless --pause), so both runs measure what the machine can
   serve; the ceiling never pauses;
5. compares the database with every answer the server acknowledged: each order there with
   its last acknowledged lines and status, no order that no answer announced, every replay
   answered with the first order.

Ends with one line: `load: … PASS|FAIL` (targets: p95 <= 250 ms, zero 5xx, nothing lost or
doubled, volunteers' throughput >= 40 % of the ceiling's).
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _world
from _setup import ROOT, fresh_database, setup_django, use_database

use_database("appro_load")

GROCERIES = 50
HOUSEHOLDS_PER_GROCERY = 30
OFFERS = 100
TARGETS = {"p95_ms": 250, "share_of_ceiling": 0.40}
BIN = Path(sys.executable).parent


def generate() -> dict:
    """A fresh world; returns what the locust users need (cycle, offers, tokens)."""
    fresh_database()
    import random

    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.choices import Role
    from core.models import Membership, User
    from orders.models import Household
    from producers.models import Offer

    random.seed(7)
    now = timezone.now()
    today = timezone.localdate()
    world = {"offers": [], "volunteers": []}
    with transaction.atomic():
        _, hub = _world.platform_hub()
        tier = _world.tier("T2", "0.2", "8")
        social_service, funder, _ = _world.ccas_funder(
            "Lille",
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=60),
            amount="1000000.00",
        )
        cycle = _world.open_cycle(hub, now=now, today=today, name="Cycle sous charge")
        world["cycle"] = cycle.id
        for index in range(10):
            producer = _world.producer(index)
            for number in range(OFFERS // 10):
                pack = random.choice([Decimal("1"), Decimal("0.5")])
                product = _world.product(
                    producer,
                    f"Produit {index}-{number}",
                    pack_size=pack,
                    unit_price_ht=Decimal(random.randint(80, 600)) / 100,
                )
                offer = Offer.objects.create(
                    cycle=cycle,
                    product=product,
                    quantity_available=Decimal("100000"),
                    unit_price_ht=product.unit_price_ht,
                )
                world["offers"].append({"id": offer.id, "pack": str(pack)})
        for index in range(GROCERIES):
            grocery = _world.grocery(index)
            user = User.objects.create_user(username=f"benevole-{index}")
            Membership.objects.create(
                user=user, organisation=grocery.organisation, role=Role.GROCERY_VOLUNTEER
            )
            households = Household.objects.bulk_create(
                _world.household(
                    f"LIL-2026-{index:02d}{number:03d}",
                    service=social_service,
                    tier=tier,
                    grocery=grocery,
                    funder=funder,
                    today=today,
                    now=now,
                )
                for number in range(HOUSEHOLDS_PER_GROCERY)
            )
            world["volunteers"].append(
                {
                    "token": Token.objects.create(user=user).key,
                    "grocery": grocery.id,
                    "households": [household.id for household in households],
                }
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()  # a fresh one for the check afterwards (bench/outage.py restarts PG)
    return world


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(port: int, log: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/6"),
        "LOG_LEVEL": "WARNING",
    }
    with open(log, "w") as output:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--workers",
                os.environ.get("WEB_WORKERS", "3"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/schema/", timeout=5)
            return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer; see {log}")


def swarm(
    user_class: str, users: int, seconds: int, base: str, scratch: Path, during=None, pause=0.0
):
    """One headless locust run; its aggregated figures and the ledger its users kept.
    `during()`, if given, runs in this process while the users work."""
    prefix = scratch / user_class.lower()
    ledger = scratch / f"{user_class.lower()}-ledger.json"
    locust = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(Path(__file__).with_name("_load_users.py")),
            user_class,
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(prefix),
            "--only-summary",
            # At the end, users finish the request they are in (its answer reaches the ledger).
            "--stop-timeout",
            "30",
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "LOAD_WORLD": str(scratch / "world.json"),
            "LOAD_LEDGER": str(ledger),
            "LOAD_PAUSE": str(pause),
        },
    )
    if during is not None:
        during()
    locust.wait()
    with open(f"{prefix}_stats.csv") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return {"rows": rows, "ledger": json.loads(ledger.read_text())}


def figures(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "throughput": float(row["Requests/s"]),
        "median_ms": float(row["Median Response Time"]),
        "p95_ms": float(row["95%"]),
    }


def check_database(cycle_id: int, ledger: dict) -> dict:
    """Every acknowledged order as last acknowledged; nothing the answers did not announce."""
    setup_django()
    from orders.models import Order, OrderStatus

    acknowledged = {int(order_id): state for order_id, state in ledger["orders"].items()}
    orders = Order.objects.filter(cycle_id=cycle_id).prefetch_related("lines")
    stored = {order.id: order for order in orders}
    lost = []
    for order_id, state in acknowledged.items():
        order = stored.get(order_id)
        if order is None or (order.status == OrderStatus.CANCELLED) != state["cancelled"]:
            lost.append(order_id)
            continue
        lines = {str(line.offer_id): line.quantity for line in order.lines.all()}
        expected = {offer: Decimal(quantity) for offer, quantity in state["lines"].items()}
        if not state["cancelled"] and lines != expected:
            lost.append(order_id)
    unannounced = sorted(set(stored) - set(acknowledged))
    return {
        "stored": len(stored),
        "acknowledged": len(acknowledged),
        "lost": lost,
        "duplicated": unannounced,
        "replays": ledger["replays"],
        "unanswered": ledger["unanswered_at_the_end"],
    }


def database_summary(database: dict) -> str:
    return (
        f"database: {database['stored']} orders stored, {database['acknowledged']} "
        f"acknowledged, {len(database['lost'])} lost or changed, {len(database['duplicated'])} "
        f"unannounced; replays answered with the first order {database['replays']['same']}, "
        f"with another {database['replays']['different']}; writes unanswered at the end "
        f"{len(database['unanswered'])}"
    )


def database_intact(database: dict) -> bool:
    return not (
        database["lost"]
        or database["duplicated"]
        or database["replays"]["different"]
        or database["unanswered"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--ceiling-seconds", type=int, default=60)
    parser.add_argument(
        "--pause",
        type=float,
        default=0,
        help="volunteers' mean pause between requests, seconds (default 0: none)",
    )
    arguments = parser.parse_args()
    if arguments.users > GROCERIES:
        raise SystemExit(f"at most {GROCERIES} users: one volunteer per grocery")

    started = time.perf_counter()
    world = generate()
    print(
        f"generated: {GROCERIES} groceries, {GROCERIES * HOUSEHOLDS_PER_GROCERY} households, "
        f"{OFFERS} offers in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    scratch = Path(tempfile.mkdtemp(prefix="appro-load-"))
    (scratch / "world.json").write_text(json.dumps(world))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(port, scratch / "gunicorn.log")
    try:
        ceiling = swarm("Ceiling", arguments.users, arguments.ceiling_seconds, base, scratch)
        volunteers = swarm(
            "Volunteer",
            arguments.users,
            int(arguments.minutes * 60),
            base,
            scratch,
            pause=arguments.pause,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    top = figures(ceiling["rows"]["Aggregated"])
    load = figures(volunteers["rows"]["Aggregated"])
    pause = f"volunteers pause {arguments.pause:g} s" if arguments.pause else "no pause"
    print(
        f"\n{arguments.users} users, {pause}; gunicorn {os.environ.get('WEB_WORKERS', '3')} "
        f"workers; logs in {scratch}"
    )
    header = f"{'requests':<34}{'count':>8}{'fail':>6}{'req/s':>9}{'median':>9}{'p95':>7}"
    print(header)
    for name, row in [("GET /me/ (ceiling)", ceiling["rows"]["Aggregated"])] + [
        (name, row) for name, row in volunteers["rows"].items()
    ]:
        figure = figures(row)
        print(
            f"{name:<34}{figure['requests']:>8}{figure['failures']:>6}"
            f"{figure['throughput']:>9.1f}{figure['median_ms']:>7.0f}ms{figure['p95_ms']:>5.0f}ms"
        )
    statuses = volunteers["ledger"]["statuses"]
    # 0: no answer at all (connection refused or reset), counted with the 5xx.
    server_errors = sum(
        count
        for ledger in (volunteers["ledger"], ceiling["ledger"])
        for code, count in ledger["statuses"].items()
        if int(code) >= 500 or int(code) == 0
    )
    database = check_database(world["cycle"], volunteers["ledger"])
    share = load["throughput"] / top["throughput"] if top["throughput"] else 0.0
    print(f"status codes (volunteers): {dict(sorted(statuses.items()))}")
    print(database_summary(database))
    passed = (
        load["p95_ms"] <= TARGETS["p95_ms"]
        and server_errors == 0
        and load["failures"] == 0
        and database_intact(database)
        and share >= TARGETS["share_of_ceiling"]
    )
    print(
        f"load: p95 {load['p95_ms']:.0f} ms, {load['throughput']:.1f} req/s = {share:.0%} of the "
        f"ceiling ({top['throughput']:.1f} req/s, p95 {top['p95_ms']:.0f} ms), "
        f"{server_errors} 5xx, {load['failures']} failed, {len(database['lost'])} lost, "
        f"{len(database['duplicated'])} duplicated (target p95 <= {TARGETS['p95_ms']} ms, "
        f">= {TARGETS['share_of_ceiling']:.0%} of ceiling, 0 5xx, 0 lost, 0 duplicated) "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

"""The capacity of the order path, against gunicorn and PostgreSQL (locust, headless).

    python bench/load.py                        # about 7 minutes
    python bench/load.py --step-seconds 10      # quicker, noisier

Capacity is measured open-loop: users keep a fixed pace (--rate requests a second each,
locust's constant_throughput), and their number is stepped up, so the rate of arrivals is
what the step offers whatever the answers take; the capacity is the highest throughput a
step served while keeping up (at least 90 % of what it offered) with its p95 within 250 ms.
A step whose p95 passes 250 ms ends that run.

What it does, in one run:
1. builds its own database (BENCH_DATABASE_URL, default postgres://…/appro_load): one open
   cycle of 100 offers, 50 groceries with a volunteer and a token each, 80 households per
   grocery with their funder's envelope;
2. serves it with gunicorn under the production settings (the Procfile's web line: same
   worker count, WEB_WORKERS, default 3), a Redis cache, DEBUG off;
3. the bare endpoint, stepped: GET /api/v1/me/ (authenticated, no work);
4. the order mix, stepped (bench/_load_users.py): offers read, grouped orders changed and
   read back, household orders placed (3 in 10 sent twice with the same Idempotency-Key)
   and cancelled;
5. compares the database with every answer the server acknowledged: each order there with
   its last acknowledged lines and status, no order that no answer announced, every replay
   answered with the first order.

Ends with one line: `load: … PASS|FAIL` (targets: order-mix capacity >= 40 req/s and >= 25 %
of the bare endpoint's, zero 5xx, nothing lost or doubled).
"""

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import statistics
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
OFFERS = 100
HOUSEHOLDS_PER_GROCERY = 80
TARGETS = {"p95_ms": 250, "capacity_rps": 40, "share_of_bare": 0.25}
WARM_UP_SECONDS = 5
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
    user_class: str,
    steps: list[int],
    step_seconds: float,
    base: str,
    scratch: Path,
    *,
    rate: float,
    stop_p95_ms: float = float("inf"),
    during=None,
):
    """One headless locust run: `steps` users in turn, `step_seconds` each, every user at
    `rate` requests a second (bench/_load_users.py StepShape); its aggregated figures and the
    ledger its users kept. `during()`, if given, runs in this process while the users work."""
    prefix = scratch / user_class.lower()
    ledger = scratch / f"{user_class.lower()}-ledger.json"
    locust = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(Path(__file__).with_name("_load_users.py")),
            user_class,
            "--headless",
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
            "LOAD_RATE": str(rate),
            "LOAD_STEPS": json.dumps(steps),
            "LOAD_STEP_SECONDS": str(step_seconds),
            "LOAD_STOP_P95_MS": str(stop_p95_ms),
        },
    )
    if during is not None:
        during()
    locust.wait()
    with open(f"{prefix}_stats.csv") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    return {"rows": rows, "ledger": json.loads(ledger.read_text())}


def steps_measured(ledger: dict, steps: list[int], rate: float, step_seconds: float) -> list:
    """Each step that ran: users, offered rate, achieved throughput and p95 (after warm-up)."""
    starts = ledger["step_starts"]
    measured = []
    for index, start in enumerate(starts):
        since = start + WARM_UP_SECONDS
        until = starts[index + 1] if index + 1 < len(starts) else start + step_seconds
        window = [(end, duration) for end, duration, _ in ledger["samples"] if since <= end < until]
        seconds = max(until - since, 1e-9)
        measured.append(
            {
                "users": steps[index],
                "offered": steps[index] * rate,
                "throughput": len(window) / seconds,
                "p95_ms": p95([duration for _, duration in window]),
            }
        )
    return measured


def p95(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=20)[-1] if len(durations) > 1 else 0.0


def capacity(measured: list[dict]) -> float:
    """The highest throughput of a step that kept up (>= 90 % of the offered rate) with its
    p95 within the target; 0 if none did."""
    kept = [
        step["throughput"]
        for step in measured
        if step["p95_ms"] <= TARGETS["p95_ms"] and step["throughput"] >= 0.9 * step["offered"]
    ]
    return max(kept, default=0.0)


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


def steps_table(title: str, measured: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'users':>7}{'offered':>10}{'served':>9}{'p95':>8}")
    for step in measured:
        print(
            f"{step['users']:>7}{step['offered']:>8.0f}/s{step['throughput']:>7.1f}/s"
            f"{step['p95_ms']:>6.0f}ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=2, help="requests a second per user")
    parser.add_argument(
        "--volunteer-steps", default="5,10,15,20,25,30,35,40,45,50", help="users per step"
    )
    parser.add_argument(
        "--bare-steps", default="10,25,50,75,100,125,150,175,200,225,250,275,300,350"
    )
    arguments = parser.parse_args()
    volunteer_steps = [int(users) for users in arguments.volunteer_steps.split(",")]
    bare_steps = [int(users) for users in arguments.bare_steps.split(",")]
    if max(volunteer_steps) > GROCERIES:
        raise SystemExit(f"at most {GROCERIES} volunteers: one per grocery")

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
    common = {"rate": arguments.rate, "stop_p95_ms": TARGETS["p95_ms"]}
    try:
        bare = swarm("Bare", bare_steps, arguments.step_seconds, base, scratch, **common)
        volunteers = swarm(
            "Volunteer", volunteer_steps, arguments.step_seconds, base, scratch, **common
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"\ngunicorn {os.environ.get('WEB_WORKERS', '3')} workers, each user "
        f"{arguments.rate:g} req/s, steps of {arguments.step_seconds:g} s "
        f"({WARM_UP_SECONDS:g} s warm-up left out); logs in {scratch}"
    )
    bare_steps_measured = steps_measured(
        bare["ledger"], bare_steps, arguments.rate, arguments.step_seconds
    )
    volunteer_steps_measured = steps_measured(
        volunteers["ledger"], volunteer_steps, arguments.rate, arguments.step_seconds
    )
    steps_table("GET /api/v1/me/ (bare endpoint)", bare_steps_measured)
    steps_table("order mix (volunteers)", volunteer_steps_measured)
    header = f"{'requests of the order mix':<34}{'count':>8}{'fail':>6}{'median':>9}{'p95':>7}"
    print(f"\n{header}")
    for name, row in volunteers["rows"].items():
        figure = figures(row)
        print(
            f"{name:<34}{figure['requests']:>8}{figure['failures']:>6}"
            f"{figure['median_ms']:>7.0f}ms{figure['p95_ms']:>5.0f}ms"
        )
    statuses = volunteers["ledger"]["statuses"]
    # 0: no answer at all (connection refused or reset), counted with the 5xx.
    server_errors = sum(
        count
        for ledger in (volunteers["ledger"], bare["ledger"])
        for code, count in ledger["statuses"].items()
        if int(code) >= 500 or int(code) == 0
    )
    failures = figures(volunteers["rows"]["Aggregated"])["failures"]
    database = check_database(world["cycle"], volunteers["ledger"])
    orders_capacity = capacity(volunteer_steps_measured)
    bare_capacity = capacity(bare_steps_measured)
    share = orders_capacity / bare_capacity if bare_capacity else 0.0
    print(f"status codes (volunteers): {dict(sorted(statuses.items()))}")
    print(database_summary(database))
    passed = (
        orders_capacity >= TARGETS["capacity_rps"]
        and share >= TARGETS["share_of_bare"]
        and server_errors == 0
        and failures == 0
        and database_intact(database)
    )
    print(
        f"load: order-mix capacity {orders_capacity:.1f} req/s at p95 <= {TARGETS['p95_ms']} ms "
        f"= {share:.0%} of the bare endpoint's {bare_capacity:.1f} req/s, {server_errors} 5xx, "
        f"{failures} failed, {len(database['lost'])} lost, {len(database['duplicated'])} "
        f"duplicated (target >= {TARGETS['capacity_rps']} req/s, >= "
        f"{TARGETS['share_of_bare']:.0%} of the bare endpoint, 0 5xx, 0 lost, 0 duplicated) "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

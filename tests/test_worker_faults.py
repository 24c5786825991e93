"""A Celery worker killed in the middle of close, confirm, plan and settle (DESIGN.md §4.5).

Real processes: a worker (`celery -A config worker`, solo pool) on the Redis broker, reading
and writing the test database. Each test sends a task the way the web process does, waits
until the worker is inside the task's work, kills the whole worker with SIGKILL (no chance to
clean up or acknowledge), starts another, and checks that the task completes once: Redis
delivers the unacknowledged message again after the visibility timeout (2 s here, an hour in
production) and the task, being idempotent, writes each row once. Sending the same task a
third time changes nothing either.

The worker cannot see SQLite's in-memory test database: PostgreSQL runs only.
"""

import importlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.apps import apps as django_apps
from django.db import connection

from accounting.models import JournalEntry
from core.models import TaskRun, TaskState
from logistics.models import Round
from supply.models import CycleEvent, PurchaseList
from tests.accounting.conftest import delivered  # noqa: F401 (a fixture)
from tests.helpers import close
from tests.postgres import database_url, row_locked

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
        reason="the worker process needs the PostgreSQL test database",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("FAULTS_BROKER_URL", "redis://127.0.0.1:6379/7")
VISIBILITY_TIMEOUT_S = 2


@pytest.fixture(autouse=True)
def _default_tiers(transactional_db):
    """A transactional test may start from a flushed database: the tiers a migration made.
    (serialized_rollback would restore them but clashes with the content types that an
    earlier transactional test's flush recreates.)"""
    migration = importlib.import_module("orders.migrations.0003_default_tariff_tiers")
    migration.create_default_tiers(django_apps, None)


@pytest.fixture
def queue():
    """A queue of the test's own; its keys, and the follow-up tasks the worker queued on the
    default queue (mails, dashboard refresh) that no worker here consumes, go afterwards."""
    name = f"faults-{uuid.uuid4().hex[:8]}"
    yield name
    broker = redis.Redis.from_url(BROKER)
    broker.delete(name, "celery", f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    broker.close()


@contextmanager
def worker(queue: str):
    """A worker process of its own session (so SIGKILL takes the whole of it)."""
    descriptor, log = tempfile.mkstemp(suffix=".log")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}-{uuid.uuid4().hex[:4]}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": BROKER,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        },
        stdout=descriptor,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    os.close(descriptor)
    try:
        _wait(lambda: "ready." in Path(log).read_text(), 60, "the worker to start", log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        os.unlink(log)


def _wait(condition, seconds: float, what: str, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    detail = Path(log).read_text()[-3000:] if log else ""
    raise AssertionError(f"waited {seconds} s for {what}\n{detail}")


def _send(queue: str, name: str, **kwargs) -> TaskRun:
    """What core.tasks.task_enqueue does in the web process, on the real broker."""
    run = TaskRun.objects.create(name=name)
    sender = Celery(broker=BROKER, set_as_current=False)  # the eager app stays current
    sender.send_task(
        name, kwargs={**kwargs, "task_run_id": str(run.id)}, task_id=str(run.id), queue=queue
    )
    sender.close()
    return run


def _state(run: TaskRun) -> TaskRun:
    run.refresh_from_db()
    return run


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def _kill_inside_the_task(queue: str, task: str, locked_cycle: int, **kwargs) -> TaskRun:
    """Send the task, let the worker block inside it on the cycle's row, kill the worker."""
    with worker(queue) as first, row_locked("supply_ordercycle", locked_cycle):
        run = _send(queue, task, **kwargs)
        _wait(_waiting_on_a_lock, 30, "the task to reach the cycle's row")
        assert _state(run).state == TaskState.STARTED
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    return run


def _run_again(queue: str, run: TaskRun) -> TaskRun:
    """A new worker: the killed task is delivered again and completes."""
    with worker(queue):
        _wait(lambda: _state(run).state == TaskState.SUCCESS, 60, f"{run.name} to succeed")
    return run


def test_a_close_killed_in_the_worker_completes_once_on_the_next_worker(
    world, market, ordered, queue
):
    cycle = market.cycle
    run = _kill_inside_the_task(
        queue, "supply.cycle_close", cycle.id, cycle_id=cycle.id, user_id=world.coordinator.id
    )
    cycle.refresh_from_db()
    assert cycle.status == "open"  # the killed transaction left nothing
    assert PurchaseList.objects.filter(cycle=cycle).count() == 0

    _run_again(queue, run)

    cycle.refresh_from_db()
    assert cycle.status == "closed"
    assert run.result["purchase_lists"] == 2
    lists = list(PurchaseList.objects.filter(cycle=cycle).values_list("producer", flat=True))
    assert sorted(lists) == sorted([world.producer.id, world.other_producer.id])
    assert CycleEvent.objects.filter(cycle=cycle, to_status="closed").count() == 1

    with worker(queue):  # the same message once more (a redelivery after success)
        again = _send(queue, "supply.cycle_close", cycle_id=cycle.id, user_id=None)
        _wait(lambda: _state(again).state == TaskState.SUCCESS, 60, "the second close")
    assert PurchaseList.objects.filter(cycle=cycle).count() == 2
    assert CycleEvent.objects.filter(cycle=cycle, to_status="closed").count() == 1


def test_a_confirmation_killed_in_the_worker_completes_once(
    world, market, ordered, queue, coordinator_client, django_capture_on_commit_callbacks
):
    cycle = market.cycle
    _, closing = close(coordinator_client, cycle, django_capture_on_commit_callbacks)
    assert closing["state"] == TaskState.SUCCESS, closing
    PurchaseList.objects.filter(cycle=cycle).update(status="confirmed")

    run = _kill_inside_the_task(
        queue, "supply.cycle_confirm", cycle.id, cycle_id=cycle.id, user_id=world.coordinator.id
    )
    cycle.refresh_from_db()
    assert cycle.status == "closed"

    _run_again(queue, run)

    cycle.refresh_from_db()
    assert cycle.status == "confirmed"
    assert CycleEvent.objects.filter(cycle=cycle, to_status="confirmed").count() == 1


def test_round_planning_killed_while_the_solver_runs_plans_once(confirmed, world, queue):
    cycle = confirmed.cycle
    arguments = {"cycle_id": cycle.id, "vehicle_ids": [world.vehicle.id], "time_limit_s": 6}
    with worker(queue) as first:
        run = _send(queue, "logistics.cycle_plan_rounds", **arguments)
        # 10 %: the places are loaded and the solver is running (it has 6 s).
        _wait(lambda: _state(run).progress >= 10, 30, "the solver to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    assert _state(run).state == TaskState.PROGRESS
    assert Round.objects.filter(cycle=cycle).count() == 0

    _run_again(queue, run)

    rounds = Round.objects.filter(cycle=cycle).count()
    assert rounds == run.result["rounds"] == 2  # one van: a collection and a delivery
    with worker(queue):
        again = _send(queue, "logistics.cycle_plan_rounds", **{**arguments, "time_limit_s": 1})
        _wait(lambda: _state(again).state == TaskState.SUCCESS, 60, "the second plan")
    assert Round.objects.filter(cycle=cycle).count() == again.result["rounds"] == rounds


def test_a_settlement_killed_in_the_worker_posts_its_entries_once(delivered, world, queue):  # noqa: F811
    cycle = delivered.cycle
    run = _kill_inside_the_task(
        queue, "accounting.cycle_settle", cycle.id, cycle_id=cycle.id, user_id=None
    )
    assert JournalEntry.objects.count() == 0

    _run_again(queue, run)

    cycle.refresh_from_db()
    assert cycle.status == "settled"
    assert run.result["entries"] == JournalEntry.objects.count() == 10
    with worker(queue):
        again = _send(queue, "accounting.cycle_settle", cycle_id=cycle.id, user_id=None)
        _wait(lambda: _state(again).state == TaskState.SUCCESS, 60, "the second settlement")
    assert again.result["moved"] is False
    assert JournalEntry.objects.count() == 10

"""Two beat runs at once make each week's cycle once (a unique constraint, two sessions)."""

import threading
import time as clock
from datetime import time

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from supply import rhythm
from supply.models import OrderCycle
from tests import factories
from tests.postgres import database_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two sessions on one unique index"
    ),
    pytest.mark.django_db(transaction=True),
]

SCHEDULE = {
    "name": "Jeudi",
    "delivery_weekday": 3,
    "opens_days_before": 6,
    "opens_at_time": time(9),
    "closes_days_before": 2,
    "closes_at_time": time(12),
    "confirm_days_before": 1,
    "confirm_at_time": time(18),
    "weeks_ahead": 4,
}


def test_a_cycle_being_made_by_another_run_is_made_once():
    hub = factories.HubFactory()
    schedule = rhythm.schedule_create(hub=hub, **{**SCHEDULE, "weeks_ahead": 3})
    dates = rhythm.schedule_dates(schedule, timezone.localdate())
    # Skip a holiday or a date already closed: this test is about the race, not the calendar.
    now = timezone.now()
    free = [day for day in dates if rhythm._skip_reason(schedule, day, now) is None]
    assert free, "no week left to make"
    contested = free[-1]
    instants = rhythm.schedule_instants(schedule, contested)
    outcome = {}

    # The other run has inserted the contested week's cycle and not committed yet.
    with psycopg.connect(database_url()) as other:
        other.execute(
            "INSERT INTO supply_ordercycle (name, opens_at, closes_at, confirm_by, delivery_date,"
            " hub_id, status, allocation_rule, created_at, schedule_id)"
            " VALUES ('Autre passage', %s, %s, %s, %s, %s, 'draft', 'proportional', now(), %s)",
            [
                instants["opens_at"],
                instants["closes_at"],
                instants["confirm_by"],
                contested,
                hub.id,
                schedule.id,
            ],
        )

        def run():
            try:
                outcome["result"] = rhythm.schedule_generate(schedule=schedule, now=now)
            except Exception as error:
                outcome["error"] = error
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        clock.sleep(1.0)
        # This run waits on the unique index for the other one to end.
        assert thread.is_alive()
        other.commit()
        thread.join(timeout=30)

    assert "error" not in outcome, outcome
    assert len(outcome["result"]["created"]) == len(free) - 1
    assert OrderCycle.objects.filter(schedule=schedule, delivery_date=contested).count() == 1
    assert OrderCycle.objects.filter(schedule=schedule).count() == len(free)


def test_two_runs_at_once_make_each_cycle_once():
    hub = factories.HubFactory()
    schedule = rhythm.schedule_create(hub=hub, **SCHEDULE)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(rhythm.schedule_generate(schedule=schedule, now=timezone.now()))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    made = OrderCycle.objects.filter(schedule=schedule)
    assert sum(len(result["created"]) for result in results) == made.count()
    assert made.values("delivery_date").distinct().count() == made.count()

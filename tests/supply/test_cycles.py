from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import TaskRun
from supply.models import CycleEvent, OrderCycle
from supply.services import cycles_advance_due
from tests import factories


def cycle_body(world, **overrides):
    now = timezone.now()
    return {
        "name": "Livraison du 4 décembre",
        "opens_at": (now + timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
        "confirm_by": (now + timedelta(days=4)).isoformat(),
        "delivery_date": str((now + timedelta(days=6)).date()),
        "hub": world.hub.id,
        **overrides,
    }


def test_coordinator_creates_opens_and_closes_a_cycle(
    coordinator_client, world, django_capture_on_commit_callbacks
):
    created = coordinator_client.post("/api/v1/cycles/", cycle_body(world), format="json")
    cycle_id = created.json()["id"]

    opened = coordinator_client.post(f"/api/v1/cycles/{cycle_id}/open/")
    with django_capture_on_commit_callbacks(execute=True):
        closing = coordinator_client.post(f"/api/v1/cycles/{cycle_id}/close/")
    task = coordinator_client.get(f"/api/v1/tasks/{closing.json()['task_id']}/")
    events = coordinator_client.get(f"/api/v1/cycles/{cycle_id}/events/").json()

    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert closing.status_code == 202
    assert task.json()["state"] == "SUCCESS" and task.json()["progress"] == 100
    assert OrderCycle.objects.get(pk=cycle_id).status == "closed"
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in events] == [
        ("draft", "open", "coordination"),
        ("open", "closed", "coordination"),
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": "{past}"}, "closes_at"),
        ({"confirm_by": "{opens}"}, "confirm_by"),
        ({"delivery_date": "2020-01-01"}, "delivery_date"),
        ({"hub": 999999}, "hub"),
        ({"opens_at": "demain"}, "opens_at"),
    ],
)
def test_bad_cycle_dates_are_refused(coordinator_client, world, overrides, field):
    now = timezone.now()
    names = {
        "{past}": (now - timedelta(days=1)).isoformat(),
        "{opens}": (now + timedelta(hours=2)).isoformat(),
    }
    count = OrderCycle.objects.count()

    response = coordinator_client.post(
        "/api/v1/cycles/",
        cycle_body(world, **{key: names.get(value, value) for key, value in overrides.items()}),
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert OrderCycle.objects.count() == count


def test_closing_a_draft_cycle_is_a_conflict(coordinator_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub)

    response = coordinator_client.post(f"/api/v1/cycles/{cycle.id}/close/")

    assert response.status_code == 409
    assert response.json()["code"] == "cycle_not_open"
    assert not TaskRun.objects.exists()


def test_cycles_never_move_backwards(coordinator_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub, status="closed")

    response = coordinator_client.post(f"/api/v1/cycles/{cycle.id}/open/")

    assert response.status_code == 409
    assert OrderCycle.objects.get(pk=cycle.pk).status == "closed"


def test_open_cycle_keeps_its_delivery_date(coordinator_client, world):
    cycle = factories.OrderCycleFactory(hub=world.hub, status="open")

    response = coordinator_client.patch(
        f"/api/v1/cycles/{cycle.id}/", {"delivery_date": "2031-01-01"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "cycle_not_editable"


def test_scheduler_opens_and_closes_due_cycles_once(world):
    now = timezone.now()
    due_to_open = factories.OrderCycleFactory(
        hub=world.hub, opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1)
    )
    due_to_close = factories.OrderCycleFactory(
        hub=world.hub,
        status="open",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(minutes=1),
        confirm_by=now + timedelta(days=1),
    )
    not_yet = factories.OrderCycleFactory(hub=world.hub)

    first = cycles_advance_due(now=now)
    second = cycles_advance_due(now=now)

    assert first == {"opened": [due_to_open.id], "closed": [due_to_close.id], "confirmed": []}
    assert second == {"opened": [], "closed": [], "confirmed": []}
    assert OrderCycle.objects.get(pk=not_yet.pk).status == "draft"
    assert CycleEvent.objects.filter(user__isnull=True).count() == 2


def test_everyone_reads_cycles_but_only_the_coordinator_writes(world):
    from tests.helpers import client_for

    for user in (world.volunteer, world.producer_user, world.ccas_staff, world.official):
        client = client_for(user)
        assert client.get("/api/v1/cycles/").status_code == 200
        assert client.post("/api/v1/cycles/", cycle_body(world), format="json").status_code == 403

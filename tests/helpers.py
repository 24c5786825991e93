"""What tests share beside fixtures: an API client for a user, a cycle closed through its task,
the enrolment form of the CCAS screen."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from core.models import User


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def close(client, cycle, capture):
    with capture(execute=True):
        response = client.post(f"/api/v1/cycles/{cycle.id}/close/")
    return response, client.get(f"/api/v1/tasks/{response.json()['task_id']}/").json()


def enrolment_form(world, **changes) -> dict:
    """What a CCAS staff member types to enrol a household from the screen."""
    today = timezone.localdate()
    return {
        "enrol": "1",
        "adults": "1",
        "children": "2",
        "tier": "T1",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=120)).isoformat(),
        "monthly_cap": "",
        "pickup_grocery": world.grocery.id,
        "funder": world.funder.id,
        "consent_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        **changes,
    }

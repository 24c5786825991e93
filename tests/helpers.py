"""What tests share beside fixtures: an API client for a user, a cycle closed through its task."""

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

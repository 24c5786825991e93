from celery import shared_task
from django.utils import timezone

from . import snapshots


@shared_task(name="dashboards.snapshots_refresh", acks_late=True)
def snapshots_refresh_task(*, cycle_ids: list[int] | None = None) -> dict:
    return snapshots.snapshots_refresh(now=timezone.now(), cycle_ids=cycle_ids)

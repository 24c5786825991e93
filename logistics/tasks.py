from celery import shared_task
from django.utils import timezone

from core.tasks import tracked

from . import planning


@shared_task(name="logistics.cycle_plan_rounds", acks_late=True)
@tracked
def cycle_plan_rounds_task(
    *, cycle_id: int, vehicle_ids: list[int], time_limit_s: float, progress
) -> dict:
    return planning.cycle_plan_rounds(
        cycle_id=cycle_id,
        vehicle_ids=vehicle_ids,
        time_limit_s=time_limit_s,
        now=timezone.now(),
        progress=progress,
    )

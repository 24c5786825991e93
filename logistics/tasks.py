from celery import shared_task
from django.utils import timezone

from core.models import TaskRun, User
from core.tasks import task_enqueue, tracked
from supply.models import OrderCycle

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


def cycle_plan_rounds_start(
    *, cycle: OrderCycle, user: User, vehicle_ids: list[int], time_limit_s: float
) -> TaskRun:
    planning.cycle_check_plannable(cycle=cycle)
    planning.vehicles_check(vehicle_ids=vehicle_ids)
    return task_enqueue(
        task=cycle_plan_rounds_task,
        name="cycle_plan_rounds",
        user=user,
        cycle_id=cycle.id,
        vehicle_ids=vehicle_ids,
        time_limit_s=time_limit_s,
    )

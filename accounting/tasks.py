from celery import shared_task
from django.utils import timezone

from core.models import TaskRun, User
from core.tasks import task_enqueue, tracked
from dashboards.tasks import snapshots_refresh_task
from supply.models import OrderCycle

from . import settlement


@shared_task(name="accounting.cycle_settle", acks_late=True)
@tracked
def cycle_settle_task(*, cycle_id: int, user_id: int | None, progress) -> dict:
    user = User.objects.filter(id=user_id).first() if user_id else None
    result = settlement.cycle_settle(
        cycle_id=cycle_id, user=user, now=timezone.now(), progress=progress
    )
    # Committed: the dashboards take the settled figures.
    snapshots_refresh_task.delay(cycle_ids=[cycle_id])
    return result


def cycle_settle_start(*, cycle: OrderCycle, user: User) -> TaskRun:
    settlement.cycle_check_settleable(cycle=cycle)
    return task_enqueue(
        task=cycle_settle_task, name="cycle_settle", user=user, cycle_id=cycle.id, user_id=user.id
    )

from celery import shared_task
from django.utils import timezone

from core.models import TaskRun, User
from core.tasks import task_enqueue, tracked
from supply.models import OrderCycle

from . import contracts, rhythm, services


@shared_task(name="supply.cycle_close", acks_late=True)
@tracked
def cycle_close_task(*, cycle_id: int, user_id: int | None, progress) -> dict:
    user = User.objects.filter(id=user_id).first() if user_id else None
    return services.cycle_close(cycle_id=cycle_id, user=user, now=timezone.now(), progress=progress)


@shared_task(name="supply.cycles_advance_due")
def cycles_advance_due_task() -> dict:
    return services.cycles_advance_due(now=timezone.now())


@shared_task(name="supply.schedules_generate")
def schedules_generate_task() -> dict:
    """Daily: the schedules' coming cycles, and the season contracts past their end."""
    now = timezone.now()
    return {
        **rhythm.schedules_generate_due(now=now),
        "contracts_ended": contracts.contracts_ended_mark(now=now),
    }


@shared_task(name="supply.cycle_confirm", acks_late=True)
@tracked
def cycle_confirm_task(
    *, cycle_id: int, user_id: int | None, progress, missing_as_zero: bool = False
) -> dict:
    user = User.objects.filter(id=user_id).first() if user_id else None
    return services.cycle_confirm(
        cycle_id=cycle_id,
        user=user,
        now=timezone.now(),
        progress=progress,
        missing_as_zero=missing_as_zero,
    )


def cycle_close_start(*, cycle: OrderCycle, user: User) -> TaskRun:
    """Check that the cycle may close, then queue the close (API and screens alike)."""
    services.cycle_check_closable(cycle=cycle)
    return task_enqueue(
        task=cycle_close_task, name="cycle_close", user=user, cycle_id=cycle.id, user_id=user.id
    )


def cycle_confirm_start(*, cycle: OrderCycle, user: User, missing_as_zero: bool = False) -> TaskRun:
    services.cycle_check_confirmable(
        cycle=cycle, now=timezone.now(), missing_as_zero=missing_as_zero
    )
    return task_enqueue(
        task=cycle_confirm_task,
        name="cycle_confirm",
        user=user,
        cycle_id=cycle.id,
        user_id=user.id,
        missing_as_zero=missing_as_zero,
    )

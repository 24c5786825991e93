"""Long work runs as Celery tasks tracked by a TaskRun row (state and percentage).

Views call `task_enqueue`; the task body is wrapped by `tracked`, which moves the row through
STARTED → PROGRESS → SUCCESS or FAILURE. With the embedded default (eager Celery) the task has
run by the time the view answers 202.
"""

import functools
from typing import Any

from django.db import transaction

from core.errors import DomainError
from core.models import TaskRun, TaskState, User

# A long preparation of the figures (the demo's year of history, generated while `make run`
# already serves the site): the officials' dashboard says it is on its way, with its progress.
DATA_PREPARATION = "demo_history"


def task_enqueue(*, task: Any, name: str, user: User | None = None, **kwargs: Any) -> TaskRun:
    run = TaskRun.objects.create(name=name, created_by=user)
    kwargs = {**kwargs, "task_run_id": str(run.id)}
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs, task_id=str(run.id)))
    return run


class Progress:
    """Reports a percentage, writing only when it moves by at least `step` points."""

    def __init__(self, run_id, step: int = 5):
        self.run_id = run_id
        self.step = step
        self.last = 0

    def __call__(self, percent: float) -> None:
        percent = max(0, min(99, int(percent)))
        if percent - self.last >= self.step:
            self.last = percent
            TaskRun.objects.filter(id=self.run_id).update(
                state=TaskState.PROGRESS, progress=percent
            )


def tracked(function):
    """Wraps a task body `function(*, progress, **kwargs) -> dict` with TaskRun bookkeeping."""

    @functools.wraps(function)
    def wrapper(*args, task_run_id: str | None = None, **kwargs):
        if task_run_id is None:
            return function(*args, progress=lambda percent: None, **kwargs)
        TaskRun.objects.filter(id=task_run_id).update(state=TaskState.STARTED, progress=0)
        try:
            result = function(*args, progress=Progress(task_run_id), **kwargs)
        except DomainError as error:
            TaskRun.objects.filter(id=task_run_id).update(
                state=TaskState.FAILURE, error=error.message, result={"code": error.code}
            )
            return None
        except Exception as error:
            TaskRun.objects.filter(id=task_run_id).update(
                state=TaskState.FAILURE, error=f"{type(error).__name__}: {error}"
            )
            raise
        TaskRun.objects.filter(id=task_run_id).update(
            state=TaskState.SUCCESS, progress=100, result=result
        )
        return result

    return wrapper


__all__ = ["DATA_PREPARATION", "Progress", "task_enqueue", "tracked"]

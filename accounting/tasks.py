from celery import shared_task
from django.utils import timezone

from core.models import User
from core.tasks import tracked

from . import settlement


@shared_task(name="accounting.cycle_settle", acks_late=True)
@tracked
def cycle_settle_task(*, cycle_id: int, actor_id: int | None, progress) -> dict:
    actor = User.objects.filter(id=actor_id).first() if actor_id else None
    return settlement.cycle_settle(
        cycle_id=cycle_id, actor=actor, now=timezone.now(), progress=progress
    )

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(
    name="notifications.message_send",
    bind=True,
    acks_late=True,
    max_retries=len(services.SEND_RETRY_DELAYS_S),
)
def message_send(self, *, notification_id: int) -> str:
    """Send one message of the outbox; a transient error is retried later, with backoff."""
    retries = self.request.retries
    outcome = services.message_deliver(
        notification_id=notification_id, final=retries >= self.max_retries
    )
    if outcome == "retry":
        raise self.retry(countdown=services.SEND_RETRY_DELAYS_S[retries])
    return outcome


@shared_task(name="notifications.reminders")
def reminders_task() -> dict:
    """Every quarter of an hour: the reminders that are due, and what was lost on the way."""
    now = timezone.now()
    return {**services.reminders_run(now=now), "requeued": services.lost_requeue(now=now)}

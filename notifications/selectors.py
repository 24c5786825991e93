from django.db.models import QuerySet

from core.models import User

from .choices import ACCOUNT_KINDS
from .models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    """What is new for this person: their messages, without the account links' e-mails."""
    return Notification.objects.filter(recipient=user).exclude(kind__in=ACCOUNT_KINDS)


def unread_count(*, user: User) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def outbox_list() -> QuerySet[Notification]:
    return Notification.objects.select_related("recipient")

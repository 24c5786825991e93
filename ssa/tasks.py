from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="ssa.months_credit")
def months_credit_task() -> int:
    """Each caisse's members credited for the month, once (DESIGN.md §14)."""
    return services.months_credit(today=timezone.localdate(), now=timezone.now())

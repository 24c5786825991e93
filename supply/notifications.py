"""E-mails sent after a cycle moves: tasks queued on commit, never inside the transaction.

A mail server that is down must not undo or fail the step that sent them: the step has
committed, the mails are retried on their own (transient SMTP and network errors).
"""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation

from core.models import User
from orders.models import Order

from .models import OrderCycle


def _addresses(organisation_id: int) -> list[str]:
    return list(
        User.objects.filter(membership__organisation_id=organisation_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


MAIL_RETRY = {
    "autoretry_for": (OSError, SMTPException),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 10,
}


@shared_task(name="supply.purchase_lists_sent", **MAIL_RETRY)
def purchase_lists_sent(*, cycle_id: int) -> int:
    """Each producer receives its purchase list to confirm."""
    cycle = OrderCycle.objects.get(pk=cycle_id)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for purchase_list in cycle.purchase_lists.select_related("producer__organisation"):
            recipients = _addresses(purchase_list.producer.organisation_id)
            if not recipients:
                continue
            context = {
                "cycle": cycle,
                "purchase_list": purchase_list,
                "lines": purchase_list.lines.select_related("offer__product"),
            }
            messages.append(
                (
                    f"Appro Solidaire — bon de commande {cycle.name}",
                    render_to_string("supply/email/purchase_list_sent.txt", context),
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            )
    return send_mass_mail(messages, fail_silently=False)


@shared_task(name="supply.groceries_confirmed", **MAIL_RETRY)
def groceries_confirmed(*, cycle_id: int) -> int:
    """Each grocery learns what it will receive once producers have answered."""
    cycle = OrderCycle.objects.get(pk=cycle_id)
    grocery_ids = set(
        Order.objects.filter(cycle=cycle, grocery__isnull=False).values_list(
            "grocery__organisation_id", flat=True
        )
    ) | set(
        Order.objects.filter(cycle=cycle, household__isnull=False).values_list(
            "household__pickup_grocery__organisation_id", flat=True
        )
    )
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for organisation_id in sorted(grocery_ids):
            recipients = _addresses(organisation_id)
            if recipients:
                messages.append(
                    (
                        f"Appro Solidaire — quantités confirmées pour {cycle.name}",
                        render_to_string("supply/email/cycle_confirmed.txt", {"cycle": cycle}),
                        settings.DEFAULT_FROM_EMAIL,
                        recipients,
                    )
                )
    return send_mass_mail(messages, fail_silently=False)

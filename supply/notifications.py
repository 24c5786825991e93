"""E-mails sent after a cycle moves. Called on commit, never inside the transaction."""

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


def purchase_lists_sent(*, cycle_id: int) -> int:
    """Each producer receives its purchase list to confirm."""
    cycle = OrderCycle.objects.get(pk=cycle_id)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for purchase_list in cycle.purchase_lists.select_related("producer"):
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

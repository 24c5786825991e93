"""What a caisse tells people (DESIGN.md §11, §14): its month credited, and the deficit left
for the funders' grants to cover. Through the outbox, once per caisse and month."""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.formats import format_euros
from notifications.choices import Kind
from notifications.services import coordinators, notify, organisation_users

from .models import Caisse


def month_credited(*, caisse: Caisse, month: date, credited: int, statement: dict) -> int:
    """The coordinator and the caisse's CCAS are told what the month's credit costs and
    what the grants still have to cover (the coordinator records them)."""
    with translation.override("fr"):
        values = {
            "caisse": caisse.name,
            "month": dateformat.format(month, "F Y"),
            "count": credited,
            "allocations": format_euros(statement["allocations"]),
            "contributions": format_euros(statement["contributions"]),
            "uncovered": format_euros(max(statement["uncovered"], Decimal(0))),
        }
        paragraphs = [
            ngettext(
                "%(caisse)s: %(count)d member credited for %(month)s, %(allocations)s of "
                "allocations; %(contributions)s of contributions received so far.",
                "%(caisse)s: %(count)d members credited for %(month)s, %(allocations)s of "
                "allocations; %(contributions)s of contributions received so far.",
                credited,
            )
            % values,
            _("Deficit left for the funders' grants to cover: %(uncovered)s.") % values,
        ]
        subject = _("%(caisse)s: the credit of %(month)s") % values
        sent = notify(
            kind=Kind.CAISSE_MONTH,
            object_key=f"caisse:{caisse.id}:month:{month:%Y-%m}",
            recipients=coordinators(),
            subject=subject,
            paragraphs=paragraphs,
            url=reverse("caisse-page", args=[caisse.id]),
            action=_("Open the caisse"),
        )
        ccas = [service.organisation_id for service in caisse.social_services.all()]
        sent += notify(
            kind=Kind.CAISSE_MONTH,
            object_key=f"caisse:{caisse.id}:month:{month:%Y-%m}",
            recipients=organisation_users(ccas),
            subject=subject,
            paragraphs=paragraphs,
        )
    return sent

"""What households' and groceries' orders tell people (DESIGN.md §11), through the outbox.

Only the household's own CCAS ever reads its reference next to its decision; volunteers are
told about their grocery's orders, never a household's name or contact."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formats import format_date
from notifications import registry
from notifications.choices import Kind
from notifications.services import notify, organisation_users
from supply.models import OrderCycle

from .models import Household, StandingOrderRun

DECISION_NOTICE_DAYS = 14


def standing_refused(*, run: StandingOrderRun, cycle: OrderCycle) -> int:
    """A standing order that could not be placed: its grocery's volunteers act by hand."""
    standing = run.standing_order
    with translation.override("fr"):
        return notify(
            kind=Kind.STANDING_REFUSED,
            object_key=f"standing_run:{run.id}",
            recipients=organisation_users([standing.grocery.organisation_id]),
            subject=_("Standing order not placed: %(name)s") % {"name": cycle.name},
            paragraphs=[run.message],
            url=reverse("grocery-order", kwargs={"cycle_id": cycle.id}),
            action=_("Place the order by hand"),
        )


@registry.reminder
def decisions_ending(now: datetime) -> int:
    """Households whose decision ends within 14 days: their CCAS renews or lets it end.
    One message per household and end date, with its reference only."""
    today = timezone.localdate(now)
    households = Household.objects.filter(
        suspended_at__isnull=True,
        anonymised_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=DECISION_NOTICE_DAYS),
    ).select_related("social_service")
    sent = 0
    with translation.override("fr"):
        for household in households:
            values = {
                "reference": household.reference,
                "until": format_date(household.valid_until),
            }
            sent += notify(
                kind=Kind.DECISION_ENDING,
                object_key=f"household:{household.id}:{household.valid_until.isoformat()}",
                recipients=organisation_users([household.social_service.organisation_id]),
                subject=_("Decision ending on %(until)s: household %(reference)s") % values,
                paragraphs=[
                    _(
                        "The decision of household %(reference)s ends on %(until)s. Renew it "
                        "or let it end; after that date its orders are refused."
                    )
                    % values
                ],
                url=reverse("ccas-household", kwargs={"household_id": household.id}),
                action=_("Open the household"),
            )
    return sent

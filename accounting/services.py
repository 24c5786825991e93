from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from .models import Envelope, Funder


@transaction.atomic
def envelope_create(
    *, funder: Funder, period_start: date, period_end: date, amount: Decimal
) -> Envelope:
    if period_start > period_end:
        message = _("The period must start before it ends.")
        raise InvalidInput(message, fields={"period_end": [message]})
    overlapping = Envelope.objects.select_for_update().filter(
        funder=funder, period_start__lte=period_end, period_end__gte=period_start
    )
    if overlapping.exists():
        message = _("This funder already has an envelope overlapping this period.")
        raise InvalidInput(message, code="envelope_overlap", fields={"period_start": [message]})
    return Envelope.objects.create(
        funder=funder, period_start=period_start, period_end=period_end, amount=amount
    )

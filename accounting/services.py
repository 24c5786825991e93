from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.functions import Round
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from orders.locks import envelopes_overlapping_lock

from .models import Envelope, Funder


@transaction.atomic
def envelope_create(
    *, funder: Funder, period_start: date, period_end: date, amount: Decimal
) -> Envelope:
    if period_start > period_end:
        message = _("The period must start before it ends.")
        raise InvalidInput(message, fields={"period_end": [message]})
    overlapping = envelopes_overlapping_lock(funder=funder, start=period_start, end=period_end)
    if overlapping.exists():
        message = _("This funder already has an envelope overlapping this period.")
        raise InvalidInput(message, code="envelope_overlap", fields={"period_start": [message]})
    return Envelope.objects.create(
        funder=funder, period_start=period_start, period_end=period_end, amount=amount
    )


def envelope_adjust_commitment(*, envelope_id: int, delta: Decimal) -> None:
    """Commit (delta > 0) or release (delta < 0) a subsidy, with F() so concurrent writers
    add up. The caller has checked the remaining amount when committing more; the
    database constraint (committed + spent <= amount) is the last guard."""
    if delta:
        Envelope.objects.filter(pk=envelope_id).update(
            committed=to_the_cent(F("committed") + delta)
        )


def envelope_commit(*, envelope_id: int, delta: Decimal) -> bool:
    """Commit `delta` more (or release, when negative) on the envelope if it can cover it:
    one UPDATE, which waits for concurrent writers of the row and checks what it finds
    after them. False, and nothing changed, when the remaining amount is short."""
    if delta <= 0:
        envelope_adjust_commitment(envelope_id=envelope_id, delta=delta)
        return True
    updated = (
        Envelope.objects.filter(pk=envelope_id)
        .alias(after=to_the_cent(F("committed") + F("spent") + delta))
        .filter(after__lte=F("amount"))
        .update(committed=to_the_cent(F("committed") + delta))
    )
    return bool(updated)


def to_the_cent(expression: Combinable) -> Round:
    """An amount computed in the database, rounded to the cent there: SQLite computes in
    floating point, where 0.57 + 0.10 − 0.67 is not zero and would break the CHECKs."""
    return Round(expression, 2)

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.functions import Round
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from orders.locks import envelopes_overlapping_lock
from producers.choices import Category

from .models import Envelope, Funder, FunderProgramme


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


@transaction.atomic
def programme_save(*, programme: FunderProgramme | None, data: dict) -> FunderProgramme:
    """Create a funder programme, or change one (DESIGN.md §12): its rate within 0–1, its
    envelope its funder's, its categories known; one programme active at a time. A change
    applies to the grouped orders placed after it."""

    def value(name: str) -> Any:
        """The field as it will be: changed, else as it is."""
        return data[name] if name in data else getattr(programme, name, None)

    errors: dict[str, list[str]] = {}
    rate = value("rate")
    if rate is None or not 0 < rate <= 1:
        errors["rate"] = [_("A programme's rate is above 0 and at most 1 (100 %%).") % {}]
    funder, envelope = value("funder"), value("envelope")
    if funder is not None and envelope is not None and envelope.funder_id != funder.pk:
        errors["envelope"] = [_("The envelope must be the funder's own.")]
    unknown = sorted(set(value("categories") or []) - set(Category.values))
    if unknown:
        errors["categories"] = [
            _("Unknown categories: %(categories)s.") % {"categories": ", ".join(unknown)}
        ]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    conflict = StateConflict(
        _(
            "Another programme is active: a grouped order carries one programme. "
            "Deactivate it first."
        ),
        code="programme_active",
    )
    if value("is_active") in (None, True):
        others = FunderProgramme.objects.filter(is_active=True)
        if programme is not None:
            others = others.exclude(pk=programme.pk)
        if others.exists():
            raise conflict
    try:  # two activated at the same moment: the database's unique constraint decides
        if programme is None:
            return FunderProgramme.objects.create(**data)
        for name, new_value in data.items():
            setattr(programme, name, new_value)
        programme.save(update_fields=list(data))
    except IntegrityError as error:
        raise conflict from error
    return programme

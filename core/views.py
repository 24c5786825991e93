"""What every screen shares: who may open it, how a refusal is shown, and the home page that
tells each person what they have to do now."""

import functools
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import actor_of
from .choices import Role
from .errors import DomainError, InvalidInput

# The largest quantity a form accepts on one line (the database holds 12 digits, 3 decimals).
MAX_QUANTITY = Decimal("999999")


def role_required(*roles: str):
    """Screens open to some roles only; the caller's actor is put on the request."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            actor = actor_of(request.user)
            if actor is None or actor.role not in roles:
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def refused(request, error: DomainError) -> None:
    """Show a service's refusal the way the API would state it: the sentence, then each field."""
    messages.error(request, error.message)
    for field_messages in (error.fields or {}).values():
        for message in field_messages:
            if message != error.message:
                messages.error(request, message)


def quantities_from(data, *, prefix: str, allowed: set[int]) -> dict[int, Decimal]:
    """The quantities typed in inputs named `<prefix><id>`; empty inputs are left out.

    Refuses ids outside `allowed`, text that is not a number, negative and oversized values.
    """
    quantities, errors = {}, {}
    for name, raw in data.items():
        if not name.startswith(prefix):
            continue
        text = raw.strip().replace(",", ".").replace("\u202f", "").replace(" ", "")
        if not text:
            continue
        try:
            key = int(name[len(prefix) :])
            quantity = Decimal(text)
        except (ValueError, InvalidOperation):
            errors[name] = [_("« %(value)s » is not a quantity.") % {"value": raw[:20]}]
            continue
        if key not in allowed:
            errors[name] = [_("This line is not offered here.")]
        elif not quantity.is_finite() or quantity < 0:
            errors[name] = [_("A quantity cannot be negative.")]
        elif quantity > MAX_QUANTITY or quantity.as_tuple().exponent < -3:
            errors[name] = [_("A quantity has at most 6 digits and 3 decimals.")]
        else:
            quantities[key] = quantity
    if errors:
        raise InvalidInput(_("Some quantities are not valid."), fields=errors)
    return quantities


@login_required
def home(request):
    """The first page after logging in: what this person has to do now, by role."""
    actor = actor_of(request.user)
    if actor is None:
        raise PermissionDenied
    # Imported here: core knows no app, each app knows what its people have to do.
    from orders.selectors import home_for_ccas, home_for_volunteer
    from producers.selectors import home_for_producer
    from supply.selectors import home_for_coordinator

    now = timezone.now()
    sections = {
        Role.COORDINATOR: home_for_coordinator,
        Role.GROCERY_VOLUNTEER: home_for_volunteer,
        Role.PRODUCER: home_for_producer,
        Role.CCAS_STAFF: home_for_ccas,
    }
    context = {"actor": actor, "now": now}
    if actor.role in sections:
        context.update(sections[actor.role](actor=actor, now=now))
    return render(request, f"core/home_{actor.role}.html", context)

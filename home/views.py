"""The first page after logging in: what this person has to do now, by role. Each app says
what its own people have to do (a `home_for_*` selector); this module only puts them together."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from core.access import actor_of
from core.choices import Role
from orders.selectors import home_for_ccas, home_for_volunteer
from producers.selectors import home_for_producer
from supply.selectors import home_for_coordinator

SECTIONS = {
    Role.COORDINATOR: home_for_coordinator,
    Role.GROCERY_VOLUNTEER: home_for_volunteer,
    Role.PRODUCER: home_for_producer,
    Role.CCAS_STAFF: home_for_ccas,
}


@login_required
def home(request):
    actor = actor_of(request.user)
    if actor is None:
        raise PermissionDenied
    now = timezone.now()
    context = {"actor": actor, "now": now}
    if actor.role in SECTIONS:
        context.update(SECTIONS[actor.role](actor=actor, now=now))
    return render(request, f"home/home_{actor.role}.html", context)

"""Who the caller is: role and organisation, read from the membership.

A Django superuser without a membership has every right of a coordinator of the platform.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .choices import OrganisationKind, Role
from .models import Organisation


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    organisation: Organisation

    @property
    def organisation_id(self) -> int:
        return self.organisation.id

    def is_(self, *roles: str) -> bool:
        return self.role in roles


def actor_of(user) -> Actor | None:
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_actor", None)
    if cached is not None:
        return cached
    membership = getattr(user, "membership", None)
    if membership is not None:
        actor = Actor(user.id, membership.role, membership.organisation)
    elif user.is_superuser:
        platform = Organisation.objects.get(kind=OrganisationKind.PLATFORM)
        actor = Actor(user.id, Role.COORDINATOR, platform)
    else:
        return None
    user._actor = actor
    return actor


def actor_required(user) -> Actor:
    """The caller's actor, behind a permission that already refused anyone without one."""
    actor = actor_of(user)
    if actor is None:
        raise PermissionDenied
    return actor

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from core.access import actor_of


class RolePermission(BasePermission):
    """Allows an action to the roles listed in the view's `roles`.

    `roles` maps an action name (`list`, `retrieve`, `create`, `partial_update`, or a custom
    action) to the roles that may call it; `"*"` is the fallback. A role that may never do an
    action gets 403; objects outside the caller's scope are filtered by the view's queryset and
    answer 404.
    """

    message = _("Your role does not allow this action.")

    def has_permission(self, request, view) -> bool:
        actor = actor_of(request.user)
        if actor is None:
            return False
        roles = getattr(view, "roles", {})
        action = getattr(view, "action", None) or request.method.lower()
        allowed = roles.get(action, roles.get("*", ()))
        return actor.role in allowed

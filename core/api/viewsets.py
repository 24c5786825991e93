from rest_framework import mixins, viewsets

from core.access import actor_of
from core.api.idempotency import IdempotentCreateMixin
from core.api.permissions import RolePermission
from core.converters import ID_PATTERN


class ScopedViewSet(viewsets.GenericViewSet):
    """Role checks from `roles`, scoping in `get_queryset` (out of scope → 404)."""

    permission_classes = [RolePermission]
    roles: dict[str, tuple[str, ...]] = {}
    # An id past the database's integers is no object of the caller's (404, not a 500).
    lookup_value_regex = ID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @property
    def actor(self):
        return actor_of(self.request.user)

    def get_queryset(self):
        # The schema generator calls views without a user: describe the model, scope nothing.
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.scoped_queryset()

    def scoped_queryset(self):
        return super().get_queryset()

    def filter_queryset(self, queryset):
        # Query-string filters narrow lists; an object is found by its id and scope alone
        # (and building the filter form on every detail request cost more than the read).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class ReadCreateUpdateViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    http_method_names = ["get", "post", "patch", "head", "options"]


class ReadCreateViewSet(
    IdempotentCreateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedViewSet,
):
    http_method_names = ["get", "post", "head", "options"]

"""The query-string filters of every list, their choices scoped like the rows.

django-filter lists every row of a related model as the choices of a filter (the browsable
API's drop-downs showed the household references of all three CCAS to each of them) and
accepts any of them. Here a filter on a related object offers, and accepts, only the objects
that the caller's own rows refer to: an id outside that scope is refused as an unknown
choice (400), like an id that does not exist.
"""

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset: QuerySet, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for filter_ in filterset.filters.values():  # a copy per request (FilterSet.__init__)
            if not isinstance(
                filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            ):
                continue
            choices = filter_.queryset
            if not isinstance(choices, QuerySet):
                continue
            referred = queryset.order_by().values(filter_.field_name)
            filter_.queryset = choices.filter(pk__in=referred)
        return filterset

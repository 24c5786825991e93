"""The query-string filters of every list, their choices scoped like the rows.

django-filter lists every row of a related model as the choices of a filter (the browsable
API's drop-downs showed the household references of all three CCAS to each of them) and
accepts any of them. Here a filter on a related object offers, and accepts, only the objects
that the caller's own rows refer to: an id outside that scope is refused as an unknown
choice (400), like an id that does not exist.


Booleans and dates are read as the schema writes them ("true"/"false", YYYY-MM-DD) and
anything else is refused (400), a filter given empty too: django-filter would read "oui" or
"" as no filter at all, and "12/01/2026" as the first of December or the twelfth of January
by the server's locale.
"""

import django_filters
from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class _BooleanField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(_("Either true or false."), code="invalid")

    def validate(self, value):
        pass  # to_python said all


class _IsoDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]


class BooleanFilter(django_filters.BooleanFilter):
    field_class = _BooleanField


class DateFilter(django_filters.DateFilter):
    field_class = _IsoDateField


class FilterSet(django_filters.rest_framework.FilterSet):
    """Every filter set of the API derives from this one (and ScopedFilterBackend builds the
    others on it): booleans and dates read as above."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateField: {"filter_class": DateFilter},
    }


class ScopedFilterBackend(DjangoFilterBackend):
    filterset_base = FilterSet

    def get_filterset(self, request, queryset: QuerySet, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        # A filter given empty (?kind=) is refused, not read as no filter: leave it out.
        empty = {
            name: [_("Leave the parameter out, or give it a value.")]
            for name in filterset.filters
            if request.query_params.get(name) == ""
        }
        if empty:
            raise ValidationError(empty)
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

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import Hub, Vehicle

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    opens_at = forms.DateTimeField(label=_("Orders open at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Orders close at"), widget=DATETIME)
    confirm_by = forms.DateTimeField(label=_("Producers confirm by"), widget=DATETIME)
    delivery_date = forms.DateField(
        label=_("Delivery date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hub = forms.ModelChoiceField(label=_("Hub"), queryset=Hub.objects.order_by("name"))


class PlanForm(forms.Form):
    vehicles = forms.ModelMultipleChoiceField(
        label=_("Vans"),
        queryset=Vehicle.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    time_limit_s = forms.IntegerField(
        label=_("Solver time (seconds)"), min_value=1, max_value=300, initial=5
    )

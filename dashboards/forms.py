"""The dashboard screen's filters: the same scope as `GET /api/v1/dashboards/kpis/`."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Commune
from logistics.models import Zone

from .kpis import Scope, year_so_far


class ScopeForm(forms.Form):
    """`?from=&to=&commune=&zone=`: cycles delivered in the period (this year so far by
    default), in one commune or one zone."""

    commune = forms.ChoiceField(choices=Commune.choices, required=False)
    zone = forms.ModelChoiceField(queryset=Zone.objects.all(), required=False)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a keyword: the two dates are declared here.
        self.fields["from"] = forms.DateField(required=False)
        self.fields["to"] = forms.DateField(required=False)
        self.today = today

    def clean(self):
        data = super().clean() or {}
        start, end = year_so_far(self.today)
        data["from"] = data.get("from") or start
        data["to"] = data.get("to") or end
        if data["from"] > data["to"]:
            self.add_error("to", _("The period must end after it starts."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(data["from"], data["to"], data.get("commune") or None, data.get("zone"))

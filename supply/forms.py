from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.models import Funder
from logistics.models import Hub, Vehicle
from producers.models import Product

from .choices import Weekday

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


TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    hub = forms.ModelChoiceField(label=_("Hub"), queryset=Hub.objects.order_by("name"))
    delivery_weekday = forms.TypedChoiceField(
        label=_("Delivery day"), choices=Weekday.choices, coerce=int, initial=Weekday.THURSDAY
    )
    opens_days_before = forms.IntegerField(
        label=_("Orders open, days before"), min_value=0, max_value=60, initial=6
    )
    opens_at_time = forms.TimeField(label=_("Opening time"), widget=TIME, initial="09:00")
    closes_days_before = forms.IntegerField(
        label=_("Orders close, days before"), min_value=0, max_value=60, initial=2
    )
    closes_at_time = forms.TimeField(label=_("Closing time"), widget=TIME, initial="12:00")
    confirm_days_before = forms.IntegerField(
        label=_("Producers confirm, days before"), min_value=0, max_value=60, initial=1
    )
    confirm_at_time = forms.TimeField(
        label=_("Confirmation deadline time"), widget=TIME, initial="18:00"
    )
    weeks_ahead = forms.IntegerField(label=_("Weeks ahead"), min_value=1, max_value=26, initial=6)
    excluded_dates = forms.CharField(
        label=_("Weeks left out"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Delivery dates with no cycle, one per line (DD/MM/YYYY)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hubs = list(Hub.objects.order_by("id")[:2])
        if len(hubs) == 1:  # the usual case: one hub, already chosen
            self.fields["hub"].initial = hubs[0].pk

    def clean_excluded_dates(self):
        days = []
        reader = forms.DateField()
        for text in self.cleaned_data["excluded_dates"].replace(",", "\n").splitlines():
            if text.strip():
                days.append(reader.clean(text.strip()))
        return days


class CopyForm(forms.Form):
    delivery_date = forms.DateField(label=_("Delivery date"), widget=DATE)
    opens_at = forms.DateTimeField(label=_("Orders open at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Orders close at"), widget=DATETIME)
    confirm_by = forms.DateTimeField(label=_("Producers confirm by"), widget=DATETIME)


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.producer.name}"


class ContractForm(forms.Form):
    """One product of one producer for one or more groceries (a quantity per grocery)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    product = ProductChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True)
        .select_related("producer__organisation")
        .order_by("producer__organisation__name", "name"),
    )
    unit_price_ht = forms.DecimalField(
        label=_("Price for the season, excl. VAT (€)"),
        min_value=0,
        max_digits=9,
        decimal_places=2,
        localize=True,
    )
    first_delivery = forms.DateField(label=_("First delivery"), widget=DATE)
    last_delivery = forms.DateField(label=_("Last delivery"), widget=DATE)
    prepayment_percent = forms.DecimalField(
        label=_("Paid in advance (% of the season)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        initial=0,
        localize=True,
    )
    programme = forms.ModelChoiceField(
        label=_("Programme paying part of the advance"),
        queryset=Funder.objects.order_by("name"),
        required=False,
    )
    programme_percent = forms.DecimalField(
        label=_("Programme's part of the advance (%)"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        initial=0,
        localize=True,
    )

    def __init__(self, *args, groceries, **kwargs):
        super().__init__(*args, **kwargs)
        self.groceries = list(groceries)
        for grocery in self.groceries:
            self.fields[f"g-{grocery.id}"] = forms.DecimalField(
                label=_("%(grocery)s, per delivery") % {"grocery": grocery.name},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=3,
                localize=True,
            )

    def grocery_fields(self):
        return [self[f"g-{grocery.id}"] for grocery in self.groceries]

    def quantities(self) -> dict:
        return {
            grocery: self.cleaned_data[f"g-{grocery.id}"]
            for grocery in self.groceries
            if self.cleaned_data.get(f"g-{grocery.id}")
        }

"""Forms of the CCAS screens. They check what a form can check; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, InvalidInput

from .models import Grocery, TariffTier


class DomainErrorsMixin(forms.BaseForm):
    def add_domain_error(self, error: DomainError) -> None:
        """A service's refusal shown on the form: on its field when it names one."""
        placed = False
        for field, field_messages in (error.fields or {}).items():
            if field in self.fields:
                for message in field_messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)

    def as_domain_error(self) -> InvalidInput:
        errors = {field: list(messages) for field, messages in self.errors.items()}
        first = next(iter(errors.values()))[0]
        return InvalidInput(str(first), fields=errors)


class ResteAVivreForm(forms.Form):
    """The calculator's inputs: used once for a suggestion, never stored."""

    monthly_resources = forms.DecimalField(
        label=_("Monthly resources (€)"), min_value=0, max_value=100000, decimal_places=2
    )
    monthly_charges = forms.DecimalField(
        label=_("Fixed monthly charges (€)"), min_value=0, max_value=100000, decimal_places=2
    )
    persons = forms.IntegerField(label=_("Persons in the household"), min_value=1, max_value=40)


class HouseholdEnrolForm(DomainErrorsMixin, forms.Form):
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=20)
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=20, initial=0)
    tier = forms.ModelChoiceField(
        label=_("Tariff tier"),
        queryset=TariffTier.objects.order_by("beneficiary_rate", "code"),
        to_field_name="code",
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("3 to 6 months after the start."),
    )
    monthly_cap = forms.DecimalField(
        label=_("Monthly cap (€)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=1000,
        decimal_places=2,
        help_text=_("Empty: the CCAS's default for the size of the household."),
    )
    pickup_grocery = forms.ModelChoiceField(
        label=_("Pickup grocery"),
        queryset=Grocery.objects.order_by("organisation__commune", "organisation__name"),
    )
    funder: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Funder"), queryset=None)
    # A second funder sharing the subsidy (DESIGN.md §12): the funder above pays the rest.
    co_funder: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Co-funder"), queryset=None, required=False
    )
    co_funder_share = forms.DecimalField(
        label=_("Co-funder's share (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        decimal_places=2,
        help_text=_("For instance 40 when the Département pays 40 % of the subsidy."),
    )
    consent_at = forms.DateTimeField(
        label=_("Consent given on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    eligibility_reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the decision departs from the thresholds."),
    )
    # The tier the calculator suggested ("none": above the thresholds; empty: not used). Not a
    # figure about the household: the calculator's inputs are never kept.
    suggested_tier = forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=200)
    contact_phone = forms.RegexField(
        label=_("Contact phone"), regex=r"^\+?[0-9 .-]{6,20}$", required=False, max_length=30
    )

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders.order_by("name")
        self.fields["co_funder"].queryset = funders.order_by("name")
        if funders.count() == 1:
            self.fields["funder"].initial = funders.first()

    def clean(self):
        data = super().clean()
        if bool(data.get("co_funder")) != bool(data.get("co_funder_share")):
            self.add_error("co_funder_share", _("Name the co-funder and its share, or neither."))
        return data

    def service_arguments(self) -> dict:
        arguments = dict(self.cleaned_data)
        arguments["suggested_tier"] = arguments.get("suggested_tier") or None
        co_funder, share = arguments.pop("co_funder"), arguments.pop("co_funder_share")
        if co_funder:
            share = share / 100
            arguments["funders"] = [
                {"funder": arguments.pop("funder"), "share": 1 - share},
                {"funder": co_funder, "share": share},
            ]
        return arguments


class HouseholdRenewForm(DomainErrorsMixin, forms.Form):
    valid_until = forms.DateField(
        label=_("New end of validity"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.models import Grocery
from producers.models import Producer

from .choices import PartyKind, PaymentMethod
from .models import Funder, Invoice


def party_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every party, grouped by kind, as "kind:id"."""
    return [
        (
            str(PartyKind.GROCERY.label),
            [(f"grocery:{g.id}", g.name) for g in Grocery.objects.order_by("organisation__name")],
        ),
        (
            str(PartyKind.FUNDER.label),
            [(f"funder:{f.id}", f.name) for f in Funder.objects.order_by("name")],
        ),
        (
            str(PartyKind.PRODUCER.label),
            [(f"producer:{p.id}", p.name) for p in Producer.objects.order_by("organisation__name")],
        ),
    ]


class PaymentForm(forms.Form):
    """A payment as the coordinator reads it on the bank statement (DESIGN.md §12)."""

    party = forms.ChoiceField(label=_("Who"))
    amount = forms.DecimalField(
        label=_("Amount (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    paid_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=140,
        required=False,
        help_text=_("The bank's reference, the cheque's number, or the producer's invoice number."),
    )
    invoice = forms.ModelChoiceField(
        label=_("Invoice settled"),
        queryset=Invoice.objects.exclude(kind="credit_note").order_by("-issued_on", "-id"),
        required=False,
        empty_label=_("the oldest open invoices"),
    )
    contributions = forms.BooleanField(
        label=_("Beneficiaries' contributions remitted by the grocery"), required=False
    )
    is_advance = forms.BooleanField(label=_("An advance (more than is owed)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = party_choices()

    def clean_party(self):
        kind, _sep, party_id = self.cleaned_data["party"].partition(":")
        return kind, int(party_id)


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Statement file"),
        help_text=_("CAMT.053 (.xml) as the bank exports it, or CSV (.csv)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.csv,.txt"}),
    )


class BankLineForm(forms.Form):
    """What a bank line that found nothing on its own pays, or why it pays nothing."""

    invoice = forms.ModelChoiceField(
        label=_("Invoice paid"), queryset=Invoice.objects.none(), required=False
    )
    party = forms.ChoiceField(label=_("Or the party (its oldest invoices)"), required=False)
    advance = forms.BooleanField(label=_("An advance (more than is owed)"), required=False)
    reason = forms.CharField(label=_("Or why it is ignored"), max_length=300, required=False)

    def __init__(self, *args, open_invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(
            id__in=[invoice.id for invoice in open_invoices]
        )
        self.fields["invoice"].choices = [("", "—")] + [
            (invoice.id, f"{invoice.number} · {invoice.party.name} · {invoice.total_ttc} €")
            for invoice in open_invoices
        ]
        self.fields["party"].choices = [("", "—"), *party_choices()]

    def clean_party(self):
        value = self.cleaned_data["party"]
        if not value:
            return None
        kind, _sep, party_id = value.partition(":")
        return kind, int(party_id)

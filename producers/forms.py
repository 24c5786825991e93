from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Product

# The bounds of the table's CHECK constraints, repeated here to be stated as messages.
BOUNDS = {
    "unit_weight_kg": (Decimal("0.001"), Decimal("1000")),
    "pack_size": (Decimal("0.001"), Decimal("1000")),
    "unit_price_ht": (Decimal("0"), Decimal("100000")),
}


class ProductForm(forms.ModelForm):
    """A product added or changed by its producer. Numbers are typed the French way ("5,5")
    in text inputs; the VAT as a percentage, stored as a rate."""

    vat_percent = forms.DecimalField(
        label=_("VAT (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
        initial=Decimal("5.5"),
        help_text=_("5,5 for most food, 20 for drinks with alcohol."),
    )

    class Meta:
        model = Product
        fields = [
            "name",
            "category",
            "unit",
            "unit_weight_kg",
            "pack_size",
            "unit_price_ht",
            "is_organic",
        ]
        localized_fields = ["unit_weight_kg", "pack_size", "unit_price_ht"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in BOUNDS.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
        for name in ("unit_weight_kg", "pack_size", "unit_price_ht", "vat_percent"):
            # A decimal keyboard on phones, and the comma kept (a number input drops it).
            self.fields[name].widget = forms.TextInput(
                attrs={"inputmode": "decimal", "autocomplete": "off"}
            )
        if self.instance.pk:
            self.initial["vat_percent"] = (self.instance.vat_rate * 100).normalize()

    def service_arguments(self) -> dict:
        """The product's fields as the services take them (the VAT as a rate)."""
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["vat_rate"] = self.cleaned_data["vat_percent"] / 100
        return fields

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from .models import Product

# The bounds of the table's CHECK constraints, repeated here to be stated as messages.
BOUNDS = {
    "unit_weight_kg": (Decimal("0.001"), Decimal("1000")),
    "pack_size": (Decimal("0.001"), Decimal("1000")),
    "unit_price_ht": (Decimal("0"), Decimal("100000")),
    "vat_rate": (Decimal("0"), Decimal("1")),
}


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "category",
            "unit",
            "unit_weight_kg",
            "pack_size",
            "unit_price_ht",
            "vat_rate",
            "is_organic",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in BOUNDS.items():
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update({"min": low, "max": high})

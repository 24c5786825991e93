"""Printable documents, rendered from HTML templates by WeasyPrint."""

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from core.choices import OrganisationKind
from core.models import Organisation

from .models import PurchaseList


def purchase_order_pdf(*, purchase_list: PurchaseList) -> bytes:
    """The producer's purchase order: lines, weights, totals excl. VAT, VAT, incl. VAT."""
    lines = list(purchase_list.lines.all())
    total_ht = sum((line.total_ht for line in lines), Decimal("0.00"))
    total_ttc = sum((line.total_ttc for line in lines), Decimal("0.00"))
    context = {
        "platform": Organisation.objects.get(kind=OrganisationKind.PLATFORM),
        "purchase_list": purchase_list,
        "producer": purchase_list.producer,
        "cycle": purchase_list.cycle,
        "hub": purchase_list.cycle.hub,
        "lines": lines,
        "total_ht": total_ht,
        "total_vat": total_ttc - total_ht,
        "total_ttc": total_ttc,
        "weight_kg": sum((line.weight_kg for line in lines), Decimal("0")),
        "printed_at": timezone.localtime(),
    }
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("supply/purchase_order.html", context)
    return HTML(string=html).write_pdf()

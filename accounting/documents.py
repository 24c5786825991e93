"""The printable invoice (DESIGN.md §12): the legal mentions of a French invoice, its lines,
the VAT per rate and the terms of payment."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings

from core.documents import pdf_from_template
from core.formats import format_quantity

from . import invoicing
from .choices import InvoiceKind
from .ledger import ZERO
from .models import Invoice

TITLES: dict[str, str] = {
    InvoiceKind.INVOICE: "Facture",
    InvoiceKind.CREDIT_NOTE: "Avoir",
    InvoiceKind.SELF_BILLING: "Facture (autofacturation)",
}


def vat_summary(invoice: Invoice) -> list[dict]:
    """Base, VAT and total per rate, as the law asks."""
    rates: dict[Decimal, dict] = defaultdict(lambda: {"ht": ZERO, "vat": ZERO, "ttc": ZERO})
    for line in invoice.lines.all():
        rate = rates[line.vat_rate]
        rate["ht"] += line.total_ht
        rate["vat"] += line.total_vat
        rate["ttc"] += line.total_ttc
    return [{"rate": format_quantity(rate * 100), **sums} for rate, sums in sorted(rates.items())]


def invoice_context(invoice: Invoice) -> dict:
    paid, credited = invoicing.paid_and_credited(invoice)
    lines = list(invoice.lines.order_by("id"))
    for line in lines:
        line.vat_percent = format_quantity(line.vat_rate * 100)
    return {
        "invoice": invoice,
        "title": TITLES[invoice.kind],
        "lines": lines,
        "vat": vat_summary(invoice),
        "paid": paid,
        "credited": credited,
        "outstanding": invoice.total_ttc - paid - credited,
        "iban": settings.PLATFORM_IBAN,
        "payment_days": settings.INVOICE_PAYMENT_DAYS,
        "self_billing": invoice.kind == InvoiceKind.SELF_BILLING,
        "credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "no_vat": any(line.vat_rate == 0 for line in lines),
    }


def invoice_pdf(*, invoice: Invoice) -> bytes:
    return pdf_from_template("accounting/invoice.html", invoice_context(invoice))

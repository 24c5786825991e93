"""The producer's printable purchase order."""

from decimal import Decimal

from core.documents import pdf_from_template

from .models import PurchaseList


def purchase_order_pdf(*, purchase_list: PurchaseList) -> bytes:
    """The producer's purchase order: lines, weights, totals excl. VAT, VAT, incl. VAT."""
    lines = list(purchase_list.lines.all())
    total_ht = sum((line.total_ht for line in lines), Decimal("0.00"))
    total_ttc = sum((line.total_ttc for line in lines), Decimal("0.00"))
    context = {
        "purchase_list": purchase_list,
        "producer": purchase_list.producer,
        "cycle": purchase_list.cycle,
        "hub": purchase_list.cycle.hub,
        "lines": lines,
        "total_ht": total_ht,
        "total_vat": total_ttc - total_ht,
        "total_ttc": total_ttc,
        "weight_kg": sum((line.weight_kg for line in lines), Decimal("0")),
    }
    return pdf_from_template("supply/purchase_order.html", context)

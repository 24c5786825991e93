"""The producer's printable purchase order."""

from core.documents import pdf_from_template

from .models import PurchaseList


def purchase_order_pdf(*, purchase_list: PurchaseList) -> bytes:
    """The producer's purchase order: lines, weights, totals excl. VAT, VAT, incl. VAT.

    `purchase_list` comes from selectors.with_line_totals (lines and totals priced)."""
    context = {
        "purchase_list": purchase_list,
        "producer": purchase_list.producer,
        "cycle": purchase_list.cycle,
        "hub": purchase_list.cycle.hub,
        "lines": purchase_list.lines.all(),
        "total_ht": purchase_list.total_ht,
        "total_vat": purchase_list.total_ttc - purchase_list.total_ht,
        "total_ttc": purchase_list.total_ttc,
        "weight_kg": purchase_list.weight_kg,
    }
    return pdf_from_template("supply/purchase_order.html", context)

"""The producer's printable purchase order."""

from decimal import Decimal

from django.utils import timezone

from core.documents import pdf_from_template

from .models import OrderCycle, PurchaseList


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


def packing_list_pdf(*, cycle: OrderCycle, rows) -> bytes:
    """A grocery's crates, as selectors.packing_rows gives them: its grouped order, then one
    page per household order (by reference), each line with a box to tick."""
    groups: list[dict] = []
    for row in rows:
        key = (row["grocery"], row["order_number"])
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {
                    "key": key,
                    "grocery_name": row["grocery_name"],
                    "household": row["household"],
                    "rows": [],
                    "weight": Decimal("0"),
                }
            )
        groups[-1]["rows"].append(row)
        groups[-1]["weight"] += row["weight_kg"] or 0
    context = {"cycle": cycle, "groups": groups, "printed_at": timezone.now()}
    return pdf_from_template("supply/packing_list.html", context)

"""A total printed at the foot of a table is a table footer no more: WeasyPrint repeats a
footer on every page, where the period's total read as an unlabelled running subtotal
(#19, item 20)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_printed_document_repeats_its_totals_on_every_page():
    printed = [
        "supply/templates/supply/purchase_order.html",
        "supply/templates/supply/packing_list.html",
        "accounting/templates/accounting/producer_statement.html",
        "accounting/templates/accounting/funder_statement.html",
        "logistics/templates/logistics/route_sheet.html",
        "dashboards/templates/dashboards/print.html",
    ]

    assert [path for path in printed if "<tfoot" in (ROOT / path).read_text()] == []

"""Files for people: CSV and XLSX read by French spreadsheets (DESIGN.md §13).

French column names (HEADERS, and a view's own `export_headers`); in CSV, `;` between cells,
a decimal comma and dates as 05/12/2026; in XLSX, amounts and dates as the spreadsheet's own
numbers and dates. A text cell that a spreadsheet would take for a formula (it starts with
=, +, -, @, a tab or a carriage return: a producer could name a product "=HYPERLINK(...)") is
neutralised: a quote before it in CSV, a plain string in XLSX.
"""

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import BaseRenderer, JSONRenderer

DECIMAL_TEXT = re.compile(r"^-?\d+\.\d+$")
NUMBER_TEXT = re.compile(r"^-?\d+([.,]\d+)?$")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The column names of every export, by the key the API gives the value.
HEADERS = {
    "partie": _("Party"),
    "producteur": _("Producer"),
    "statut": _("Status"),
    "code": _("Code"),
    "name": _("Name"),
    "kind": _("Kind"),
    "debit": _("Debit"),
    "credit": _("Credit"),
    "balance": _("Balance"),
    "cycle": _("Cycle no."),
    "cycle_name": _("Cycle"),
    "delivery_date": _("Delivery date"),
    "social_service": _("CCAS"),
    "households": _("Households"),
    "orders": _("Orders"),
    "subsidy_ttc": _("Subsidies incl. VAT"),
    "amount_ttc": _("Amount incl. VAT"),
    "producer": _("Producer no."),
    "grocery": _("Grocery no."),
    "funder": _("Funder no."),
    "goods_ttc": _("Goods incl. VAT"),
    "logistics_eur": _("Logistics share"),
    "beneficiary_collected": _("Beneficiaries' contributions collected"),
    "total_due": _("Total due"),
    "product": _("Product"),
    "product_name": _("Product"),
    "unit": _("Unit"),
    "quantity": _("Quantity"),
    "unit_price_ht": _("Unit price excl. VAT"),
    "total_ht": _("Total excl. VAT"),
    "total_vat": _("VAT"),
    "total_ttc": _("Total incl. VAT"),
    "offer": _("Offer no."),
    "ordered_quantity": _("Ordered"),
    "allocated_quantity": _("Allocated"),
    "confirmed_quantity": _("Confirmed"),
    "received_quantity": _("Received"),
    "weight_kg": _("Weight (kg)"),
    "grocery_name": _("Grocery"),
    "order_number": _("Order no."),
    "household": _("Household"),
    "producer_name": _("Producer"),
    "asked_quantity": _("Asked"),
    "packed_quantity": _("To pack"),
    "month": _("Month"),
    "commune": _("Commune"),
    "message": _("Message"),
}


def columns(rows: list[dict]) -> list[str]:
    """Every key of the rows, in the order first seen (rows of several kinds share a file)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def headers_for(keys: list[str], renderer_context: Mapping | None) -> list[str]:
    view = (renderer_context or {}).get("view")
    names = {**HEADERS, **getattr(view, "export_headers", {})}
    return [str(names.get(key, key)) for key in keys]


def csv_cell(value) -> str:
    """A value as a French spreadsheet reads it from CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")  # the file's one format, whatever the language
    text = str(value)
    if DECIMAL_TEXT.match(text):
        return text.replace(".", ",")
    if DATE_TEXT.match(text):
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    if text.startswith(FORMULA_STARTS) and not NUMBER_TEXT.match(text):
        return "'" + text
    return text


class CSVRenderer(BaseRenderer):
    """Rows (a list of flat dicts) as CSV with a header, for French spreadsheets."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "code" in data:  # an error body
            data = [data]
        rows = list(data or [])
        buffer = io.StringIO()
        if rows:
            keys = columns(rows)
            writer = csv.writer(buffer, delimiter=";")
            writer.writerow(headers_for(keys, renderer_context))
            writer.writerows([csv_cell(row.get(key)) for key in keys] for row in rows)
        # A byte-order mark so that spreadsheet software reads the accents right.
        return ("\ufeff" + buffer.getvalue()).encode(self.charset)


def _copy_expression(column: str, kind: str) -> str:
    """The SQL that writes one column as csv_cell would."""
    if kind == "decimal":
        return f"replace({column}::text, '.', ',')"
    if kind == "text":
        starts = ", ".join(
            f"'{start}'" if start.isprintable() else f"chr({ord(start)})"
            for start in FORMULA_STARTS
        )
        quote = "''''"  # one quote, as an SQL literal
        return (
            f"CASE WHEN left({column}, 1) IN ({starts}) THEN {quote} || {column} ELSE {column} END"
        )
    return column


def copy_csv(queryset: QuerySet, *, kinds: Mapping[str, str], view=None) -> Iterator[bytes]:
    """Stream a `.values()` queryset as CSV written by PostgreSQL's COPY: the same file as
    CSVRenderer's (French header, decimal comma, formulas neutralised). `kinds` names each
    column of the values, in their order: "integer", "decimal" or "text"."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    expressions = [
        _copy_expression(f"t.{connection.ops.quote_name(name)}", kind)
        for name, kind in kinds.items()
    ]
    header = io.StringIO()
    csv.writer(header, delimiter=";").writerow(headers_for(list(kinds), {"view": view}))
    yield ("\ufeff" + header.getvalue()).encode()
    with connection.cursor() as cursor:
        statement = (
            f"COPY (SELECT {', '.join(expressions)} FROM ({sql}) AS t) "
            "TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
        )
        with cursor.cursor.copy(statement, params) as copy:
            yield from copy


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class XLSXRenderer(BaseRenderer):
    """Rows (a list of flat dicts) as one Excel sheet; amounts become numbers."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from openpyxl import Workbook

        if isinstance(data, dict) and "code" in data:  # an error body
            data = [data]
        rows = list(data or [])
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (renderer_context or {}).get("sheet_title", "Export")[:31]
        if rows:
            keys = columns(rows)
            sheet.append(headers_for(keys, renderer_context))
            for row in rows:
                sheet.append([_cell(row.get(key)) for key in keys])
            for cells in sheet.iter_cols(min_row=2):
                for cell in cells:
                    if isinstance(cell.value, Decimal):
                        cell.number_format = "#,##0.00"
                    elif isinstance(cell.value, date):
                        cell.number_format = "DD/MM/YYYY"
                    elif cell.data_type == "f":  # text that looked like a formula
                        cell.data_type = "s"
            sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _cell(value):
    """Amounts and days as the spreadsheet's own numbers and dates, so they sum and sort."""
    if isinstance(value, str) and DECIMAL_TEXT.match(value):
        return Decimal(value)
    if isinstance(value, str) and DATE_TEXT.match(value):
        return date.fromisoformat(value)
    return value


class PDFRenderer(BaseRenderer):
    """Lets `?format=pdf` through content negotiation; the view hands over the PDF bytes.
    Anything else (an error body) is written as JSON, with a JSON content type."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, default=str).encode()


class JSONLDRenderer(JSONRenderer):
    """Linked data (the DFC catalogues): JSON-LD's own media type."""

    media_type = "application/ld+json"
    format = "jsonld"

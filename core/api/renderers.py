import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

from rest_framework.renderers import BaseRenderer, JSONRenderer


class CSVRenderer(BaseRenderer):
    """Rows (a list of flat dicts) as CSV with a header, `;`-separated for French spreadsheets."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "code" in data:  # an error body
            data = [data]
        rows = list(data or [])
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=columns(rows), delimiter=";", restval="")
            writer.writeheader()
            writer.writerows(rows)
        # A byte-order mark so that spreadsheet software reads the accents right.
        return ("\ufeff" + buffer.getvalue()).encode(self.charset)


def columns(rows: list[dict]) -> list[str]:
    """Every key of the rows, in the order first seen (rows of several kinds share a file)."""
    return list(dict.fromkeys(key for row in rows for key in row))


def copy_csv(queryset):
    """Stream a `.values()` queryset as CSV written by PostgreSQL's COPY (header included,
    same `;` and byte-order mark as CSVRenderer)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    yield "\ufeff".encode()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')"
        with raw.copy(statement, params) as copy:
            yield from copy


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


DECIMAL_TEXT = re.compile(r"^-?\d+\.\d+$")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
            names = columns(rows)
            sheet.append(names)
            for row in rows:
                sheet.append([_cell(row.get(name)) for name in names])
            for cells in sheet.iter_cols(min_row=2):
                for cell in cells:
                    if isinstance(cell.value, Decimal):
                        cell.number_format = "#,##0.00"
                    elif isinstance(cell.value, date):
                        cell.number_format = "DD/MM/YYYY"
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

import csv
import io

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
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        # A byte-order mark so that spreadsheet software reads the accents right.
        return ("\ufeff" + buffer.getvalue()).encode(self.charset)


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

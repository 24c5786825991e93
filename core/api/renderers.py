import csv
import io

from rest_framework.renderers import BaseRenderer


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

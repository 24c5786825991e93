"""Tables people upload (CSV or XLSX, as French spreadsheets write them), read into rows of
text by column (DESIGN.md §13): the header names the columns in French, numbers are typed
with a comma or a point, and a formula is refused rather than trusted or evaluated."""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import InvalidInput

MAX_TABLE_BYTES = 5 * 1024 * 1024
FORMULA = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
TRUE_WORDS = {"oui", "yes", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "no", "faux", "false", "0", ""}


class CellError(Exception):
    """A cell that cannot be read: its row is refused with this message."""


def folded(text: str) -> str:
    """Lower case, without accents or outer spaces: "Légumes " and "legumes" are the same."""
    decomposed = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def choice_words(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """A choice's value from its label or its value, as people type them."""
    words: dict[str, str] = {}
    for value, label in choices:
        words[folded(str(label))] = value
        words[folded(value)] = value
    return words


def cell_text(text: str, label: str) -> str:
    """A cell's text; a formula refuses its row (a text our export protected with a quote
    is taken back as it was)."""
    if text.startswith("'") and FORMULA.match(text[1:]):
        return text[1:]
    if FORMULA.match(text) and not NUMBER.match(text):
        raise CellError(
            _("%(column)s: a formula is not imported (« %(value)s »); type its value.")
            % {"column": label, "value": text[:40]}
        )
    return text


def french_decimal(text: str, label: str) -> Decimal:
    """A number as people type it: 1,50 or 1.50, 1 234,50."""
    cleaned = re.sub(r"[\s\u00a0\u202f€%]", "", text)
    if "," in cleaned and "." in cleaned:  # the last one is the decimal separator
        thousands = "." if cleaned.rindex(",") > cleaned.rindex(".") else ","
        cleaned = cleaned.replace(thousands, "")
    try:
        number = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CellError(
            _("%(column)s: « %(value)s » is not a number.") % {"column": label, "value": text}
        )
    return number


def yes_no(text: str, label: str) -> bool | None:
    """oui / non (or yes, vrai, 1, x…); None when the cell is empty."""
    word = folded(text)
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise CellError(_("%(column)s: say « oui » or « non ».") % {"column": label})
    return word in TRUE_WORDS if word else None


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_cell(cell) -> str:
    value = cell.value
    if cell.data_type == "f":
        return str(value) if str(value).startswith("=") else f"={value}"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # zipfile, XML: not a spreadsheet
        raise InvalidInput(
            _("The file cannot be read as an Excel spreadsheet (.xlsx)."), code="invalid_file"
        ) from error
    rows = [[_xlsx_cell(cell) for cell in cells] for cells in workbook.active.iter_rows()]
    workbook.close()
    return rows


def table_rows(
    *, name: str, content: bytes, columns: Mapping[str, object], required: Iterable[str]
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, {column: text}), empty rows left out; a file too
    large, unreadable or whose header is not `columns` (labels, in French) is refused."""
    if len(content) > MAX_TABLE_BYTES:
        raise InvalidInput(
            _("The file is larger than %(size)d MB.") % {"size": MAX_TABLE_BYTES // 1024 // 1024},
            code="too_large",
        )
    is_xlsx = name.lower().endswith(".xlsx") or content[:2] == b"PK"
    rows = _xlsx_rows(content) if is_xlsx else _csv_rows(content)
    if not rows:
        raise InvalidInput(_("The file is empty."), code="invalid_file")
    names = _header(rows[0], columns, required)
    return [
        (number, {name: cell for name, cell in zip(names, cells, strict=False) if name})
        for number, cells in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]


def _header(
    header: list[str], columns: Mapping[str, object], required: Iterable[str]
) -> list[str | None]:
    by_label = {folded(str(label)): name for name, label in columns.items()}
    names = [by_label.get(folded(title)) for title in header]
    unknown = [
        title for title, name in zip(header, names, strict=True) if name is None and title.strip()
    ]
    missing = [str(columns[name]) for name in required if name not in names]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        raise InvalidInput(
            _("The file's headers are not those expected (%(problems)s). Expected: %(expected)s.")
            % {
                "problems": "; ".join(problems),
                "expected": ", ".join(str(label) for label in columns.values()),
            },
            code="invalid_headers",
        )
    return names

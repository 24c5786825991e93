"""Files for people read right in a French spreadsheet, and never run a planted formula
(#19, item 5)."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.api.renderers import csv_cell
from tests.helpers import client_for, close

FORMULA = '=HYPERLINK("http://example.invalid","ici")'


def _rows(response) -> list[dict]:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_cells_as_a_french_spreadsheet_reads_them():
    assert csv_cell(Decimal("12.50")) == "12,50"
    assert csv_cell("-7.000") == "-7,000"  # a number, not a formula
    assert csv_cell("-7") == "-7"
    assert csv_cell("2026-12-05") == "05/12/2026"
    assert csv_cell(FORMULA) == "'" + FORMULA
    for start in ("+", "-", "@", "\t", "\r"):
        assert csv_cell(start + "cmd") == "'" + start + "cmd"
    assert csv_cell(None) == ""


def test_a_product_named_like_a_formula_is_text_in_every_file(
    coordinator_client, market, ordered, world, django_capture_on_commit_callbacks
):
    world.product.name = FORMULA
    world.product.save()
    close(coordinator_client, market.cycle, django_capture_on_commit_callbacks)

    purchase = _rows(
        coordinator_client.get(f"/api/v1/cycles/{market.cycle.id}/purchase-lists/?format=csv")
    )
    packing = _rows(
        client_for(world.volunteer).get(
            f"/api/v1/cycles/{market.cycle.id}/packing-lists/?format=csv"
        )
    )

    assert {row["Produit"] for row in purchase} >= {"'" + FORMULA}
    assert {row["Produit"] for row in packing} >= {"'" + FORMULA}
    assert all("," in row["À préparer"] or row["À préparer"].isdigit() for row in packing)
    assert {row["Demandé"] for row in packing} >= {"3,000"}


def test_an_xlsx_cell_that_looks_like_a_formula_stays_text(coordinator_client, confirmed, world):
    world.producer.organisation.name = "+SUM(A1:A9)"
    world.producer.organisation.save()

    sheet = load_workbook(
        io.BytesIO(
            coordinator_client.get(
                f"/api/v1/cycles/{confirmed.cycle.id}/settlement/", {"format": "xlsx"}
            ).content
        )
    ).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "+SUM(A1:A9)"]

    assert [cell.data_type for cell in cells] == ["s"]
    assert [cell.value for cell in sheet[1]][:3] == ["Partie", "N° producteur", "Nom"]

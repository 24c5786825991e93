"""Statements of the hand-computed cycle (figures in test_settlement.py)."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.accounting.conftest import settle
from tests.factories import Role, member
from tests.helpers import client_for


@pytest.fixture
def settled(coordinator_client, delivered, django_capture_on_commit_callbacks):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    return delivered


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_funder_statement_by_cycle_and_ccas(ccas_client, settled, world):
    f1 = settled.funders[0]

    statement = ccas_client.get(f"/api/v1/funders/{f1.id}/statement/").json()

    assert statement["funder"] == {"id": f1.id, "name": f1.name}
    assert statement["lines"] == [
        {
            "cycle": settled.cycle.id,
            "cycle_name": settled.cycle.name,
            "delivery_date": settled.cycle.delivery_date.isoformat(),
            "social_service": world.social_service.name,
            "households": 3,
            "orders": 3,
            "subsidy_ttc": "26.90",
        }
    ]
    assert (statement["total_subsidy_ttc"], statement["households"]) == ("26.90", 3)
    (envelope,) = statement["envelopes"]
    assert (envelope["spent"], envelope["committed"], envelope["remaining"]) == (
        "26.90",
        "0.00",
        "973.10",
    )


def test_funder_statement_as_csv_xlsx_and_pdf(coordinator_client, settled):
    f2 = settled.funders[1]
    path = f"/api/v1/funders/{f2.id}/statement/"

    as_csv = coordinator_client.get(path, {"format": "csv"})
    as_xlsx = coordinator_client.get(path, {"format": "xlsx"})
    as_pdf = coordinator_client.get(path, {"format": "pdf"})

    (row,) = csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";")
    # French column names, a decimal comma, a French date.
    assert (row["Foyers"], row["Subventions TTC"]) == ("1", "8,31")
    assert row["Date de livraison"].count("/") == 2
    assert "attachment" in as_csv["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Subventions TTC"] == 8.31  # a number in the sheet, not text
    assert as_pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(as_pdf.content)
    assert "Relevé des subventions à verser" in text
    assert "Ville de Lille" in text
    assert "Montant à verser : 8,31 €" in text


def test_producer_statement_matches_the_ledger_and_details_products(coordinator_client, settled):
    p1 = settled.producers[0]
    user = member(Role.PRODUCER, p1.organisation)
    client = client_for(user)

    statement = client.get(f"/api/v1/producers/{p1.id}/statement/").json()
    as_pdf = client.get(f"/api/v1/producers/{p1.id}/statement/", {"format": "pdf"})

    assert [line["amount_ttc"] for line in statement["lines"]] == ["178.29"]
    assert statement["total_ttc"] == "178.29"
    text = _pdf_text(as_pdf.content)
    # eggs: 2 boxes for H1 + 28 received by G2 = 30 boxes, 4.60 + 64.40 = 69.00 HT
    assert "30 pièces" in text
    assert "69,00 €" in text
    assert "Total à payer 178,29 € TTC" in text


def test_grocery_statement_sums_goods_logistics_and_contributions(settled, world):
    g1 = settled.groceries[0]

    statement = client_for(world.volunteer).get(f"/api/v1/groceries/{g1.id}/statement/").json()

    (line,) = statement["lines"]
    assert (
        line["goods_ttc"],
        line["logistics_eur"],
        line["beneficiary_collected"],
        line["total_due"],
    ) == ("160.58", "35.32", "3.61", "199.51")
    assert statement["total_due"] == "199.51"


def test_a_period_without_the_cycle_is_empty(coordinator_client, settled):
    f1 = settled.funders[0]

    statement = coordinator_client.get(
        f"/api/v1/funders/{f1.id}/statement/", {"from": "2020-01-01", "to": "2020-12-31"}
    ).json()

    assert (statement["lines"], statement["total_subsidy_ttc"]) == ([], "0.00")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "demain"}, "to"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
    ],
)
def test_a_bad_period_is_refused(coordinator_client, world, query, field):
    response = coordinator_client.get(f"/api/v1/funders/{world.funder.id}/statement/", query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_trial_balance_exports(coordinator_client, settled):
    as_csv = coordinator_client.get("/api/v1/ledger/trial-balance/", {"format": "csv"})
    wrong = coordinator_client.get("/api/v1/ledger/trial-balance/", {"cycle": "abc"})

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 15
    assert sum(Decimal(row["Solde"].replace(",", ".")) for row in rows) == 0
    assert wrong.status_code == 400

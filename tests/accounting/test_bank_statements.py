"""Bank statements (DESIGN.md §12) on the hand-computed cycle of conftest.py: a CAMT.053
statement built here, matched by invoice number and by party and amount, imported twice
without posting twice, its lines lettering what they pay; a CSV export the same way; and
every bad file refused with nothing stored."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from lxml import etree

from accounting import bank
from accounting.models import BankLine, BankStatement, Invoice, JournalEntry, LetteredLine, Payment
from tests.accounting.camt import Entry, statement
from tests.accounting.conftest import settle

YEAR = timezone.localdate().year
TODAY = timezone.localdate()


@pytest.fixture
def settled(coordinator_client, delivered, django_capture_on_commit_callbacks):
    apples_producer = delivered.producers[2]
    apples_producer.self_billing_since = TODAY - timedelta(days=30)
    apples_producer.save()
    task = settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    assert task["result"]["invoices"] == 5
    return delivered


def upload(client, name: str, content: bytes):
    return client.post(
        "/api/v1/bank-statements/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def camt(settled, *, iban: str | None = None) -> bytes:
    g1, _g2 = settled.groceries
    f1, _f2 = settled.funders
    return statement(
        iban or settings.PLATFORM_IBAN,
        TODAY,
        [
            # The invoice number in the remittance text, as the grocery typed it.
            Entry("BQ-0001", "195.90", True, g1.name.upper(), f"VIR SEPA FACT FA-{YEAR}-000001"),
            # No number: the funder's name and an open invoice of exactly this amount.
            Entry("BQ-0002", "26.90", True, f1.name.upper(), "SUBVENTION AIDE ALIMENTAIRE"),
            # Paid to the apples' producer; the bank kept the number without its dashes.
            Entry("BQ-0003", "75.96", False, "VERGERS DE TEMPLEUVE", f"AF{YEAR}000001"),
            Entry("BQ-0004", "50.00", True, "M OU MME INCONNU", "DON"),
            Entry("BQ-0005", "3.50", False, "", "FRAIS TENUE DE COMPTE"),
            # Not booked yet: the bank may still change it.
            Entry("BQ-0006", "99.00", True, g1.name, f"FA-{YEAR}-000002", status="PDNG"),
        ],
    )


def test_the_statement_built_here_follows_the_iso_20022_schema(settled):
    assert bank._camt_schema().validate(etree.fromstring(camt(settled)))


def test_a_camt053_statement_is_matched_reimported_without_double_posting_and_lettered(
    coordinator_client, settled
):
    g1, g2 = settled.groceries
    invoice = {
        number: Invoice.objects.get(number=number)
        for number in Invoice.objects.values_list("number", flat=True)
    }
    fa1, fa2, fa3 = (invoice[f"FA-{YEAR}-00000{n}"] for n in (1, 2, 3))
    af1 = invoice[f"AF-{YEAR}-000001"]

    answer = upload(coordinator_client, "releve.xml", camt(settled))

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["format"], body["lines"], body["matched"], body["unmatched"]) == (
        "camt053",
        5,
        3,
        2,
    )
    assert body["already_imported"] == 0
    lines = {
        line["reference"]: line
        for line in coordinator_client.get(f"/api/v1/bank-statements/{body['id']}/lines/").json()
    }
    assert {reference: line["status"] for reference, line in lines.items()} == {
        "camt:BQ-0001": "matched",
        "camt:BQ-0002": "matched",
        "camt:BQ-0003": "matched",
        "camt:BQ-0004": "unmatched",
        "camt:BQ-0005": "unmatched",
    }
    assert lines["camt:BQ-0004"]["note"] == (
        "Aucun numéro de facture dans le libellé et aucun tiers de ce nom."
    )
    paid = {
        payment.allocations.get().invoice.number: (
            payment.direction,
            payment.amount,
            payment.paid_on,
        )
        for payment in Payment.objects.all()
    }
    assert paid == {
        fa1.number: ("in", D("195.90"), TODAY),
        fa3.number: ("in", D("26.90"), TODAY),
        af1.number: ("out", D("75.96"), TODAY),
    }
    # Each paid invoice is lettered with its payment: the party's account balances.
    for paid_invoice in (fa1, fa3, af1):
        row = coordinator_client.get(f"/api/v1/invoices/{paid_invoice.id}/").json()
        assert (row["status"], row["paid"]) == ("paid", str(paid_invoice.total_ttc))
    assert LetteredLine.objects.filter(lettering__account__grocery=g1).count() >= 2
    balance = coordinator_client.get(
        "/api/v1/balances/", {"party_kind": "grocery", "party": g1.id}
    ).json()
    # What is left: the beneficiaries' contributions it collected (4671), no invoice.
    assert (balance[0]["owed"], balance[0]["paid"], balance[0]["outstanding"]) == (
        "199.51",
        "195.90",
        "3.61",
    )

    # The same file again: every line known by its bank reference, nothing posted.
    entries = JournalEntry.objects.count()
    again = upload(coordinator_client, "releve.xml", camt(settled)).json()
    assert (again["lines"], again["matched"], again["already_imported"]) == (0, 0, 5)
    assert JournalEntry.objects.count() == entries and Payment.objects.count() == 3
    assert BankLine.objects.count() == 5

    # A person says what the gift pays: part of the other grocery's invoice.
    gift = BankLine.objects.get(reference="camt:BQ-0004")
    matched = coordinator_client.post(
        f"/api/v1/bank-lines/{gift.id}/match/", {"invoices": [fa2.id]}, format="json"
    )
    assert matched.status_code == 200, matched.json()
    assert matched.json()["status"] == "matched" and matched.json()["payment"]
    row = coordinator_client.get(f"/api/v1/invoices/{fa2.id}/").json()
    assert (row["status"], row["paid"]) == ("issued", "50.00")
    assert fa2.party_id == g2.id
    # Matched once only.
    twice = coordinator_client.post(
        f"/api/v1/bank-lines/{gift.id}/match/", {"invoices": [fa2.id]}, format="json"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "state_conflict"
    assert Payment.objects.count() == 4

    # Bank fees: nothing a party paid.
    fees = BankLine.objects.get(reference="camt:BQ-0005")
    refused = coordinator_client.post(
        f"/api/v1/bank-lines/{fees.id}/match/",
        {"party_kind": "grocery", "party": g1.id},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["fields"]["party"] == ["Un décaissement va à un producteur."]
    ignored = coordinator_client.post(
        f"/api/v1/bank-lines/{fees.id}/ignore/", {"reason": "Frais bancaires"}, format="json"
    )
    assert ignored.json()["status"] == "ignored"
    waiting = coordinator_client.get("/api/v1/bank-lines/", {"status": "unmatched"}).json()
    assert waiting["count"] == 0


def test_a_payment_above_what_is_owed_waits_for_a_person(coordinator_client, settled):
    g1, _g2 = settled.groceries
    content = statement(
        settings.PLATFORM_IBAN,
        TODAY,
        [Entry("BQ-0100", "500.00", True, g1.name, f"FA-{YEAR}-000001")],
    )
    body = upload(coordinator_client, "releve.xml", content).json()
    assert (body["matched"], body["unmatched"]) == (0, 1)
    line = BankLine.objects.get()
    assert "dépasse ce que doit" in line.note and "avance" in line.note
    assert Payment.objects.count() == 0
    # Said to be an advance, it is recorded as one.
    matched = coordinator_client.post(
        f"/api/v1/bank-lines/{line.id}/match/",
        {"party_kind": "grocery", "party": g1.id, "advance": True},
        format="json",
    )
    assert matched.status_code == 200, matched.json()
    assert Payment.objects.get().is_advance


def test_a_csv_export_is_read_with_french_amounts_and_reimported_once(coordinator_client, settled):
    _g1, g2 = settled.groceries
    content = (
        "Date;Libellé;Montant;Contrepartie\n"
        f"{TODAY:%d/%m/%Y};VIR SEPA REGLEMENT FA {YEAR} 000002;133,04;{g2.name}\n"
        f"{TODAY:%d/%m/%Y};COMMISSION;-1,20;\n"
    ).encode("cp1252")

    body = upload(coordinator_client, "export.csv", content).json()

    assert (body["format"], body["lines"], body["matched"], body["unmatched"]) == ("csv", 2, 1, 1)
    assert Invoice.objects.get(number=f"FA-{YEAR}-000002").allocations.get().amount == D("133.04")
    again = upload(coordinator_client, "export.csv", content).json()
    assert (again["lines"], again["already_imported"]) == (0, 2)
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("releve.xml", b"<Document><oops>", "ce n'est pas du XML lisible"),
        ("releve.pdf", b"%PDF-1.7", "un fichier CAMT.053 (.xml) ou un export CSV (.csv)"),
        ("export.csv", b"Jour;Texte;Somme\n01/01/2026;x;1,00\n", "doit avoir les colonnes"),
        (
            "export.csv",
            b"Date;Libell\xe9;Montant\n31/02/2026;VIR;12,00\n01/03/2026;VIR;=SUM(A1)\n",
            "Ligne 2 : la date « 31/02/2026 »",
        ),
    ],
)
def test_a_file_that_is_not_a_statement_is_refused_and_nothing_stored(
    coordinator_client, settled, name, content, message
):
    answer = upload(coordinator_client, name, content)
    assert answer.status_code == 400, answer.json()
    assert message in answer.json()["message"]
    assert answer.json()["fields"]["file"]
    assert BankStatement.objects.count() == 0 and BankLine.objects.count() == 0


def test_a_statement_of_another_account_another_version_or_off_schema_is_refused(
    coordinator_client, settled
):
    other = camt(settled, iban="FR7630004000031234567890143")
    answer = upload(coordinator_client, "releve.xml", other)
    assert answer.status_code == 400
    assert (
        "compte FR7630004000031234567890143, pas de celui de la plateforme"
        in answer.json()["message"]
    )

    old = statement(
        settings.PLATFORM_IBAN,
        TODAY,
        [],
        namespace="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    )
    answer = upload(coordinator_client, "releve.xml", old)
    assert "version camt.053.001.02 du CAMT.053" in answer.json()["message"]

    broken = camt(settled).replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", 1)
    answer = upload(coordinator_client, "releve.xml", broken)
    assert answer.status_code == 400
    assert "ne suit pas le schéma ISO 20022" in answer.json()["message"]
    assert BankStatement.objects.count() == 0 and Payment.objects.count() == 0


def test_only_the_coordinator_imports_and_a_huge_file_is_refused_unread(
    volunteer_client, coordinator_client, settled, settings
):
    assert upload(volunteer_client, "releve.xml", camt(settled)).status_code == 403
    settings.API_MAX_UPLOAD_BYTES = 1024
    answer = upload(coordinator_client, "releve.xml", camt(settled))
    assert answer.status_code == 413 and answer.json()["code"] == "payload_too_large"
    assert BankStatement.objects.count() == 0


def test_the_coordinator_imports_and_matches_on_the_bank_screen(world, settled):
    screen = Client()
    screen.force_login(world.coordinator)
    page = screen.post(
        "/coordination/banque/",
        {"file": SimpleUploadedFile("releve-decembre.xml", camt(settled))},
        follow=True,
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "releve-decembre.xml importé : 3 lignes rapprochées, 2 à rapprocher, 0 déjà importées"
        in text
    )
    assert "M OU MME INCONNU" in text and "FRAIS TENUE DE COMPTE" in text

    fa2 = Invoice.objects.get(number=f"FA-{YEAR}-000002")
    gift = BankLine.objects.get(reference="camt:BQ-0004")
    page = screen.post(
        f"/coordination/banque/lignes/{gift.id}/",
        {f"line-{gift.id}-invoice": fa2.id, "action": "match"},
        follow=True,
    )
    assert "Paiement de 50,00 € enregistré depuis la ligne bancaire." in page.content.decode()
    fees = BankLine.objects.get(reference="camt:BQ-0005")
    page = screen.post(
        f"/coordination/banque/lignes/{fees.id}/",
        {f"line-{fees.id}-reason": "", "action": "ignore"},
        follow=True,
    )
    assert "Dites pourquoi cette ligne est ignorée" in page.content.decode()
    screen.post(
        f"/coordination/banque/lignes/{fees.id}/",
        {f"line-{fees.id}-reason": "Frais bancaires", "action": "ignore"},
    )
    page = screen.get("/coordination/banque/").content.decode()
    assert "Toutes les lignes importées sont rapprochées ou ignorées." in page
    assert BankLine.objects.filter(status="unmatched").count() == 0

    # A file that is not a statement: said, nothing stored.
    page = screen.post(
        "/coordination/banque/", {"file": SimpleUploadedFile("x.xml", b"<a>")}, follow=True
    )
    assert "ce n&#x27;est pas du XML lisible" in page.content.decode()
    assert BankStatement.objects.count() == 1

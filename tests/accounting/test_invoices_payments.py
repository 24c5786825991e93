"""Money closes the loop (DESIGN.md §12) on the hand-computed cycle of conftest.py: the
invoices of a settlement equal what it posted, to the cent; payments settle them and letter
the lines; a credit note takes off what it says; the FEC says what the ledger says."""

from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from accounting.models import Invoice, JournalEntry, LetteredLine, Payment
from tests.accounting.conftest import settle
from tests.helpers import client_for

YEAR = timezone.localdate().year


@pytest.fixture
def settled(coordinator_client, delivered, django_capture_on_commit_callbacks):
    apples_producer = delivered.producers[2]
    apples_producer.self_billing_since = timezone.localdate() - timedelta(days=30)
    apples_producer.save()
    task = settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    assert task["state"] == "SUCCESS", task
    assert task["result"]["invoices"] == 5
    return delivered


def invoices_of(client, **query):
    answer = client.get("/api/v1/invoices/", {"page_size": 500, **query})
    assert answer.status_code == 200, answer.json()
    return {(row["party_kind"], row["party"]): row for row in answer.json()["results"]}


def pay(client, **body):
    return client.post(
        "/api/v1/payments/",
        {"date": timezone.localdate().isoformat(), "method": "transfer", **body},
        format="json",
    )


def test_settlement_issues_numbered_invoices_equal_to_what_it_posted(
    coordinator_client, settled, django_capture_on_commit_callbacks
):
    g1, g2 = settled.groceries
    f1, f2 = settled.funders
    _p1, _p2, p3 = settled.producers

    invoices = invoices_of(coordinator_client)

    # Goods 160.58 + rounds 35.32; goods 118.16 + rounds 14.88 (test_settlement.py).
    assert {
        key: (row["number"], row["kind"], row["total_ttc"]) for key, row in invoices.items()
    } == {
        ("grocery", g1.id): (f"FA-{YEAR}-000001", "invoice", "195.90"),
        ("grocery", g2.id): (f"FA-{YEAR}-000002", "invoice", "133.04"),
        ("funder", f1.id): (f"FA-{YEAR}-000003", "invoice", "26.90"),
        ("funder", f2.id): (f"FA-{YEAR}-000004", "invoice", "8.31"),
        # Only the apples' producer signed the self-billing mandate.
        ("producer", p3.id): (f"AF-{YEAR}-000001", "self_billing", "75.96"),
    }
    for row in invoices.values():
        assert D(row["total_ht"]) + D(row["total_vat"]) == D(row["total_ttc"])
        assert (row["status"], row["paid"], row["credited"]) == ("issued", "0.00", "0.00")
        assert row["due_on"] == (timezone.localdate() + timedelta(days=30)).isoformat()
    g1_invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")
    assert [line.label for line in g1_invoice.lines.all()][-1].startswith("Quote-part des tournées")
    assert g1_invoice.lines.last().total_ttc == D("35.32")
    assert g1_invoice.buyer["name"] == g1.name and g1_invoice.seller["siret"]

    # Settling again issues nothing more.
    settle(coordinator_client, settled.cycle, django_capture_on_commit_callbacks)
    assert Invoice.objects.count() == 5


def test_the_invoice_pdf_carries_the_legal_mentions(coordinator_client, settled):
    invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")

    answer = coordinator_client.get(f"/api/v1/invoices/{invoice.id}/pdf/")

    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(answer.content)).pages
    )
    for mention in (
        f"Facture n° FA-{YEAR}-000001",
        "SIRET",
        "échéance",
        "195,90 €",
        "5,5 %",
        "indemnité forfaitaire pour frais de recouvrement de 40 €",
        "Pas d'escompte",
    ):
        assert mention in text, mention
    self_billing = Invoice.objects.get(kind="self_billing")
    text = (
        PdfReader(
            BytesIO(coordinator_client.get(f"/api/v1/invoices/{self_billing.id}/pdf/").content)
        )
        .pages[0]
        .extract_text()
    )
    assert "Autofacturation" in text and "au nom et pour le compte de" in text


def test_payments_settle_invoices_letter_the_lines_and_balances_age(coordinator_client, settled):
    g1, g2 = settled.groceries
    p1, _p2, _p3 = settled.producers
    invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")

    first = pay(
        coordinator_client,
        party_kind="grocery",
        party=g1.id,
        amount="100.00",
        reference=f"VIR {invoice.number}",
        invoices=[invoice.id],
    )
    assert first.status_code == 201, first.json()
    assert first.json()["direction"] == "in" and first.json()["invoices"] == [invoice.id]
    row = invoices_of(coordinator_client)[("grocery", g1.id)]
    assert (row["paid"], row["status"]) == ("100.00", "issued")
    assert not LetteredLine.objects.exists()

    second = pay(coordinator_client, party_kind="grocery", party=g1.id, amount="95.90")
    assert second.status_code == 201, second.json()
    assert second.json()["invoices"] == [invoice.id]  # the oldest open invoice
    assert invoices_of(coordinator_client)[("grocery", g1.id)]["status"] == "paid"
    # The order's line, the rounds' line and the two payments on 411: lettered together.
    lettered = LetteredLine.objects.select_related("line", "lettering")
    assert {item.lettering.code for item in lettered} == {"A"}
    assert sum(item.line.debit for item in lettered) == sum(item.line.credit for item in lettered)
    assert lettered.count() == 4

    contributions = pay(
        coordinator_client,
        party_kind="grocery",
        party=g1.id,
        amount="3.61",
        method="cash",
        contributions=True,
    )
    assert contributions.status_code == 201, contributions.json()
    producer = pay(
        coordinator_client,
        party_kind="producer",
        party=p1.id,
        amount="178.29",
        reference="Facture 2026-17 de la ferme",
    )
    assert producer.status_code == 201 and producer.json()["direction"] == "out"

    balances = {
        (row["party_kind"], row["party"]): row
        for row in coordinator_client.get("/api/v1/balances/").json()
    }
    assert balances[("grocery", g1.id)] | {"name": ""} == {
        "party_kind": "grocery",
        "party": g1.id,
        "name": "",
        "owed": "199.51",  # 195.90 invoiced + 3.61 contributions collected
        "paid": "199.51",
        "outstanding": "0.00",
        "age": {"0_30": "0.00", "31_60": "0.00", "61_90": "0.00", "over_90": "0.00"},
    }
    assert balances[("grocery", g2.id)]["outstanding"] == "136.46"  # 133.04 + 3.42
    assert balances[("grocery", g2.id)]["age"]["0_30"] == "136.46"
    assert balances[("producer", p1.id)]["outstanding"] == "0.00"
    trial = coordinator_client.get("/api/v1/ledger/trial-balance/").json()
    accounts = {row["code"]: row for row in trial["accounts"]}
    # 199.51 in from the grocery, 178.29 out to the farm.
    assert accounts["512"]["balance"] == "21.22"
    assert trial["total_debit"] == trial["total_credit"]
    call_command("ledger_check")


def test_a_wrong_payment_is_refused_and_posts_nothing(coordinator_client, settled, world):
    g1, g2 = settled.groceries
    p1, _p2, _p3 = settled.producers
    other_invoice = Invoice.objects.get(number=f"FA-{YEAR}-000002")
    entries = JournalEntry.objects.count()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = [
        (pay(coordinator_client, party_kind="grocery", party=g1.id, amount="500.00"), "amount"),
        (pay(coordinator_client, party_kind="grocery", party=g1.id, amount="-5"), "amount"),
        (
            pay(coordinator_client, party_kind="grocery", party=g1.id, amount="5", date=tomorrow),
            "date",
        ),
        (
            pay(
                coordinator_client,
                party_kind="grocery",
                party=g1.id,
                amount="5",
                invoices=[other_invoice.id],
            ),
            "invoices",
        ),
        (pay(coordinator_client, party_kind="grocery", party=999999, amount="5"), "party"),
        (pay(coordinator_client, party_kind="producer", party=p1.id, amount="5"), "reference"),
        (
            pay(
                coordinator_client,
                party_kind="funder",
                party=settled.funders[0].id,
                amount="5",
                contributions=True,
            ),
            "contributions",
        ),
        (pay(coordinator_client, party_kind="someone", party=g1.id, amount="5"), "party_kind"),
    ]
    for answer, field in refused:
        assert answer.status_code == 400, (field, answer.json())
        assert answer.json()["code"] == "invalid"
        assert field in answer.json()["fields"], (field, answer.json())
    assert (
        "500,00" in refused[0][0].json()["message"] and "avance" in refused[0][0].json()["message"]
    )
    assert JournalEntry.objects.count() == entries and not Payment.objects.exists()
    # Said to be an advance, it is taken.
    advance = pay(
        coordinator_client, party_kind="grocery", party=g2.id, amount="200.00", advance=True
    )
    assert advance.status_code == 201, advance.json()
    assert advance.json()["is_advance"] is True
    assert (
        client_for(world.volunteer).post("/api/v1/payments/", {}, format="json").status_code == 403
    )


def test_a_credit_note_takes_off_what_it_says_and_never_more(coordinator_client, settled):
    f2_invoice = Invoice.objects.get(number=f"FA-{YEAR}-000004")
    g2_invoice = Invoice.objects.get(number=f"FA-{YEAR}-000002")
    line = g2_invoice.lines.first()

    partial = coordinator_client.post(
        f"/api/v1/invoices/{g2_invoice.id}/credit-note/",
        {"reason": "Caisse abîmée", "lines": [{"line": line.id, "amount": "2.11"}]},
        format="json",
    )
    assert partial.status_code == 201, partial.json()
    assert (partial.json()["number"], partial.json()["kind"]) == (
        f"AV-{YEAR}-000001",
        "credit_note",
    )
    assert partial.json()["total_ttc"] == "2.11"
    assert partial.json()["credit_of"] == g2_invoice.id
    too_much = coordinator_client.post(
        f"/api/v1/invoices/{g2_invoice.id}/credit-note/",
        {"reason": "Encore", "lines": [{"line": line.id, "amount": str(line.total_ttc)}]},
        format="json",
    )
    assert too_much.status_code == 400 and "lines" in too_much.json()["fields"]
    no_reason = coordinator_client.post(
        f"/api/v1/invoices/{f2_invoice.id}/credit-note/", {"reason": " "}, format="json"
    )
    assert no_reason.status_code == 400
    whole = coordinator_client.post(
        f"/api/v1/invoices/{f2_invoice.id}/credit-note/",
        {"reason": "Foyer rattaché par erreur à la Ville"},
        format="json",
    )
    assert whole.status_code == 201 and whole.json()["total_ttc"] == "8.31"
    assert (
        invoices_of(coordinator_client)[("funder", settled.funders[1].id)]["status"] == "cancelled"
    )
    again = coordinator_client.post(
        f"/api/v1/invoices/{whole.json()['id']}/credit-note/", {"reason": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "credit_note_of_credit_note"
    accounts = {
        row["code"]: row
        for row in coordinator_client.get("/api/v1/ledger/trial-balance/").json()["accounts"]
    }
    assert accounts[f"441-F{settled.funders[1].id}"]["balance"] == "0.00"
    assert accounts["74"]["balance"] == "-26.90"  # 35.21 − 8.31
    assert Invoice.objects.filter(kind="credit_note").count() == 2
    call_command("ledger_check")


def test_the_fec_has_18_columns_balances_and_equals_the_trial_balance(coordinator_client, settled):
    g1, _g2 = settled.groceries
    invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")
    assert (
        pay(
            coordinator_client,
            party_kind="grocery",
            party=g1.id,
            amount="195.90",
            invoices=[invoice.id],
        ).status_code
        == 201
    )

    answer = coordinator_client.get("/api/v1/ledger/fec/", {"year": YEAR})

    assert answer.status_code == 200
    assert f"FEC{YEAR}1231.txt" in answer["Content-Disposition"]
    lines = b"".join(answer.streaming_content).decode("iso-8859-15").split("\r\n")[:-1]
    header, *rows = [line.split("\t") for line in lines]
    assert header[:4] == ["JournalCode", "JournalLib", "EcritureNum", "EcritureDate"]
    assert len(header) == 18 and all(len(row) == 18 for row in rows)
    cents = lambda text: int(text.replace(",", ""))  # noqa: E731
    assert (
        sum(cents(row[11]) for row in rows) == sum(cents(row[12]) for row in rows) == 74236 + 19590
    )
    assert {row[2] for row in rows} == {str(n) for n in range(1, JournalEntry.objects.count() + 1)}
    assert all(len(row[3]) == 8 and row[3].isdigit() for row in rows)
    client_rows = [row for row in rows if row[4] == "411" and row[6] == f"E{g1.id}"]
    assert {row[13] for row in client_rows} == {"A"}  # lettered
    payment_row = next(row for row in rows if row[0] == "BQ" and row[4] == "411")
    assert payment_row[8] == invoice.number
    assert coordinator_client.get("/api/v1/ledger/fec/", {"year": "soon"}).status_code == 400


def test_each_party_reads_its_own_invoices_and_balance_only(settled, world):
    g1, g2 = settled.groceries
    volunteer = client_for(world.volunteer)
    mine = invoices_of(volunteer)
    assert set(mine) == {("grocery", g1.id)}
    theirs = Invoice.objects.get(grocery=g2)
    assert volunteer.get(f"/api/v1/invoices/{theirs.id}/").status_code == 404
    assert volunteer.get(f"/api/v1/invoices/{theirs.id}/pdf/").status_code == 404
    assert [row["party"] for row in volunteer.get("/api/v1/balances/").json()] == [g1.id]
    assert (
        volunteer.get("/api/v1/balances/", {"party_kind": "grocery", "party": g2.id}).json() == []
    )
    ccas = client_for(world.ccas_staff)
    assert {key[0] for key in invoices_of(ccas)} == {"funder"}
    assert client_for(world.official).get("/api/v1/balances/").status_code == 403
    assert client_for(world.official).get("/api/v1/invoices/").status_code == 403
    assert volunteer.get("/api/v1/ledger/fec/", {"year": YEAR}).status_code == 403


def test_the_coordinator_records_a_payment_on_the_screen(settled, world):
    from django.test import Client

    g1, _g2 = settled.groceries
    screen = Client()
    screen.force_login(world.coordinator)
    page = screen.get("/coordination/paiements/").content.decode()
    assert "195,90 €" in page and f"FA-{YEAR}-000001" in page
    form = {
        "party": f"grocery:{g1.id}",
        "amount": "1000",
        "paid_on": timezone.localdate().isoformat(),
        "method": "transfer",
    }
    refused = screen.post("/coordination/paiements/", form).content.decode()
    assert "dépasse ce que doit" in refused and not Payment.objects.exists()
    done = screen.post("/coordination/paiements/", {**form, "amount": "195.90"}, follow=True)
    assert "Paiement de 195,90 € enregistré" in done.content.decode()
    assert Payment.objects.get().allocations.get().invoice.number == f"FA-{YEAR}-000001"
    volunteer = Client()
    volunteer.force_login(world.volunteer)
    assert volunteer.get("/coordination/paiements/").status_code == 403
    own = volunteer.get("/factures/").content.decode()
    assert f"FA-{YEAR}-000001" in own and f"FA-{YEAR}-000002" not in own

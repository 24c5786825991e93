"""Factur-X (DESIGN.md §12) on the hand-computed cycle of conftest.py: each invoice, self-billing
invoice and credit note in EN 16931 CII XML valid against the official Factur-X schema, its
amounts those of the invoice, embedded in a PDF/A-3b."""

import re
from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from accounting import facturx
from accounting.models import Invoice
from tests.accounting.conftest import settle

YEAR = timezone.localdate().year
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@pytest.fixture
def settled(coordinator_client, delivered, django_capture_on_commit_callbacks):
    apples_producer = delivered.producers[2]
    apples_producer.self_billing_since = timezone.localdate() - timedelta(days=30)
    apples_producer.save()
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    return delivered


def _one(document, path: str) -> str:
    return document.findtext(path, namespaces=NS)


def test_every_invoice_kind_is_schema_valid_cii_with_its_own_amounts(coordinator_client, settled):
    grocery_invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")
    note = coordinator_client.post(
        f"/api/v1/invoices/{grocery_invoice.id}/credit-note/",
        {
            "reason": "Pommes abîmées",
            "lines": [{"line": grocery_invoice.lines.first().id, "amount": "5.00"}],
        },
        format="json",
    )
    assert note.status_code == 201, note.json()

    for invoice in Invoice.objects.order_by("id"):
        xml = facturx.facturx_xml(invoice)
        assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
        document = etree.fromstring(xml)
        header = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
        totals = header + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        assert _one(document, "rsm:ExchangedDocument/ram:ID") == invoice.number
        assert (
            _one(document, "rsm:ExchangedDocument/ram:TypeCode")
            == {
                "invoice": "380",
                "credit_note": "381",
                "self_billing": "389",
            }[invoice.kind]
        )
        assert D(_one(document, totals + "ram:TaxBasisTotalAmount")) == invoice.total_ht
        assert D(_one(document, totals + "ram:TaxTotalAmount")) == invoice.total_vat
        assert D(_one(document, totals + "ram:GrandTotalAmount")) == invoice.total_ttc
        lines = document.findall(
            "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", NS
        )
        assert len(lines) == invoice.lines.count()
        line_sum = sum(D(line.findtext(".//ram:LineTotalAmount", namespaces=NS)) for line in lines)
        assert line_sum == invoice.total_ht
        vat_sum = sum(
            D(tax.findtext("ram:CalculatedAmount", namespaces=NS))
            for tax in document.findall(header + "ram:ApplicableTradeTax", NS)
        )
        assert vat_sum == invoice.total_vat
        agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
        seller = agreement + "ram:SellerTradeParty/"
        assert _one(document, seller + "ram:Name") == invoice.seller["name"]
        if invoice.seller.get("siret"):
            assert (
                _one(document, seller + "ram:SpecifiedLegalOrganization/ram:ID")
                == invoice.seller["siret"]
            )

    # The credit note names the invoice it corrects; the self-billing invoice is the
    # producer's, issued by the platform as buyer.
    note_xml = etree.fromstring(facturx.facturx_xml(Invoice.objects.get(kind="credit_note")))
    assert (
        _one(note_xml, ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID")
        == grocery_invoice.number
    )
    self_billing = Invoice.objects.get(kind="self_billing")
    sb_xml = etree.fromstring(facturx.facturx_xml(self_billing))
    assert _one(sb_xml, ".//ram:SellerTradeParty/ram:Name") == "Vergers de Templeuve"
    assert _one(sb_xml, ".//ram:BuyerTradeParty/ram:Name") == self_billing.buyer["name"]


def test_the_facturx_pdf_is_pdf_a3_with_its_xml_and_read_by_the_parties(
    coordinator_client, volunteer_client, settled
):
    invoice = Invoice.objects.get(number=f"FA-{YEAR}-000001")

    answer = coordinator_client.get(f"/api/v1/invoices/{invoice.id}/facturx/")

    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert f"{invoice.number}-facturx.pdf" in answer["Content-Disposition"]
    pdf = answer.content
    name, xml = get_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml" and xml == facturx.facturx_xml(invoice)
    reader = PdfReader(BytesIO(pdf))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", metadata)
    assert re.search(r"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>", metadata)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert invoice.number in text and "195,90" in text  # the same printed invoice
    # The grocery's volunteer reads its own invoice's Factur-X, not another grocery's.
    own = settled.groceries[0]
    other = Invoice.objects.get(number=f"FA-{YEAR}-000002")
    assert invoice.grocery_id == own.id
    assert volunteer_client.get(f"/api/v1/invoices/{invoice.id}/facturx/").status_code == 200
    assert volunteer_client.get(f"/api/v1/invoices/{other.id}/facturx/").status_code == 404

"""Factur-X (DESIGN.md §12): the invoice as the e-invoicing reform wants it, a PDF/A-3 with
its Cross Industry Invoice XML embedded, profile EN 16931.

The XML is built by the `factur-x` library (Akretion's, the one French ERPs use) from the
invoice's stored lines and identities, and checked against the official Factur-X XSD before it
is embedded; the PDF/A-3b is WeasyPrint's printing of the same template as the plain PDF.
"""

import re
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from facturx import generate_from_binary
from facturx.generate_xml import generate_cii_xml

from core.documents import pdf_from_template

from .choices import InvoiceKind
from .documents import TITLES, invoice_context
from .ledger import ZERO
from .models import Invoice

PROFILE = "en16931"
# UNTDID 1001 document types.
TYPE_CODES: dict[str, str] = {
    InvoiceKind.INVOICE: "380",  # commercial invoice
    InvoiceKind.CREDIT_NOTE: "381",  # credit note
    InvoiceKind.SELF_BILLING: "389",  # self-billed invoice
}
# UN/ECE Recommendation 20 units; anything else is counted in units (C62).
UNITS = {"kg": "KGM", "g": "GRM", "l": "LTR", "cl": "CLT", "piece": "H87", "pièce": "H87"}
# A line without VAT: a subsidy or a logistics share outside the scope of VAT.
EXEMPTION = "Hors champ d'application de la TVA"
POSTCODE_CITY = re.compile(r"(\d{5})\s+([^,]+)$")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _party(identity: dict) -> dict:
    """A seller or buyer as the invoice stored it: name, address, SIRET, VAT number."""
    address = " ".join((identity.get("address") or "").split())
    party: dict = {"name": identity["name"], "country_code": "FR"}
    street, _comma, rest = address.rpartition(",")
    found = POSTCODE_CITY.search(rest.strip() if street else address)
    if found:
        party["postcode"], party["city"] = found.group(1), found.group(2).strip()
        party["addr_l1"] = street.strip() or address[: found.start()].strip() or address
    elif address:
        party["addr_l1"] = address
    if identity.get("siret"):
        party["legal_identifier"] = identity["siret"]
        party["legal_identifier_schemeid"] = "0002"  # SIRENE
    if identity.get("vat_number"):
        party["vat_identifier"] = identity["vat_number"]
    return party


def _category(rate: Decimal) -> dict:
    if rate:
        return {"code": "S", "rate": f"{rate * 100:.2f}"}
    return {"code": "E", "rate": "0.00", "reason": EXEMPTION}


def facturx_data(invoice: Invoice) -> dict:
    """The invoice in the Business Terms of EN 16931, as `factur-x` reads them."""
    lines = list(invoice.lines.order_by("id"))
    context = invoice_context(invoice)
    breakdown: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        breakdown[line.vat_rate][0] += line.total_ht
        breakdown[line.vat_rate][1] += line.total_vat
    data: dict = {
        "BT-24": "urn:cen.eu:en16931:2017",
        "BT-1": invoice.number,
        "BT-2": invoice.issued_on,
        "BT-3": TYPE_CODES[invoice.kind],
        "BT-5": "EUR",
        "BG-1": [
            {"BT-22": TITLES[invoice.kind]},
            *([{"BT-21": "AAI", "BT-22": invoice.reason}] if invoice.reason else []),
            {
                "BT-21": "PMT",
                "BT-22": "Indemnité forfaitaire pour frais de recouvrement en cas de retard "
                "de paiement : 40 €.",
            },
        ],
        "BG-4": _party(invoice.seller),
        "BG-7": _party(invoice.buyer),
        "BT-10": invoice.buyer.get("siret") or invoice.buyer["name"][:60],
        # The cycle's delivery day; a correction, the day of the invoice it corrects.
        "BT-72": invoice.cycle.delivery_date if invoice.cycle else invoice.issued_on,
        "BG-25": [
            {
                "BT-126": str(position),
                "BT-153": line.label,
                "BT-129": f"{line.quantity:.3f}",
                "BT-130": UNITS.get(line.unit.lower(), "C62"),
                "BT-146": f"{line.unit_price_ht:.4f}",
                "BT-131": _money(line.total_ht),
                "BT-151": _category(line.vat_rate)["code"],
                "BT-152": _category(line.vat_rate)["rate"],
            }
            for position, line in enumerate(lines, start=1)
        ],
        "BG-23": [
            {
                "BT-116": _money(base),
                "BT-117": _money(vat),
                "BT-118": _category(rate)["code"],
                "BT-119": _category(rate)["rate"],
                **({"BT-120": EXEMPTION} if not rate else {}),
            }
            for rate, (base, vat) in sorted(breakdown.items())
        ],
        "BT-106": _money(invoice.total_ht),
        "BT-109": _money(invoice.total_ht),
        "BT-110": _money(invoice.total_vat),
        "BT-112": _money(invoice.total_ttc),
        "BT-113": _money(context["paid"]),
        "BT-115": _money(context["outstanding"]),
    }
    corrected = invoice.credit_of
    if invoice.kind == InvoiceKind.CREDIT_NOTE and corrected is not None:
        data["BG-3"] = [{"BT-25": corrected.number, "BT-26": corrected.issued_on}]
    else:
        data["BT-9"] = invoice.due_on
        data["BT-20"] = (
            f"À régler sous {settings.INVOICE_PAYMENT_DAYS} jours par virement, en rappelant "
            f"le numéro {invoice.number}. Pas d'escompte pour paiement anticipé."
        )
        if invoice.kind == InvoiceKind.INVOICE:
            data["BT-81"] = "58"  # SEPA credit transfer
            data["BT-83"] = invoice.number
            data["BT-84"] = "".join(settings.PLATFORM_IBAN.split())
    return data


def facturx_xml(invoice: Invoice) -> bytes:
    """The CII XML, checked against the Factur-X EN 16931 XSD (the library raises if not)."""
    return generate_cii_xml(
        facturx_data(invoice), level=PROFILE, check_xsd=True, check_schematron=False
    )


def facturx_pdf(*, invoice: Invoice) -> bytes:
    """The printable invoice as a PDF/A-3b with its XML attached (factur-x.xml)."""
    pdf = pdf_from_template("accounting/invoice.html", invoice_context(invoice), variant="pdf/a-3b")
    return generate_from_binary(
        pdf,
        facturx_xml(invoice),
        flavor="factur-x",
        level=PROFILE,
        check_xsd=True,
        pdf_metadata={
            "author": invoice.seller["name"],
            "keywords": "Factur-X",
            "title": f"{TITLES[invoice.kind]} {invoice.number}",
            "subject": f"{TITLES[invoice.kind]} {invoice.number} — {invoice.buyer['name']}",
        },
        lang="fr-FR",
    )

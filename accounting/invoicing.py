"""Invoices (DESIGN.md §12): issued at settlement, numbered without a gap, never edited.

At settlement, in the settlement's transaction: one invoice to each grocery (its grouped
orders' goods and its share of the rounds), one to each funder (the subsidies of its
households' orders, per CCAS), and one self-billing invoice for each producer that signed
the mandate. Their totals are the amounts the settlement posted to the party's account, to
the cent. A correction is a credit note, which posts the reverse of what it takes off.

Numbers: one series per kind and year (FA-2026-000001, AV-…, AF-…). The series' counter row
is locked while its numbers are taken and written with the invoices in one transaction: a
rollback gives the numbers back, so the numbering has no gap and never reuses a number.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import InvalidInput, StateConflict
from core.formats import format_euros, format_quantity
from core.models import User
from core.money import quantize_money
from orders import funding, locks
from orders.models import Grocery, OrderLine, SocialService
from orders.quantities import delivered_quantity
from producers.models import Producer
from supply.models import OrderCycle

from . import ledger
from .choices import EntryKind, InvoiceKind, InvoiceStatus, PartyKind
from .ledger import ZERO, EntryDraft
from .models import Account, Funder, Invoice, InvoiceLine, PaymentAllocation

SERIES_PREFIX: dict[str, str] = {
    InvoiceKind.INVOICE: "FA",
    InvoiceKind.CREDIT_NOTE: "AV",
    InvoiceKind.SELF_BILLING: "AF",
}


def series_of(kind: str, day: date) -> str:
    return f"{SERIES_PREFIX[kind]}-{day.year}"


def number_of(series: str, sequence: int) -> str:
    return f"{series}-{sequence:06d}"


@dataclass
class LineDraft:
    label: str
    quantity: Decimal
    unit: str
    unit_price_ht: Decimal
    vat_rate: Decimal
    total_ht: Decimal
    total_ttc: Decimal
    account: Account
    credits: InvoiceLine | None = None

    @property
    def total_vat(self) -> Decimal:
        return self.total_ttc - self.total_ht


@dataclass
class InvoiceDraft:
    kind: str
    party_kind: str
    party: Producer | Grocery | Funder
    source_key: str
    cycle_id: int | None = None
    credit_of: Invoice | None = None
    reason: str = ""
    lines: list[LineDraft] = field(default_factory=list)


def seller_identity() -> dict:
    return {
        "name": settings.PLATFORM_LEGAL_NAME,
        "address": settings.PLATFORM_ADDRESS,
        "siret": settings.PLATFORM_SIRET,
        "vat_number": settings.PLATFORM_VAT_NUMBER,
    }


def party_identity(party: Producer | Grocery | Funder) -> dict:
    return {
        "name": party.name,
        "address": getattr(party, "address", ""),
        "siret": getattr(party, "siret", ""),
    }


def invoices_write(*, drafts: list[InvoiceDraft], now: datetime) -> list[Invoice]:
    """Number and write invoices (inside the caller's transaction). Drafts without lines,
    or whose source was invoiced already, are skipped."""
    known = set(
        Invoice.objects.filter(source_key__in=[d.source_key for d in drafts]).values_list(
            "source_key", flat=True
        )
    )
    drafts = [d for d in drafts if d.lines and d.source_key not in known]
    if not drafts:
        return []
    today = timezone.localdate(now)
    by_series: dict[str, list[InvoiceDraft]] = defaultdict(list)
    for draft in drafts:
        by_series[series_of(draft.kind, today)].append(draft)
    counters = locks.invoice_counters_lock(list(by_series))
    invoices, lines = [], []
    for series, series_drafts in sorted(by_series.items()):
        counter = counters[series]
        for draft in series_drafts:
            counter.last_number += 1
            total_ht = sum((line.total_ht for line in draft.lines), ZERO)
            total_ttc = sum((line.total_ttc for line in draft.lines), ZERO)
            invoice = Invoice(
                number=number_of(series, counter.last_number),
                series=series,
                sequence=counter.last_number,
                kind=draft.kind,
                party_kind=draft.party_kind,
                **{draft.party_kind: draft.party},
                source_key=draft.source_key,
                cycle_id=draft.cycle_id,
                credit_of=draft.credit_of,
                reason=draft.reason,
                issued_on=today,
                due_on=today + timedelta(days=settings.INVOICE_PAYMENT_DAYS),
                total_ht=total_ht,
                total_vat=total_ttc - total_ht,
                total_ttc=total_ttc,
                seller=(
                    party_identity(draft.party)
                    if draft.kind == InvoiceKind.SELF_BILLING
                    else seller_identity()
                ),
                buyer=(
                    seller_identity()
                    if draft.kind == InvoiceKind.SELF_BILLING
                    else party_identity(draft.party)
                ),
                created_at=now,
            )
            invoices.append(invoice)
            lines.append(draft.lines)
        type(counter).objects.filter(pk=series).update(last_number=counter.last_number)
    Invoice.objects.bulk_create(invoices)
    InvoiceLine.objects.bulk_create(
        (
            InvoiceLine(
                invoice=invoice,
                label=line.label[:300],
                quantity=line.quantity,
                unit=line.unit,
                unit_price_ht=line.unit_price_ht,
                vat_rate=line.vat_rate,
                total_ht=line.total_ht,
                total_vat=line.total_vat,
                total_ttc=line.total_ttc,
                account=line.account,
                credits=line.credits,
            )
            for invoice, invoice_lines in zip(invoices, lines, strict=True)
            for line in invoice_lines
        ),
        batch_size=2000,
    )
    return invoices


def _goods_lines(lines: QuerySet[OrderLine], party: str) -> dict[int, list[dict]]:
    """The cycle's lines summed per party and offer, as the settlement counted them."""
    rows = (
        lines.values(
            party,
            "offer_id",
            "offer__product__name",
            "offer__product__unit",
            "unit_price_ht",
            "vat_rate",
        )
        .annotate(
            quantity=Sum(delivered_quantity()),
            ht=Sum("line_ht"),
            ttc=Sum("line_ttc"),
        )
        .order_by(party, "offer__product__name", "offer_id", "unit_price_ht")
    )
    per_party: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["ttc"]:
            per_party[row[party]].append(row)
    return per_party


def _line(row: dict, account: Account) -> LineDraft:
    return LineDraft(
        label=row["offer__product__name"],
        quantity=row["quantity"],
        unit=row["offer__product__unit"],
        unit_price_ht=row["unit_price_ht"],
        vat_rate=row["vat_rate"],
        total_ht=quantize_money(row["ht"]),
        total_ttc=quantize_money(row["ttc"]),
        account=account,
    )


def cycle_invoices_issue(
    *,
    cycle: OrderCycle,
    logistics: dict[int, Decimal],
    cofunded: list[funding.FundedPart],
    now: datetime,
) -> list[Invoice]:
    """The invoices of a cycle being settled (called by accounting.settlement in its
    transaction, after the received quantities are written, with its figures: the rounds'
    shares and the co-funders' parts), worded in French."""
    with translation.override(settings.LANGUAGE_CODE):
        return invoices_write(drafts=_cycle_drafts(cycle, logistics, cofunded), now=now)


def _cycle_drafts(
    cycle: OrderCycle, logistics: dict[int, Decimal], cofunded: list[funding.FundedPart]
) -> list[InvoiceDraft]:
    lines = OrderLine.objects.live().filter(order__cycle=cycle)
    sales = ledger.platform_account(ledger.SALES)
    recharged = ledger.platform_account(ledger.TRANSPORT_RECHARGED)
    subsidies = ledger.platform_account(ledger.SUBSIDIES)
    purchases = ledger.platform_account(ledger.PURCHASES)
    drafts: list[InvoiceDraft] = []

    goods = _goods_lines(lines.filter(order__grocery__isnull=False), "order__grocery_id")
    # What a funder programme pays of each grocery's goods: deducted here, invoiced to it.
    programmes = list(
        lines.filter(order__grocery__isnull=False, order__programme__isnull=False)
        .values(
            "order__grocery_id",
            "order__programme__name",
            "order__programme__funder_id",
            "order__programme__funder__name",
            "order__programme__rate",
        )
        .annotate(subsidy=Sum("subsidy"), groceries=Count("order__grocery_id", distinct=True))
        .order_by("order__grocery_id", "order__programme__funder_id")
    )
    groceries = Grocery.objects.in_bulk(list(set(goods) | {g for g, v in logistics.items() if v}))
    for grocery_id, grocery in sorted(groceries.items()):
        draft = InvoiceDraft(
            kind=InvoiceKind.INVOICE,
            party_kind=PartyKind.GROCERY,
            party=grocery,
            source_key=f"cycle:{cycle.id}:grocery:{grocery_id}",
            cycle_id=cycle.id,
            lines=[_line(row, sales) for row in goods.get(grocery_id, [])],
        )
        for row in programmes:
            subsidy = quantize_money(row["subsidy"] or 0)
            if row["order__grocery_id"] == grocery_id and subsidy:
                draft.lines.append(
                    LineDraft(
                        label=_("Paid by %(funder)s: programme « %(programme)s » (%(rate)s)")
                        % {
                            "funder": row["order__programme__funder__name"],
                            "programme": row["order__programme__name"],
                            "rate": f"{format_quantity(row['order__programme__rate'] * 100)} %",
                        },
                        quantity=Decimal(-1),
                        unit="",
                        unit_price_ht=subsidy,
                        vat_rate=Decimal(0),
                        total_ht=-subsidy,
                        total_ttc=-subsidy,
                        account=sales,
                    )
                )
        share = logistics.get(grocery_id, ZERO)
        if share:
            draft.lines.append(
                LineDraft(
                    label=_("Share of the rounds of %(cycle)s (costs recharged)")
                    % {"cycle": cycle.name},
                    quantity=Decimal(1),
                    unit="",
                    unit_price_ht=share,
                    vat_rate=Decimal(0),
                    total_ht=share,
                    total_ttc=share,
                    account=recharged,
                )
            )
        drafts.append(draft)

    subsidised = (
        lines.filter(order__household__isnull=False, order__fundings__isnull=True)
        .values(
            "order__household__social_service_id",
            funder_id=Coalesce("order__envelope__funder_id", "order__household__funder_id"),
        )
        .annotate(
            subsidy=Sum("subsidy"),
            households=Count("order__household_id", distinct=True),
            orders=Count("order_id", distinct=True),
        )
        .order_by("funder_id", "order__household__social_service_id")
    )
    # Per funder and CCAS: the subsidy, households and orders. A co-funded order counts once
    # for each of its funders, with that funder's part (one order per household and cycle).
    per_funder: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in subsidised:
        if row["subsidy"]:
            per_funder[row["funder_id"]][row["order__household__social_service_id"]] = {
                "subsidy": row["subsidy"],
                "households": row["households"],
                "orders": row["orders"],
            }
    for part in cofunded:
        if part.subsidy:
            figures = per_funder[part.funder_id].setdefault(
                part.social_service_id, {"subsidy": ZERO, "households": 0, "orders": 0}
            )
            figures["subsidy"] += part.subsidy
            figures["households"] += 1
            figures["orders"] += 1
    # And the programmes' parts of the groceries' goods, one line per programme.
    programme_parts: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in programmes:
        if row["subsidy"]:
            paid = programme_parts[row["order__programme__funder_id"]].setdefault(
                row["order__programme__name"], {"subsidy": ZERO, "groceries": 0}
            )
            paid["subsidy"] += quantize_money(row["subsidy"])
            paid["groceries"] += 1
    funders = Funder.objects.in_bulk(list(set(per_funder) | set(programme_parts)))
    services = SocialService.objects.in_bulk(
        [ccas_id for per_ccas in per_funder.values() for ccas_id in per_ccas]
    )
    for funder_id in sorted(funders):
        per_ccas = per_funder.get(funder_id, {})
        drafts.append(
            InvoiceDraft(
                kind=InvoiceKind.INVOICE,
                party_kind=PartyKind.FUNDER,
                party=funders[funder_id],
                source_key=f"cycle:{cycle.id}:funder:{funder_id}",
                cycle_id=cycle.id,
                lines=[
                    LineDraft(
                        label=_(
                            "Subsidies of %(cycle)s, households of %(ccas)s "
                            "(%(households)d households, %(orders)d orders)"
                        )
                        % {
                            "cycle": cycle.name,
                            "ccas": services[ccas_id].name,
                            "households": figures["households"],
                            "orders": figures["orders"],
                        },
                        quantity=Decimal(1),
                        unit="",
                        unit_price_ht=quantize_money(figures["subsidy"]),
                        vat_rate=Decimal(0),
                        total_ht=quantize_money(figures["subsidy"]),
                        total_ttc=quantize_money(figures["subsidy"]),
                        account=subsidies,
                    )
                    for ccas_id, figures in sorted(per_ccas.items())
                ]
                + [
                    LineDraft(
                        label=_(
                            "Programme « %(programme)s », grouped orders of %(cycle)s "
                            "(%(groceries)d groceries)"
                        )
                        % {
                            "programme": name,
                            "cycle": cycle.name,
                            "groceries": paid["groceries"],
                        },
                        quantity=Decimal(1),
                        unit="",
                        unit_price_ht=paid["subsidy"],
                        vat_rate=Decimal(0),
                        total_ht=paid["subsidy"],
                        total_ttc=paid["subsidy"],
                        account=subsidies,
                    )
                    for name, paid in sorted(programme_parts.get(funder_id, {}).items())
                ],
            )
        )

    mandates = Producer.objects.filter(
        self_billing_since__isnull=False,
        self_billing_since__lte=cycle.delivery_date,
        products__offers__cycle=cycle,
    ).distinct()
    mandated = {producer.id: producer for producer in mandates}
    if mandated:
        supplied = _goods_lines(
            lines.filter(offer__product__producer_id__in=list(mandated)),
            "offer__product__producer_id",
        )
        for producer_id, rows in sorted(supplied.items()):
            drafts.append(
                InvoiceDraft(
                    kind=InvoiceKind.SELF_BILLING,
                    party_kind=PartyKind.PRODUCER,
                    party=mandated[producer_id],
                    source_key=f"cycle:{cycle.id}:producer:{producer_id}",
                    cycle_id=cycle.id,
                    lines=[_line(row, purchases) for row in rows],
                )
            )
    return drafts


def invoice_list() -> QuerySet[Invoice]:
    """Invoices with what was paid and credited on them (each summed in its own subquery:
    one join per sum would multiply them)."""
    paid = (
        PaymentAllocation.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    credited = (
        Invoice.objects.filter(credit_of=OuterRef("pk"))
        .values("credit_of")
        .annotate(total=Sum("total_ttc"))
        .values("total")
    )
    return Invoice.objects.select_related("producer", "grocery", "funder", "credit_of").annotate(
        paid=Coalesce(Subquery(paid), ZERO, output_field=ledger.MONEY),
        credited=Coalesce(Subquery(credited), ZERO, output_field=ledger.MONEY),
    )


def open_invoice_list() -> QuerySet[Invoice]:
    """Invoices (not credit notes) with something left to pay, the oldest due first. Left
    to pay is at least half a cent: SQLite's sums of amounts are floats."""
    return (
        invoice_list()
        .exclude(kind=InvoiceKind.CREDIT_NOTE)
        .alias(left=F("total_ttc") - F("credited") - F("paid"))
        .filter(left__gte=Decimal("0.005"))
        .order_by("due_on", "id")
    )


def paid_and_credited(invoice: Invoice) -> tuple[Decimal, Decimal]:
    """What was paid and credited on an invoice: from invoice_list's annotations, else read."""
    paid, credited = getattr(invoice, "paid", None), getattr(invoice, "credited", None)
    if paid is None or credited is None:
        paid = invoice.allocations.aggregate(total=Sum("amount"))["total"] or ZERO
        credited = invoice.credit_notes.aggregate(total=Sum("total_ttc"))["total"] or ZERO
    return quantize_money(paid), quantize_money(credited)


def invoice_outstanding(invoice: Invoice) -> Decimal:
    paid, credited = paid_and_credited(invoice)
    return invoice.total_ttc - credited - paid


def invoice_status(invoice: Invoice) -> str:
    """Cancelled when credited in full, paid when what is left is paid, else issued."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return InvoiceStatus.ISSUED
    paid, credited = paid_and_credited(invoice)
    if credited >= invoice.total_ttc:
        return InvoiceStatus.CANCELLED
    if paid >= invoice.total_ttc - credited:
        return InvoiceStatus.PAID
    return InvoiceStatus.ISSUED


def party_account(party_kind: str, party: Producer | Grocery | Funder) -> Account:
    if party_kind == PartyKind.PRODUCER:
        return ledger.producer_account(party)  # type: ignore[arg-type]
    if party_kind == PartyKind.GROCERY:
        return ledger.grocery_account(party)  # type: ignore[arg-type]
    return ledger.funder_account(party)  # type: ignore[arg-type]


def _credit_lines(invoice: Invoice, wanted: Iterable[dict] | None) -> list[LineDraft]:
    """What a credit note takes off: every line left (the whole invoice), or `wanted`
    ({"line": id, "amount": TTC}) each within what remains of its line."""
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in InvoiceLine.objects.filter(credits__invoice=invoice).values_list(
        "credits_id", "total_ttc"
    ):
        credited[line_id] += amount
    lines = {line.id: line for line in invoice.lines.select_related("account")}
    if wanted is None:
        asked = {
            line_id: line.total_ttc - credited[line_id]
            for line_id, line in lines.items()
            if line.total_ttc > credited[line_id]
        }
    else:
        asked = {}
        for item in wanted:
            line = lines.get(item["line"])
            if line is None:
                message = _("Line %(id)s is not a line of invoice %(number)s.") % {
                    "id": item["line"],
                    "number": invoice.number,
                }
                raise InvalidInput(message, fields={"lines": [message]})
            asked[line.id] = asked.get(line.id, ZERO) + item["amount"]
    drafts = []
    for line_id, amount in asked.items():
        line = lines[line_id]
        left = line.total_ttc - credited[line_id]
        if amount <= 0 or amount > left:
            message = _(
                "A credit note takes off more than nothing and at most what is left of the "
                "line « %(label)s »: %(left)s."
            ) % {"label": line.label, "left": format_euros(left)}
            raise InvalidInput(message, fields={"lines": [message]})
        # HT in proportion, to the cent; the VAT is the rest.
        ht = quantize_money(amount * line.total_ht / line.total_ttc) if line.total_ttc else ZERO
        drafts.append(
            LineDraft(
                label=line.label,
                quantity=(
                    line.quantity
                    if amount == line.total_ttc
                    else (line.quantity * amount / line.total_ttc).quantize(Decimal("0.001"))
                ),
                unit=line.unit,
                unit_price_ht=line.unit_price_ht,
                vat_rate=line.vat_rate,
                total_ht=ht,
                total_ttc=amount,
                account=line.account,
                credits=line,
            )
        )
    return drafts


@transaction.atomic
def credit_note_create(
    *,
    invoice: Invoice,
    reason: str,
    lines: list[dict] | None,
    user: User | None,
    now: datetime,
) -> Invoice:
    """A credit note on an invoice, whole or in part, and the entry that takes its amount
    off the party's account. Never more than is left to credit; never on a credit note."""
    if not reason.strip():
        message = _("Say why the invoice is corrected.")
        raise InvalidInput(message, fields={"reason": [message]})
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        raise StateConflict(
            _("A credit note is not corrected by another: correct its invoice."),
            code="credit_note_of_credit_note",
        )
    account = party_account(invoice.party_kind, invoice.party)
    locks.account_lock(account.id)
    drafts = _credit_lines(invoice, lines)
    if not drafts:
        raise StateConflict(
            _("Invoice %(number)s is already credited in full.") % {"number": invoice.number},
            code="invoice_fully_credited",
        )
    total = sum((line.total_ttc for line in drafts), ZERO)
    outstanding = invoice_outstanding(invoice)
    if total > outstanding:
        raise StateConflict(
            _(
                "Invoice %(number)s has %(outstanding)s left to pay: a credit note of "
                "%(total)s would pay back money received. Record a refund instead."
            )
            % {
                "number": invoice.number,
                "outstanding": format_euros(outstanding),
                "total": format_euros(total),
            },
            code="credit_note_above_outstanding",
        )
    sequence = Invoice.objects.filter(credit_of=invoice).count() + 1
    (note,) = invoices_write(
        drafts=[
            InvoiceDraft(
                kind=InvoiceKind.CREDIT_NOTE,
                party_kind=invoice.party_kind,
                party=invoice.party,
                source_key=f"credit:{invoice.id}:{sequence}",
                cycle_id=invoice.cycle_id,
                credit_of=invoice,
                reason=reason.strip()[:300],
                lines=drafts,
            )
        ],
        now=now,
    )
    entry = EntryDraft(
        source_key=f"credit_note:{note.id}",
        kind=EntryKind.CREDIT_NOTE,
        memo=_("Credit note %(note)s on %(invoice)s: %(reason)s")
        % {"note": note.number, "invoice": invoice.number, "reason": note.reason},
        # Not the cycle's: its settlement reads as it was posted; the note is dated apart.
        cycle_id=None,
    )
    receivable = invoice.party_kind != PartyKind.PRODUCER
    for line in drafts:
        if receivable:  # what the party owed goes down, and so does the income
            entry.debit(line.account, line.total_ttc)
        else:  # what the platform owes the producer goes down, and so do the purchases
            entry.credit(line.account, line.total_ttc)
    if receivable:
        entry.credit(account, total)
    else:
        entry.debit(account, total)
    ledger.entries_post(drafts=[entry], now=now, user=user)
    return note

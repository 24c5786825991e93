"""Bank statements (DESIGN.md §12): the bank's account statement imported, each line matched
to what it pays, what cannot be matched left for a person.

A statement is a CAMT.053 file (ISO 20022 Bank-to-Customer Statement, validated against the
official schema shipped in accounting/schemas, read with lxml: no entity, no network) or a CSV
export with French columns. A line is matched by the invoice numbers in its remittance text,
else by its counterparty's name and an open invoice of exactly its amount; a match records
the payment (accounting.payments), which posts it against 512 and letters what it settles.
The bank's entry reference is unique: a statement imported twice posts nothing twice.
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree

from core.errors import DomainError, InvalidInput, StateConflict
from core.models import User
from orders import locks
from orders.models import Grocery
from producers.models import Producer

from . import invoicing, ledger, payments
from .choices import (
    BankLineStatus,
    InvoiceKind,
    PartyKind,
    PaymentDirection,
    PaymentMethod,
    StatementFormat,
)
from .models import BankLine, BankStatement, Funder, Invoice

CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "camt.053.001.08.xsd"
MAX_LINES = 10_000
MAX_ERRORS = 20
# FA-2026-000012, AF-2026-000003, as the bank may have kept them: dashes, spaces or neither.
INVOICE_NUMBER = re.compile(r"\b(FA|AF)[\s-]?(\d{4})[\s-]?(\d{6})\b", re.IGNORECASE)


@dataclass
class StatementLine:
    reference: str
    booked_on: date
    amount: Decimal
    direction: str
    counterparty: str
    remittance: str


@dataclass
class ParsedStatement:
    format: str
    iban: str
    lines: list[StatementLine]


def _refuse(message: str) -> None:
    raise InvalidInput(message, fields={"file": [message]})


def _iban(text: str) -> str:
    return "".join(text.split()).upper()


# CAMT.053


@cache
def _camt_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def _text(element, path: str) -> str:
    found = element.find(path, {"c": CAMT053})
    return " ".join((found.text or "").split()) if found is not None else ""


def _camt_line(entry) -> StatementLine:
    direction = (
        PaymentDirection.IN if _text(entry, "c:CdtDbtInd") == "CRDT" else PaymentDirection.OUT
    )
    details = entry.find("c:NtryDtls/c:TxDtls", {"c": CAMT053})
    reference = _text(entry, "c:AcctSvcrRef") or _text(entry, "c:NtryRef")
    counterparty = remittance = ""
    if details is not None:
        reference = reference or _text(details, "c:Refs/c:AcctSvcrRef")
        # Who paid us, or whom we paid.
        side = "c:Dbtr" if direction == PaymentDirection.IN else "c:Cdtr"
        counterparty = _text(details, f"c:RltdPties/{side}/c:Pty/c:Nm")
        texts = [
            " ".join((element.text or "").split())
            for element in details.iterfind("c:RmtInf/c:Ustrd", {"c": CAMT053})
        ]
        texts += [
            " ".join((element.text or "").split())
            for element in details.iterfind("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", {"c": CAMT053})
        ]
        remittance = " ".join(text for text in texts if text)
    if not reference:
        _refuse(
            _(
                "A line of the statement has no bank reference (AcctSvcrRef or NtryRef): it "
                "could be imported twice."
            )
        )
    booked = _text(entry, "c:BookgDt/c:Dt") or _text(entry, "c:BookgDt/c:DtTm")[:10]
    return StatementLine(
        reference=f"camt:{reference}",
        booked_on=date.fromisoformat(booked),
        amount=Decimal(_text(entry, "c:Amt")),
        direction=direction,
        counterparty=counterparty[:140],
        remittance=remittance[:500],
    )


def camt053_read(content: bytes) -> ParsedStatement:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        document = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        _refuse(_("This file is not a CAMT.053 statement: it is not readable XML."))
    namespace = etree.QName(document).namespace or ""
    if namespace != CAMT053:
        if namespace.startswith("urn:iso:std:iso:20022:tech:xsd:camt.053."):
            _refuse(
                _(
                    "This statement is in version %(version)s of CAMT.053; the platform reads "
                    "version camt.053.001.08. Ask the bank for that export."
                )
                % {"version": namespace.rsplit(":", 1)[-1]}
            )
        _refuse(_("This file is not a CAMT.053 statement (ISO 20022 bank-to-customer statement)."))
    schema = _camt_schema()
    if not schema.validate(document):
        error = schema.error_log.last_error
        _refuse(
            _(
                "This CAMT.053 statement does not follow the ISO 20022 schema (line %(line)d: "
                "%(error)s)."
            )
            % {"line": error.line, "error": error.message}
        )
    statements = document.findall("c:BkToCstmrStmt/c:Stmt", {"c": CAMT053})
    ibans = {_iban(_text(statement, "c:Acct/c:Id/c:IBAN")) for statement in statements}
    if len(ibans) != 1:
        _refuse(_("A statement file holds one account's statements; this one holds several."))
    lines = []
    for statement in statements:
        for entry in statement.iterfind("c:Ntry", {"c": CAMT053}):
            # Only what the bank booked: a pending line may still change or vanish.
            if _text(entry, "c:Sts/c:Cd") not in ("BOOK", ""):
                continue
            if _text(entry, "c:RvslInd") == "true":
                continue  # a reversal of an earlier line: a person settles it by hand
            lines.append(_camt_line(entry))
    return ParsedStatement(StatementFormat.CAMT053, ibans.pop(), lines)


# CSV


def _plain(text: str) -> str:
    """Lower case, no accent, no punctuation: how names and headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", letters.lower()).split())


CSV_COLUMNS = {
    "date": "date",
    "date operation": "date",
    "date comptable": "date",
    "libelle": "label",
    "libelle operation": "label",
    "montant": "amount",
    "debit": "debit",
    "credit": "credit",
    "reference": "reference",
    "contrepartie": "counterparty",
    "tiers": "counterparty",
}


def _csv_amount(text: str) -> Decimal | None:
    """1 234,56 · 1234.56 · -12,00 · 12,00 € (a French bank's export, or a spreadsheet's)."""
    cleaned = text.replace("\xa0", "").replace(" ", "").replace("€", "").replace("+", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _csv_date(text: str) -> date | None:
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def csv_read(content: bytes) -> ParsedStatement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [CSV_COLUMNS.get(_plain(name)) for name in next(reader, [])]
    has_amount = "amount" in header or {"debit", "credit"} <= set(header)
    if "date" not in header or "label" not in header or not has_amount:
        _refuse(
            _(
                "The CSV statement needs the columns « Date », « Libellé » and « Montant » (or "
                "« Débit » and « Crédit »); « Référence » and « Contrepartie » are read too."
            )
        )
    lines: list[StatementLine] = []
    errors: list[str] = []
    seen: Counter = Counter()
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        booked_on = _csv_date(cells.get("date", ""))
        if cells.get("amount"):
            amount = _csv_amount(cells["amount"])
        else:
            debit = _csv_amount(cells.get("debit") or "0")
            credit = _csv_amount(cells.get("credit") or "0")
            amount = None if debit is None or credit is None else credit - abs(debit)
        if booked_on is None:
            errors.append(
                _("Line %(line)d: the date « %(value)s » is not a date (dd/mm/yyyy).")
                % {"line": number, "value": cells.get("date", "")}
            )
        if amount is None or amount == 0:
            errors.append(
                _("Line %(line)d: the amount « %(value)s » is not an amount in euros.")
                % {"line": number, "value": cells.get("amount") or cells.get("credit") or ""}
            )
        if len(errors) >= MAX_ERRORS:
            break
        if booked_on is None or not amount:
            continue
        label = " ".join(cells.get("label", "").split())
        key = (booked_on.isoformat(), str(amount), label)
        seen[key] += 1
        reference = cells.get("reference", "")
        if not reference:
            # No reference in the export: the line's own content, counted among its twins.
            digest = hashlib.sha256("|".join([*key, str(seen[key])]).encode()).hexdigest()
            reference = digest[:32]
        lines.append(
            StatementLine(
                reference=f"csv:{reference}"[:80],
                booked_on=booked_on,
                amount=abs(amount),
                direction=PaymentDirection.IN if amount > 0 else PaymentDirection.OUT,
                counterparty=cells.get("counterparty", "")[:140],
                remittance=label[:500],
            )
        )
    if errors:
        raise InvalidInput(" ".join(errors), fields={"file": errors})
    return ParsedStatement(StatementFormat.CSV, "", lines)


def statement_read(file_name: str, content: bytes) -> ParsedStatement:
    head = content[:200].lstrip()
    if head.startswith(b"<") or file_name.lower().endswith(".xml"):
        parsed = camt053_read(content)
    elif file_name.lower().endswith((".csv", ".txt")):
        parsed = csv_read(content)
    else:
        _refuse(_("A bank statement is a CAMT.053 file (.xml) or a CSV export (.csv)."))
    if not parsed.lines:
        _refuse(_("This statement has no booked line."))
    if len(parsed.lines) > MAX_LINES:
        _refuse(
            _("A statement of more than %(count)d lines: import it month by month.")
            % {"count": MAX_LINES}
        )
    return parsed


# Matching


def _party_of(invoice: Invoice) -> tuple[str, Producer | Grocery | Funder]:
    return invoice.party_kind, invoice.party


def _invoices_named(text: str) -> list[Invoice]:
    numbers = {
        f"{prefix.upper()}-{year}-{sequence}"
        for prefix, year, sequence in INVOICE_NUMBER.findall(text)
    }
    if not numbers:
        return []
    return list(
        Invoice.objects.filter(number__in=numbers)
        .exclude(kind=InvoiceKind.CREDIT_NOTE)
        .order_by("due_on", "id")
    )


Named = list[tuple[str, str, Producer | Grocery | Funder]]  # kind, plain name, party


def _parties() -> dict[str, Named]:
    """Who may pay us (groceries, funders) and whom we pay (producers), with their names as
    compared: read once per import."""
    producers: Named = [(PartyKind.PRODUCER, _plain(p.name), p) for p in Producer.objects.all()]
    payers: Named = [(PartyKind.GROCERY, _plain(g.name), g) for g in Grocery.objects.all()]
    payers += [(PartyKind.FUNDER, _plain(f.name), f) for f in Funder.objects.all()]
    return {PaymentDirection.OUT: producers, PaymentDirection.IN: payers}


def _parties_named(counterparty: str, candidates: Named) -> Named:
    """The parties whose name the counterparty's contains (or the reverse): the bank writes
    « EPICERIE SOLIDAIRE DE FIVES » for « Épicerie solidaire de Fives »."""
    wanted = _plain(counterparty)
    if len(wanted) < 3:
        return []
    return [row for row in candidates if row[1] and (row[1] in wanted or wanted in row[1])]


def _record(line: BankLine, *, kind, party, invoices, now, user, is_advance=False):
    reference = line.remittance[:140] if kind == PartyKind.PRODUCER else ""
    return payments.payment_record(
        party_kind=kind,
        party=party,
        amount=line.amount,
        paid_on=line.booked_on,
        method=PaymentMethod.TRANSFER,
        reference=reference or line.reference.partition(":")[2][:140],
        invoices=invoices or None,
        is_advance=is_advance,
        now=now,
        user=user,
    )


def _direction_fits(kind: str, direction: str) -> bool:
    return (kind == PartyKind.PRODUCER) == (direction == PaymentDirection.OUT)


def _suggest(
    line: BankLine, parties: dict[str, Named]
) -> tuple[str, Producer | Grocery | Funder, list[Invoice]] | str:
    """What the line pays, or why a person must say it."""
    named = _invoices_named(line.remittance)
    if named:
        if len({(invoice.party_kind, invoice.party_id) for invoice in named}) > 1:
            return _("The text names invoices of several parties.")
        kind, party = _party_of(named[0])
        if not _direction_fits(kind, line.direction):
            return _("The text names an invoice that this movement cannot pay.")
        return kind, party, named
    named_parties = _parties_named(line.counterparty or line.remittance, parties[line.direction])
    if len(named_parties) != 1:
        if named_parties:
            return _("Several parties bear this name: say which.")
        return _("No invoice number in the text and no party of this name.")
    kind, _name, party = named_parties[0]
    open_invoices = [
        invoice
        for invoice in invoicing.open_invoice_list().filter(
            party_kind=kind, **{f"{kind}_id": party.pk}
        )
        if invoicing.invoice_outstanding(invoice) == line.amount
    ]
    if len(open_invoices) != 1:
        return _("%(party)s recognised, but no single open invoice of this amount.") % {
            "party": party.name
        }
    return kind, party, open_invoices


def _auto_match(
    line: BankLine, *, parties: dict[str, Named], now: datetime, user: User | None
) -> None:
    suggestion = _suggest(line, parties)
    if isinstance(suggestion, str):
        line.note = suggestion[:300]
        line.save(update_fields=["note"])
        return
    kind, party, invoices = suggestion
    try:
        with transaction.atomic():
            payment = _record(line, kind=kind, party=party, invoices=invoices, now=now, user=user)
    except DomainError as error:
        line.note = error.message[:300]
        line.save(update_fields=["note"])
        return
    line.status = BankLineStatus.MATCHED
    line.payment = payment
    line.note = ""
    line.save(update_fields=["status", "payment", "note"])


@transaction.atomic
def statement_import(
    *, file_name: str, content: bytes, now: datetime, user: User | None
) -> BankStatement:
    """Import one statement file: the new lines stored and matched where they can be, the
    lines of an earlier import counted and left alone."""
    parsed = statement_read(file_name, content)
    expected = _iban(settings.PLATFORM_IBAN)
    if parsed.iban and parsed.iban != expected:
        _refuse(
            _(
                "This statement is of account %(iban)s, not the platform's (%(expected)s): "
                "nothing was imported."
            )
            % {"iban": parsed.iban, "expected": expected}
        )
    # One import at a time: two imports of the same file would both find its lines new.
    locks.account_lock(ledger.platform_account(payments.BANK).id)
    references = [line.reference for line in parsed.lines]
    if len(set(references)) != len(references):
        _refuse(_("Two lines of this statement bear the same bank reference."))
    known = set(
        BankLine.objects.filter(reference__in=references).values_list("reference", flat=True)
    )
    statement = BankStatement.objects.create(
        file_name=file_name[:200],
        format=parsed.format,
        iban=parsed.iban,
        imported_at=now,
        imported_by=user,
        already_imported=len(known),
    )
    new = BankLine.objects.bulk_create(
        BankLine(
            statement=statement,
            reference=line.reference,
            booked_on=line.booked_on,
            amount=line.amount,
            direction=line.direction,
            counterparty=line.counterparty,
            remittance=line.remittance,
            status=BankLineStatus.UNMATCHED,
        )
        for line in parsed.lines
        if line.reference not in known
    )
    parties = _parties()
    for line in sorted(new, key=lambda line: (line.booked_on, line.pk)):
        _auto_match(line, parties=parties, now=now, user=user)
    return statement


def _line_lock(line_id: int) -> BankLine:
    line = BankLine.objects.select_for_update().get(pk=line_id)
    if line.status != BankLineStatus.UNMATCHED:
        raise StateConflict(
            _("This bank line is already %(status)s.")
            % {"status": BankLineStatus(line.status).label.lower()}
        )
    return line


@transaction.atomic
def line_match(
    *,
    line: BankLine,
    now: datetime,
    user: User | None,
    invoices: list[Invoice] | None = None,
    party_kind: str | None = None,
    party: Producer | Grocery | Funder | None = None,
    is_advance: bool = False,
) -> BankLine:
    """A person says what an unmatched line pays: these invoices, or this party (its oldest
    open invoices)."""
    line = _line_lock(line.pk)
    if invoices:
        parties = {(invoice.party_kind, invoice.party_id) for invoice in invoices}
        if len(parties) != 1:
            message = _("One bank line pays invoices of one party.")
            raise InvalidInput(message, fields={"invoices": [message]})
        party_kind, party = _party_of(invoices[0])
    if party is None or party_kind is None:
        message = _("Say which invoices or which party this line pays.")
        raise InvalidInput(message, fields={"invoices": [message]})
    if not _direction_fits(party_kind, line.direction):
        message = (
            _("Money paid out goes to a producer.")
            if line.direction == PaymentDirection.OUT
            else _("Money received comes from a grocery or a funder.")
        )
        raise InvalidInput(message, fields={"party": [message]})
    payment = _record(
        line,
        kind=party_kind,
        party=party,
        invoices=invoices,
        now=now,
        user=user,
        is_advance=is_advance,
    )
    line.status = BankLineStatus.MATCHED
    line.payment = payment
    line.note = ""
    line.save(update_fields=["status", "payment", "note"])
    return line


@transaction.atomic
def line_ignore(*, line: BankLine, reason: str) -> BankLine:
    """Bank fees, interest, a transfer between the platform's own accounts: nothing a party
    paid. Said once, with why."""
    line = _line_lock(line.pk)
    if not reason.strip():
        message = _("Say why this line is ignored (bank fees, interest…).")
        raise InvalidInput(message, fields={"reason": [message]})
    line.status = BankLineStatus.IGNORED
    line.note = reason.strip()[:300]
    line.save(update_fields=["status", "note"])
    return line

"""The FEC (Fichier des écritures comptables, article A47 A-1 of the Livre des procédures
fiscales): every entry of a fiscal year, one line per journal line, in 18 columns.

Tab-separated, a header line, dates YYYYMMDD, amounts with a decimal comma, one EcritureNum
per entry numbered in posting order, the lettering of each line. Written in ISO 8859-15 (one
of the encodings the administration reads), streamed from one query in id order.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formats import format_euros

from .choices import EntryKind, InvoiceKind
from .models import Account, Invoice, JournalEntry, JournalLine, PaymentAllocation

COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)

JOURNALS = {
    EntryKind.PURCHASE: ("AC", "Achats"),
    EntryKind.GROCERY_ORDER: ("VT", "Ventes"),
    EntryKind.HOUSEHOLD_ORDER: ("VT", "Ventes"),
    EntryKind.CREDIT_NOTE: ("VT", "Ventes"),
    EntryKind.LOGISTICS: ("OD", "Opérations diverses"),
    EntryKind.REVERSAL: ("OD", "Opérations diverses"),
    EntryKind.PAYMENT: ("BQ", "Banque"),
    EntryKind.SSA: ("CA", "Caisses alimentaires"),
}

# The general accounts of the party accounts (401-P3 is supplier 401, auxiliary P3).
GENERAL = {
    "401": "Fournisseurs",
    "411": "Clients",
    "4671": "Autres comptes débiteurs — participations des bénéficiaires",
    "441": "État et collectivités — subventions à recevoir",
    # A caisse alimentaire's accounts (ssa.books), one auxiliary per caisse.
    "4191": "Caisses alimentaires — crédit des membres",
    "6571": "Caisses alimentaires — allocations versées",
    "7561": "Caisses alimentaires — cotisations des membres",
    "741": "Caisses alimentaires — subventions d'exploitation",
}


def filename(year: int) -> str:
    """<SIREN>FEC<closing date>.txt, the name the administration expects."""
    return f"{settings.PLATFORM_SIRET[:9]}FEC{year}1231.txt"


def _day(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _amount(text: str) -> str:
    """An amount as the database wrote it (12.3, 12.30 or 12) with a decimal comma and
    two decimals."""
    units, _point, cents = text.partition(".")
    return f"{units},{cents:0<2}"


def _clean(text: str) -> str:
    """No tab or line break inside a field."""
    return " ".join(str(text).split())


def _pieces(year: int) -> tuple[dict[int, str], dict[int, str]]:
    """The document of each payment entry (the first invoice it settles) and the number of
    each credit note."""
    paid: dict[int, str] = {}
    for entry_id, number in (
        PaymentAllocation.objects.filter(payment__entry__posted_at__year=year)
        .order_by("id")
        .values_list("payment__entry_id", "invoice__number")
    ):
        paid.setdefault(entry_id, number)
    notes = dict(Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).values_list("id", "number"))
    return paid, notes


def _accounts() -> dict[int, str]:
    """Each account's four FEC columns, tab-joined: CompteNum, CompteLib, CompAuxNum,
    CompAuxLib (401-P3 is general account 401, auxiliary P3)."""
    columns = {}
    for id, code, name in Account.objects.values_list("id", "code", "name"):
        general, _dash, auxiliary = code.partition("-")
        name = _clean(name)
        if auxiliary:
            columns[id] = "\t".join((general, GENERAL.get(general, name), auxiliary, name))
        else:
            columns[id] = "\t".join((general, name, "", ""))
    return columns


def _entries(year: int) -> Iterator[tuple[int, str, str, str]]:
    """Each entry of the year in posting order: its id, its first four columns (journal,
    number, date), its PieceRef, PieceDate and EcritureLib, and its date (ValidDate)."""
    tz = timezone.get_current_timezone()
    paid, notes = _pieces(year)
    entries = (
        JournalEntry.objects.filter(posted_at__year=year)
        .order_by("posted_at", "id")
        .values_list("id", "kind", "posted_at", "source_key", "memo")
    )
    for number, (entry_id, kind, posted_at, source_key, memo) in enumerate(
        entries.iterator(chunk_size=10000), start=1
    ):
        journal, label = JOURNALS.get(EntryKind(kind), ("OD", "Opérations diverses"))
        day = _day(posted_at.astimezone(tz).date())
        if source_key.startswith("credit_note:"):
            piece = notes.get(int(source_key.split(":")[1]), source_key)
        else:
            piece = paid.get(entry_id) or f"E{entry_id}"
        yield (
            entry_id,
            f"{journal}\t{label}\t{number}\t{day}",
            f"{piece}\t{day}\t{_clean(memo)}",
            day,
        )


def lines(year: int) -> Iterator[str]:
    """The FEC's lines for a calendar fiscal year, header first, each its 18 fields joined
    by tabs.

    A year holds about a million lines. They are read as plain tuples, and what belongs to
    the entry (journal, number, dates, document, label) from a second query over the entries
    in the same order, merged as they come: worked out once per entry, once per account and
    once per amount, not once per line."""
    yield "\t".join(COLUMNS)
    accounts = _accounts()
    journal_lines = (
        JournalLine.objects.filter(entry__posted_at__year=year)
        .order_by("entry__posted_at", "entry_id", "id")
        # As text: formatting a string is cheaper than loading and hashing a Decimal.
        .annotate(debit_text=Cast("debit", CharField()), credit_text=Cast("credit", CharField()))
        .values_list(
            "entry_id",
            "account_id",
            "debit_text",
            "credit_text",
            "lettered__lettering__code",
            "lettered__lettering__lettered_on",
        )
    )
    entries = _entries(year)
    amounts: dict[str, str] = {}
    letterings: dict[tuple, str] = {}
    current, head, tail, day = None, "", "", ""
    for entry_id, account_id, debit, credit, code, on in journal_lines.iterator(chunk_size=10000):
        while entry_id != current:
            current, head, tail, day = next(entries)
        debit = amounts.get(debit) or amounts.setdefault(debit, _amount(debit))
        credit = amounts.get(credit) or amounts.setdefault(credit, _amount(credit))
        if code is None:
            lettering = "\t"
        else:
            lettering = letterings.get((code, on)) or letterings.setdefault(
                (code, on), f"{code}\t{_day(on)}"
            )
        yield f"{head}\t{accounts[account_id]}\t{tail}\t{debit}\t{credit}\t{lettering}\t{day}\t\t"


def fec_chunks(year: int, lines_per_chunk: int = 5000) -> Iterator[bytes]:
    """The FEC file in encoded blocks, for a streamed download. Every field is clean already
    (no tab, no line break): lines() cleans the free texts."""
    block: list[str] = []
    for line in lines(year):
        block.append(line)
        if len(block) == lines_per_chunk:
            yield ("\r\n".join(block) + "\r\n").encode("iso-8859-15", errors="replace")
            block = []
    if block:
        yield ("\r\n".join(block) + "\r\n").encode("iso-8859-15", errors="replace")


def fec_text(year: int) -> bytes:
    return b"".join(fec_chunks(year))


def fec_check(year: int) -> list[str]:
    """Where the year's FEC, read back from its text, says something else than the ledger:
    another number of lines, other debits or credits (an unbalanced ledger is reported by
    ledger_check itself; the FEC then shows the same imbalance)."""
    lines = debit = credit = 0
    for line in fec_text(year).decode("iso-8859-15").splitlines()[1:]:
        fields = line.split("\t")
        lines += 1
        debit += int(fields[11].replace(",", ""))
        credit += int(fields[12].replace(",", ""))
    ledger = JournalLine.objects.filter(entry__posted_at__year=year).aggregate(
        count=Count("id"), debit=Sum("debit"), credit=Sum("credit")
    )
    written = (lines, debit, credit)
    expected = (
        ledger["count"],
        round((ledger["debit"] or 0) * 100),
        round((ledger["credit"] or 0) * 100),
    )
    if written == expected:
        return []
    return [
        _(
            "FEC %(year)d: %(lines)d lines, debits %(debit)s, credits %(credit)s; the ledger: "
            "%(ledger_lines)d lines, %(ledger_debit)s, %(ledger_credit)s."
        )
        % {
            "year": year,
            "lines": lines,
            "debit": format_euros(Decimal(debit) / 100),
            "credit": format_euros(Decimal(credit) / 100),
            "ledger_lines": expected[0],
            "ledger_debit": format_euros(Decimal(expected[1]) / 100),
            "ledger_credit": format_euros(Decimal(expected[2]) / 100),
        }
    ]

"""The double-entry ledger (DESIGN.md §5): accounts, balanced postings, the trial balance.

Entries are only written by `entries_post`, which refuses an unbalanced draft, and never
changed afterwards (models and database triggers refuse it): a correction is a reversal
posted by `entry_reverse`, then a new entry.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import Abs, Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput, StateConflict
from core.models import User
from core.money import quantize_money
from orders import locks
from orders.models import Grocery
from producers.models import Producer

from .choices import AccountKind, EntryKind
from .models import Account, Funder, JournalEntry, JournalLine

ZERO = Decimal("0.00")
HALF_CENT = Decimal("0.005")
MONEY: DecimalField = DecimalField(max_digits=14, decimal_places=2)

# The platform's own accounts, by the French chart of accounts.
PURCHASES = ("607", gettext_lazy("Purchases of food"), AccountKind.EXPENSE)
SALES = ("707", gettext_lazy("Sales of food to groceries and beneficiaries"), AccountKind.INCOME)
SUBSIDIES = ("74", gettext_lazy("Operating subsidies from funders"), AccountKind.INCOME)
TRANSPORT = ("6241", gettext_lazy("Transport costs (rounds)"), AccountKind.EXPENSE)
TRANSPORT_PAYABLE = ("4081", gettext_lazy("Rounds: costs to pay"), AccountKind.LIABILITY)
TRANSPORT_RECHARGED = ("7085", gettext_lazy("Logistics recharged to groceries"), AccountKind.INCOME)


def account(code: str, name: str | Promise, kind: str, **party: Any) -> Account:
    """The account of `code`, opened with its name, kind and party the first time (the party
    accounts below; a caisse's in ssa.books)."""
    opened, _created = Account.objects.get_or_create(
        code=code, defaults={"name": str(name), "kind": kind, **party}
    )
    return opened


def platform_account(definition: tuple) -> Account:
    return account(*definition)


def producer_account(producer: Producer) -> Account:
    """401: what the platform owes the producer."""
    name = _("Producer %(name)s") % {"name": producer.name}
    return account(f"401-P{producer.id}", name, AccountKind.LIABILITY, producer=producer)


def grocery_account(grocery: Grocery) -> Account:
    """411: what the grocery owes for its grouped orders and its share of the rounds."""
    name = _("Grocery %(name)s") % {"name": grocery.name}
    return account(f"411-E{grocery.id}", name, AccountKind.ASSET, grocery=grocery)


def contributions_account(grocery: Grocery) -> Account:
    """4671: the beneficiaries' shares the grocery collected at pickup, due to the platform."""
    name = _("Beneficiaries' contributions collected by %(name)s") % {"name": grocery.name}
    return account(f"4671-E{grocery.id}", name, AccountKind.ASSET, grocery=grocery)


def funder_account(funder: Funder) -> Account:
    """441: the subsidies a funder owes."""
    name = _("Funder %(name)s") % {"name": funder.name}
    return account(f"441-F{funder.id}", name, AccountKind.ASSET, funder=funder)


@dataclass
class EntryDraft:
    """An entry before posting: (account, debit, credit) lines; zero lines are dropped."""

    source_key: str
    kind: str
    memo: str
    cycle_id: int | None = None
    order_id: int | None = None
    purchase_list_id: int | None = None
    reverses_id: int | None = None
    lines: list[tuple[Account, Decimal, Decimal]] = field(default_factory=list)

    def debit(self, account: Account, amount: Decimal) -> "EntryDraft":
        return self._add(account, amount, debit=True)

    def credit(self, account: Account, amount: Decimal) -> "EntryDraft":
        return self._add(account, amount, debit=False)

    def _add(self, account: Account, amount: Decimal, *, debit: bool) -> "EntryDraft":
        if amount < 0:  # a negative debit is a credit
            amount, debit = -amount, not debit
        if amount:
            self.lines.append((account, amount, ZERO) if debit else (account, ZERO, amount))
        return self

    @property
    def balanced(self) -> bool:
        debits = sum((line[1] for line in self.lines), ZERO)
        credits = sum((line[2] for line in self.lines), ZERO)
        return debits == credits


def entries_post(*, drafts: list[EntryDraft], now: datetime, user: User | None = None) -> int:
    """Post balanced drafts in two bulk inserts; answers how many entries were written.

    Drafts without lines (nothing to book) are skipped. Must run inside a transaction.
    """
    drafts = [draft for draft in drafts if draft.lines]
    unbalanced = [draft.source_key for draft in drafts if not draft.balanced]
    if unbalanced:
        raise StateConflict(
            _("Unbalanced entries refused: %(sources)s.") % {"sources": ", ".join(unbalanced)},
            code="entry_unbalanced",
        )
    entries = JournalEntry.objects.bulk_create(
        JournalEntry(
            source_key=draft.source_key,
            kind=draft.kind,
            memo=draft.memo[:300],
            cycle_id=draft.cycle_id,
            order_id=draft.order_id,
            purchase_list_id=draft.purchase_list_id,
            reverses_id=draft.reverses_id,
            posted_at=now,
            posted_by=user,
        )
        for draft in drafts
    )
    JournalLine.objects.bulk_create(
        (
            JournalLine(entry_id=entry.id, account=account, debit=debit, credit=credit)
            for entry, draft in zip(entries, drafts, strict=True)
            for account, debit, credit in draft.lines
        ),
        batch_size=2000,
    )
    return len(entries)


@transaction.atomic
def entry_reverse(
    *, entry: JournalEntry, reason: str, user: User | None, now: datetime
) -> JournalEntry:
    """Cancel an entry by its mirror image (each debit becomes a credit). Once only."""
    if not reason.strip():
        message = _("Say why the entry is reversed.")
        raise InvalidInput(message, fields={"reason": [message]})
    entry = locks.journal_entry_lock(entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise StateConflict(
            _("A reversal is not reversed: post a new entry."), code="entry_is_reversal"
        )
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise StateConflict(_("This entry is already reversed."), code="entry_already_reversed")
    draft = EntryDraft(
        source_key=f"reversal:{entry.id}",
        kind=EntryKind.REVERSAL,
        memo=_("Reversal of entry %(id)d: %(reason)s") % {"id": entry.id, "reason": reason},
        cycle_id=entry.cycle_id,
        order_id=entry.order_id,
        purchase_list_id=entry.purchase_list_id,
        reverses_id=entry.id,
    )
    for line in entry.lines.select_related("account"):
        draft.lines.append((line.account, line.credit, line.debit))
    entries_post(drafts=[draft], now=now, user=user)
    return JournalEntry.objects.get(source_key=draft.source_key)


def trial_balance(*, cycle_id: int | None = None) -> dict:
    """Debits, credits and balance (debit − credit) of every account that moved."""
    lines = JournalLine.objects.all()
    if cycle_id is not None:
        lines = lines.filter(entry__cycle_id=cycle_id)
    rows = (
        lines.values("account__code", "account__name", "account__kind")
        .annotate(debit=Coalesce(Sum("debit"), ZERO), credit=Coalesce(Sum("credit"), ZERO))
        .order_by("account__code")
    )
    accounts = []
    for row in rows:
        debit, credit = quantize_money(row["debit"]), quantize_money(row["credit"])
        accounts.append(
            {
                "code": row["account__code"],
                "name": row["account__name"],
                "kind": row["account__kind"],
                "debit": debit,
                "credit": credit,
                "balance": debit - credit,
            }
        )
    total_debit = sum((row["debit"] for row in accounts), ZERO)
    total_credit = sum((row["credit"] for row in accounts), ZERO)
    return {
        "accounts": accounts,
        "total_debit": total_debit,
        "total_credit": total_credit,
        "balanced": total_debit == total_credit,
    }


def unbalanced_entries() -> list[tuple[int, Decimal, Decimal]]:
    """Entries whose debits and credits differ: (id, debits, credits)."""
    gap = ExpressionWrapper(Sum("debit") - Sum("credit"), output_field=MONEY)
    rows = (
        JournalLine.objects.values("entry_id")
        .annotate(debits=Sum("debit"), credits=Sum("credit"), gap=Abs(gap))
        .filter(gap__gte=HALF_CENT)  # SQLite sums decimals in floating point
        .order_by("entry_id")
    )
    return [
        (row["entry_id"], quantize_money(row["debits"]), quantize_money(row["credits"]))
        for row in rows
    ]


def party_totals(
    *, entries: QuerySet[JournalEntry], account_filter: Q, party: str
) -> dict[int, Decimal]:
    """Debit − credit per party (producer, grocery or funder id) over some entries' lines."""
    rows = (
        JournalLine.objects.filter(entry__in=entries)
        .filter(account_filter)
        .values(f"account__{party}_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row[f"account__{party}_id"]] += quantize_money(row["debit"] - row["credit"])
    return dict(totals)

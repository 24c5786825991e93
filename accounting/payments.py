"""Payments and balances (DESIGN.md §12): the money that moved, against the bank account.

A payment received from a grocery or a funder, or paid to a producer, is one balanced entry
between the bank (512) and the party's account, and the invoices it settles. It may not
exceed what the party owes unless it is recorded as an advance. Once an invoice and the
payments that settle it balance on the party's account, their lines are lettered.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput
from core.formats import format_euros
from core.models import User
from core.money import quantize_money
from orders import locks
from orders.models import Grocery
from producers.models import Producer

from . import invoicing, ledger
from .choices import (
    AccountKind,
    EntryKind,
    InvoiceKind,
    InvoiceStatus,
    PartyKind,
    PaymentDirection,
)
from .ledger import ZERO, EntryDraft
from .models import (
    Account,
    Funder,
    Invoice,
    JournalLine,
    LetteredLine,
    Lettering,
    Payment,
    PaymentAllocation,
)

BANK = ("512", gettext_lazy("Bank"), AccountKind.ASSET)
AGE_BUCKETS = (("0_30", 30), ("31_60", 60), ("61_90", 90), ("over_90", None))
PARTY_MODELS = {PartyKind.PRODUCER: Producer, PartyKind.GROCERY: Grocery, PartyKind.FUNDER: Funder}


def _owed_by_the_party(account: Account) -> bool:
    """Asset accounts (411, 4671, 441) are owed to the platform, 401 by it."""
    return account.kind == AccountKind.ASSET


def account_outstanding(account: Account) -> Decimal:
    """What is left to pay on a party's account (positive), whichever way it runs."""
    totals = JournalLine.objects.filter(account=account).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    balance = quantize_money((totals["debit"] or 0) - (totals["credit"] or 0))
    return balance if _owed_by_the_party(account) else -balance


def payment_account(
    *, party_kind: str, party: Producer | Grocery | Funder, contributions: bool
) -> Account:
    if contributions:
        return ledger.contributions_account(party)  # type: ignore[arg-type]
    return invoicing.party_account(party_kind, party)


def _refuse(message: str, field: str) -> None:
    raise InvalidInput(message, fields={field: [message]})


@transaction.atomic
def payment_record(
    *,
    party_kind: str,
    party: Producer | Grocery | Funder,
    amount: Decimal,
    paid_on: date,
    method: str,
    now: datetime,
    user: User | None,
    reference: str = "",
    invoices: list[Invoice] | None = None,
    contributions: bool = False,
    is_advance: bool = False,
) -> Payment:
    """Record money received or paid, post it, settle the invoices it names (or the oldest
    open ones of the party), and letter what now balances."""
    if amount <= 0:
        _refuse(_("A payment is an amount above zero."), "amount")
    if paid_on > timezone.localdate(now):
        _refuse(_("A payment is recorded once made: its date cannot be in the future."), "date")
    if contributions and party_kind != PartyKind.GROCERY:
        _refuse(_("Only a grocery remits beneficiaries' contributions."), "contributions")
    if contributions and invoices:
        _refuse(_("Contributions remitted settle no invoice."), "invoices")
    for invoice in invoices or []:
        if invoice.party_kind != party_kind or invoice.party_id != party.pk:
            _refuse(
                _("Invoice %(number)s is not addressed to %(party)s.")
                % {"number": invoice.number, "party": party.name},
                "invoices",
            )
        if invoice.kind == InvoiceKind.CREDIT_NOTE:
            _refuse(_("A credit note is not paid: pay its invoice's rest."), "invoices")
    if (
        party_kind == PartyKind.PRODUCER
        and not reference.strip()
        and not (isinstance(party, Producer) and party.self_billing_since)
    ):
        _refuse(
            _(
                "This producer has not signed the self-billing mandate: write the number of "
                "the invoice it sent."
            ),
            "reference",
        )
    account = payment_account(party_kind=party_kind, party=party, contributions=contributions)
    locks.account_lock(account.id)
    due = account_outstanding(account)
    if amount > due and not is_advance:
        _refuse(
            _(
                "The payment (%(amount)s) is more than %(party)s owes (%(due)s). Record it as "
                "an advance if that is what it is."
            )
            % {"amount": format_euros(amount), "party": party.name, "due": format_euros(due)},
            "amount",
        )
    direction = PaymentDirection.OUT if party_kind == PartyKind.PRODUCER else PaymentDirection.IN
    bank = ledger.platform_account(BANK)
    draft = EntryDraft(
        source_key=f"payment:{uuid.uuid4().hex}",
        kind=EntryKind.PAYMENT,
        memo=(
            _("Payment to %(party)s %(reference)s")
            if direction == PaymentDirection.OUT
            else _("Payment from %(party)s %(reference)s")
        )
        % {"party": party.name, "reference": reference},
    )
    if direction == PaymentDirection.OUT:
        draft.debit(account, amount).credit(bank, amount)
    else:
        draft.debit(bank, amount).credit(account, amount)
    ledger.entries_post(drafts=[draft], now=now, user=user)
    payment = Payment.objects.create(
        party_kind=party_kind,
        **{party_kind: party},
        direction=direction,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference.strip()[:140],
        contributions=contributions,
        is_advance=amount > due,
        entry=ledger.JournalEntry.objects.get(source_key=draft.source_key),
        created_at=now,
        created_by=user,
    )
    if not contributions:
        _allocate(payment, invoices)
        letter(account=account, on=paid_on)
    return payment


def _open_invoices(payment: Payment, named: list[Invoice] | None) -> list[Invoice]:
    invoices = invoicing.open_invoice_list().filter(
        party_kind=payment.party_kind, **{f"{payment.party_kind}_id": payment.party_id}
    )
    if named is not None:
        invoices = invoices.filter(id__in=[invoice.id for invoice in named])
    return list(invoices)


def _allocate(payment: Payment, named: list[Invoice] | None) -> None:
    left = payment.amount
    allocations = []
    for invoice in _open_invoices(payment, named or None):
        if not left:
            break
        share = min(left, invoicing.invoice_outstanding(invoice))
        allocations.append(PaymentAllocation(payment=payment, invoice=invoice, amount=share))
        left -= share
    PaymentAllocation.objects.bulk_create(allocations)


def _code(number: int) -> str:
    """A, B, …, Z, AA, AB, …: the lettering codes of one account."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _invoice_lines(invoice: Invoice, account: Account) -> list[int]:
    """The lines of the party's account that the invoice stands for: the settlement's (its
    cycle's) and its credit notes'."""
    keys = [
        f"credit_note:{note_id}" for note_id in invoice.credit_notes.values_list("id", flat=True)
    ]
    return list(
        JournalLine.objects.filter(account=account)
        .filter(
            Q(entry__cycle_id=invoice.cycle_id, entry__cycle__isnull=False)
            & ~Q(entry__kind__in=[EntryKind.PAYMENT, EntryKind.CREDIT_NOTE])
            | Q(entry__source_key__in=keys)
        )
        .values_list("id", flat=True)
    )


def letter(*, account: Account, on: date) -> int:
    """Letter every paid invoice of this account with the payments that paid it, when their
    lines balance and none is lettered yet. Answers how many letterings were made."""
    invoices = [
        invoice
        for invoice in invoicing.invoice_list()
        .filter(allocations__payment__entry__lines__account=account)
        .distinct()
        if invoicing.invoice_status(invoice) == InvoiceStatus.PAID
    ]
    made = 0
    for invoice in invoices:
        payments = Payment.objects.filter(allocations__invoice=invoice)
        # A payment that also paid another invoice, not yet paid in full, waits for it.
        if PaymentAllocation.objects.filter(payment__in=payments).exclude(invoice=invoice).exists():
            continue
        line_ids = _invoice_lines(invoice, account) + list(
            JournalLine.objects.filter(account=account, entry__payment__in=payments).values_list(
                "id", flat=True
            )
        )
        if not line_ids or LetteredLine.objects.filter(line_id__in=line_ids).exists():
            continue
        totals = JournalLine.objects.filter(id__in=line_ids).aggregate(
            debit=Sum("debit"), credit=Sum("credit")
        )
        if quantize_money(totals["debit"] or 0) != quantize_money(totals["credit"] or 0):
            continue
        lettering = Lettering.objects.create(
            code=_code(Lettering.objects.filter(account=account).count() + 1),
            account=account,
            lettered_on=on,
        )
        LetteredLine.objects.bulk_create(
            LetteredLine(lettering=lettering, line_id=line_id) for line_id in line_ids
        )
        made += 1
    return made


@dataclass
class Balance:
    party_kind: str
    party: int
    name: str
    owed: Decimal
    paid: Decimal
    outstanding: Decimal
    age: dict[str, Decimal]


def _ages(debts: list[tuple[date, Decimal]], outstanding: Decimal, today: date) -> dict:
    """What is outstanding, by the age of the debts it is made of, newest first (what was
    paid went to the oldest: first in, first out)."""
    ages = {name: ZERO for name, _limit in AGE_BUCKETS}
    left = outstanding
    for day, amount in sorted(debts, reverse=True):
        if left <= 0:
            break
        part = min(left, amount)
        days = (today - day).days
        name = next(name for name, limit in AGE_BUCKETS if limit is None or days <= limit)
        ages[name] += part
        left -= part
    return ages


def balances(
    *, party_kind: str | None = None, party_ids: list[int] | None = None, today: date
) -> list[Balance]:
    """Per party: what it was invoiced or owed (settlements, less credit notes), what it
    paid or was paid, what is left and how old (DESIGN.md §12)."""
    accounts = Account.objects.filter(
        Q(producer__isnull=False) | Q(grocery__isnull=False) | Q(funder__isnull=False)
    ).select_related("producer__organisation", "grocery__organisation", "funder")
    if party_kind:
        accounts = accounts.filter(**{f"{party_kind}__isnull": False})
        if party_ids is not None:
            accounts = accounts.filter(**{f"{party_kind}_id__in": party_ids})
    party_accounts = list(accounts)
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])  # account: owed, paid
    debts: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = (
        JournalLine.objects.filter(account__in=party_accounts)
        .values("account_id", "entry__kind", "entry__posted_at__date")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    kind_of = {account.id: account.kind for account in party_accounts}
    for row in rows:
        signed = quantize_money(row["debit"] - row["credit"])
        if kind_of[row["account_id"]] != AccountKind.ASSET:
            signed = -signed
        if row["entry__kind"] == EntryKind.PAYMENT:
            sums[row["account_id"]][1] -= signed
        else:
            sums[row["account_id"]][0] += signed
            if signed > 0:
                debts[row["account_id"]].append((row["entry__posted_at__date"], signed))
    per_party: dict[tuple[str, int], Balance] = {}
    for account in party_accounts:
        kind = next(k for k in PartyKind.values if getattr(account, f"{k}_id"))
        party = getattr(account, kind)
        key = (kind, party.pk)
        owed, paid = sums[account.id]
        balance = per_party.setdefault(
            key,
            Balance(
                kind, party.pk, party.name, ZERO, ZERO, ZERO, {n: ZERO for n, _l in AGE_BUCKETS}
            ),
        )
        balance.owed += owed
        balance.paid += paid
        outstanding = owed - paid
        balance.outstanding += outstanding
        for name, amount in _ages(debts[account.id], outstanding, today).items():
            balance.age[name] += amount
    return sorted(per_party.values(), key=lambda b: (b.party_kind, b.name))

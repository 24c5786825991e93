"""A caisse's books (DESIGN.md §14), in the platform's double-entry ledger: the members'
credit is what the caisse owes in its closed-loop money; allocations credit it, expiry and
closing take it back, orders spend it (at settlement, accounting.settlement); contributions
come into the bank; the deficit is covered by funders' grants.

    allocation      Dr 6571 allocations       Cr 4191 members' credit
    expiry/closing  Dr 4191 members' credit   Cr 6571 allocations
    order settled   Dr 4191 members' credit   Cr 707 sales          (the producer: 607/401)
    contribution    Dr 512 bank               Cr 7561 contributions
    grant           Dr 441 funder             Cr 741 grants
"""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounting import ledger
from accounting.choices import AccountKind, EntryKind
from accounting.models import Account, Funder, JournalEntry
from accounting.payments import BANK
from core.models import User

from .models import Caisse


def _caisse_account(caisse: Caisse, code: str, name: str, kind: str) -> Account:
    return ledger.account(f"{code}-C{caisse.id}", name[:250], kind, caisse=caisse)


def credit_account(caisse: Caisse) -> Account:
    """4191: the credit the members hold, owed by the caisse in its own money."""
    name = _("Members' credit, %(caisse)s") % {"caisse": caisse.name}
    return _caisse_account(caisse, "4191", name, AccountKind.LIABILITY)


def allocations_account(caisse: Caisse) -> Account:
    name = _("Allocations credited, %(caisse)s") % {"caisse": caisse.name}
    return _caisse_account(caisse, "6571", name, AccountKind.EXPENSE)


def contributions_account(caisse: Caisse) -> Account:
    name = _("Members' contributions, %(caisse)s") % {"caisse": caisse.name}
    return _caisse_account(caisse, "7561", name, AccountKind.INCOME)


def grants_account(caisse: Caisse) -> Account:
    name = _("Grants, %(caisse)s") % {"caisse": caisse.name}
    return _caisse_account(caisse, "741", name, AccountKind.INCOME)


def month_post(
    *,
    caisse: Caisse,
    month_key: str,
    credited: Decimal,
    taken_back: Decimal,
    run_key: int,
    now: datetime,
) -> None:
    """A run's allocations and what expired before them, one entry (a member credited late
    in a month has a run of its own: `run_key` is the run's first movement)."""
    draft = ledger.EntryDraft(
        source_key=f"caisse:{caisse.id}:month:{month_key}:{run_key}",
        kind=EntryKind.SSA,
        memo=_("%(caisse)s: allocations of %(month)s")
        % {"caisse": caisse.name, "month": month_key},
    )
    credit, allocations = credit_account(caisse), allocations_account(caisse)
    draft.credit(credit, credited).debit(allocations, credited)
    draft.debit(credit, taken_back).credit(allocations, taken_back)
    ledger.entries_post(drafts=[draft], now=now)


def closing_post(*, caisse: Caisse, amount: Decimal, member_id: int, now: datetime) -> None:
    draft = ledger.EntryDraft(
        source_key=f"caisse:{caisse.id}:closing:{member_id}",
        kind=EntryKind.SSA,
        memo=_("%(caisse)s: credit closed on leaving") % {"caisse": caisse.name},
    )
    draft.debit(credit_account(caisse), amount).credit(allocations_account(caisse), amount)
    ledger.entries_post(drafts=[draft], now=now)


def contribution_post(
    *, caisse: Caisse, amount: Decimal, key: str, memo: str, user: User, now: datetime
) -> JournalEntry:
    draft = ledger.EntryDraft(source_key=key, kind=EntryKind.PAYMENT, memo=memo)
    draft.debit(ledger.platform_account(BANK), amount)
    draft.credit(contributions_account(caisse), amount)
    ledger.entries_post(drafts=[draft], now=now, user=user)
    return JournalEntry.objects.get(source_key=key)


def grant_post(
    *, caisse: Caisse, funder: Funder, amount: Decimal, key: str, user: User, now: datetime
) -> JournalEntry:
    draft = ledger.EntryDraft(
        source_key=key,
        kind=EntryKind.SSA,
        memo=_("%(caisse)s: grant of %(funder)s") % {"caisse": caisse.name, "funder": funder.name},
    )
    draft.debit(ledger.funder_account(funder), amount).credit(grants_account(caisse), amount)
    ledger.entries_post(drafts=[draft], now=now, user=user)
    return JournalEntry.objects.get(source_key=key)

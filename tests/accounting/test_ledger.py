from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounting import ledger
from accounting.choices import EntryKind
from accounting.ledger import EntryDraft
from accounting.models import Envelope, JournalEntry, JournalLine
from core.errors import StateConflict
from orders.models import OrderLine
from tests.accounting.conftest import settle


@contextmanager
def checks_off(table: str, constraint: str):
    """Lets a test store what the database would refuse, to see the check command find it.
    Inside the test's transaction, so it is rolled back with it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield cursor
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


@pytest.fixture
def settled(coordinator_client, delivered, django_capture_on_commit_callbacks):
    settle(coordinator_client, delivered.cycle, django_capture_on_commit_callbacks)
    return delivered


def test_ledger_check_passes_on_clean_books(settled, capsys):
    call_command("ledger_check")

    assert capsys.readouterr().out.startswith("Grand livre équilibré : 10 écritures")


def test_ledger_check_names_an_unbalanced_entry(settled, capsys):
    entry = JournalEntry.objects.filter(kind=EntryKind.PURCHASE).first()
    account = entry.lines.first().account
    JournalLine.objects.create(entry=entry, account=account, debit=Decimal("0.01"))

    with pytest.raises(CommandError):
        call_command("ledger_check")

    errors = capsys.readouterr().err
    assert f"{entry.id}" in errors
    assert errors.count("\n") == 2  # the entry, and the trial balance it throws off


def test_ledger_check_names_a_broken_split_and_an_overdrawn_envelope(settled, capsys):
    line = OrderLine.objects.filter(tier_rate__isnull=False).order_by("id").first()
    envelope = settled.envelopes[1]
    with checks_off("orders_orderline", "order_line_split_adds_up") as cursor:
        cursor.execute("UPDATE orders_orderline SET subsidy = subsidy + 1 WHERE id = %s", [line.id])
    with checks_off("accounting_envelope", "envelope_remaining_not_negative") as cursor:
        cursor.execute("UPDATE accounting_envelope SET spent = 600 WHERE id = %s", [envelope.id])

    with pytest.raises(CommandError, match="2"):
        call_command("ledger_check")

    errors = capsys.readouterr().err
    assert f"{line.id}" in errors
    assert settled.funders[1].name in errors


def test_a_reversal_mirrors_an_entry_once(settled, world):
    entry = JournalEntry.objects.get(source_key__endswith=":logistics")

    reversal = ledger.entry_reverse(
        entry=entry,
        reason="Coût de tournée saisi deux fois",
        user=world.coordinator,
        now=timezone.now(),
    )

    mirrored = sorted((line.account_id, line.debit, line.credit) for line in reversal.lines.all())
    original = sorted((line.account_id, line.credit, line.debit) for line in entry.lines.all())
    assert mirrored == original
    assert ledger.trial_balance()["balanced"]
    with pytest.raises(StateConflict):
        ledger.entry_reverse(entry=entry, reason="encore", user=None, now=timezone.now())
    call_command("ledger_check")


def test_an_unbalanced_draft_is_refused(settled):
    account = ledger.platform_account(ledger.PURCHASES)
    draft = EntryDraft(source_key="test:unbalanced", kind=EntryKind.PURCHASE, memo="test")
    draft.debit(account, Decimal("1.00"))

    with pytest.raises(StateConflict):
        ledger.entries_post(drafts=[draft], now=timezone.now())

    assert not JournalEntry.objects.filter(source_key="test:unbalanced").exists()


def test_envelope_usage_after_settlement_is_what_the_ledger_says(settled):
    for funder, envelope in zip(settled.funders, settled.envelopes, strict=True):
        envelope = Envelope.objects.get(pk=envelope.pk)
        owed = ledger.party_totals(
            entries=JournalEntry.objects.all(),
            account_filter=Q(account__funder=funder),
            party="funder",
        )[funder.id]
        assert envelope.spent == owed


def test_commitments_released_to_zero_stay_at_zero(world):
    """Found by the settlement property test: on SQLite, 0.57 + 0.10 - 0.67 was -1e-16 and
    broke the envelope's CHECK; the database rounds to the cent now."""
    from accounting.services import envelope_adjust_commitment

    envelope = world.envelope
    for delta in ("0.57", "0.10", "-0.67"):
        envelope_adjust_commitment(envelope_id=envelope.id, delta=Decimal(delta))

    envelope.refresh_from_db()
    assert envelope.committed == Decimal("0.00")

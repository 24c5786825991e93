"""Invoice numbers follow each other without a gap, whatever runs at the same moment
(French invoicing rules): two PostgreSQL sessions and more, one of them rolling back."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounting import ledger
from accounting.choices import InvoiceKind, PartyKind
from accounting.invoicing import InvoiceDraft, LineDraft, invoices_write
from accounting.models import Invoice
from tests import factories
from tests.orders.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
    ),
]


class Abandoned(Exception):
    pass


# Serialized rollback: its flush then leaves the tables empty, as the browser tests that run
# after it (tests/browser, with the same rollback) expect to find them; a plain flush would
# let post_migrate write the content types again under new ids.
def test_concurrent_issues_number_invoices_one_to_n_without_a_gap(
    transactional_db, django_db_serialized_rollback
):
    groceries = [factories.GroceryFactory() for _ in range(2)]
    sales = ledger.platform_account(ledger.SALES)

    def issue(index: int, fail: bool = False):
        def job():
            with transaction.atomic():
                (invoice,) = invoices_write(
                    drafts=[
                        InvoiceDraft(
                            kind=InvoiceKind.INVOICE,
                            party_kind=PartyKind.GROCERY,
                            party=groceries[index % 2],
                            source_key=f"test:{index}",
                            lines=[
                                LineDraft(
                                    label="Carottes",
                                    quantity=Decimal("10"),
                                    unit="kg",
                                    unit_price_ht=Decimal("2.00"),
                                    vat_rate=Decimal("0.055"),
                                    total_ht=Decimal("20.00"),
                                    total_ttc=Decimal("21.10"),
                                    account=sales,
                                )
                            ],
                        )
                    ],
                    now=timezone.now(),
                )
                if fail:  # a settlement that dies after taking its number
                    raise Abandoned
                return invoice.sequence

        return job

    def guarded(job):
        def run():
            try:
                return job()
            except Abandoned:
                return "abandoned"

        return run

    jobs = [issue(i) for i in range(11)] + [guarded(issue(99, fail=True))]
    outcomes = run_together(jobs)

    sequences = sorted(value for state, value in outcomes if value != "abandoned")
    assert [state for state, _value in outcomes] == ["ok"] * 12
    assert sequences == list(range(1, 12))
    year = timezone.localdate().year
    assert list(Invoice.objects.order_by("sequence").values_list("number", flat=True)) == [
        f"FA-{year}-{n:06d}" for n in range(1, 12)
    ]

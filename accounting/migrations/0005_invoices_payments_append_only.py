"""Invoices, payments and lettering are append-only in the database itself: an invoice is
corrected by a credit note, a payment by a reversal (core/append_only.py)."""

from django.db import migrations

from core.append_only import triggers


class Migration(migrations.Migration):
    dependencies = [("accounting", "0004_invoices_payments")]

    operations = [
        triggers(
            tables=[
                "accounting_invoice",
                "accounting_invoiceline",
                "accounting_payment",
                "accounting_paymentallocation",
                "accounting_lettering",
                "accounting_letteredline",
            ],
            function="accounting_money_append_only",
            message="invoices and payments are append-only: issue a credit note or reverse it",
        )
    ]

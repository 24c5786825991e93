"""The journal is append-only in the database itself, whatever writes to it: a correction is
a reversal, then a new entry (core/append_only.py)."""

from django.db import migrations

from core.append_only import triggers


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_ledger")]

    operations = [
        triggers(
            tables=["accounting_journalentry", "accounting_journalline"],
            function="accounting_ledger_append_only",
            message="the ledger is append-only: post a reversal instead",
        )
    ]

"""The household access log is append-only in the database itself: nobody, through any
interface, edits or removes who read a household's data (core/append_only.py)."""

from django.db import migrations

from core.append_only import triggers


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_receptions")]

    operations = [
        triggers(
            tables=["orders_householdaccesslog"],
            function="orders_access_log_append_only",
            message="the household access log is append-only",
        )
    ]

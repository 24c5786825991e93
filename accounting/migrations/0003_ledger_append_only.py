"""The journal is append-only in the database itself, whatever writes to it.

UPDATE is refused on both engines. DELETE is refused on PostgreSQL; on SQLite (the embedded
default, where the test runner empties tables with DELETE) the models refuse it instead.
TRUNCATE, used by PostgreSQL test flushes, fires no row trigger.
"""

from django.db import migrations

TABLES = ["accounting_journalentry", "accounting_journalline"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION accounting_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: post a reversal instead (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION accounting_ledger_append_only()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    for table in TABLES:
        on_table = f" ON {table}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only{on_table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS accounting_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_ledger")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

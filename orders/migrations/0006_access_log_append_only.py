"""The household access log is append-only in the database itself: nobody, through any
interface, edits or removes who read a household's data.

UPDATE is refused on both engines, DELETE on PostgreSQL (on SQLite the test runner empties
tables with DELETE, so the model refuses it there). TRUNCATE fires no row trigger.
"""

from django.db import migrations

TABLE = "orders_householdaccesslog"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION orders_access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the household access log is append-only (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION orders_access_log_append_only()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'the household access log is append-only'); END"
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS orders_access_log_append_only()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only")


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_receptions")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

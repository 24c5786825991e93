"""Append-only tables in the database itself, whatever writes to them (the models refuse too:
core.models.AppendOnly).

UPDATE is refused on both engines. DELETE is refused on PostgreSQL; on SQLite (the embedded
default, where the test runner empties tables with DELETE) the models refuse it instead.
TRUNCATE, used by PostgreSQL test flushes, fires no row trigger.

Migrations call `triggers(...)`; keep its SQL stable, applied migrations depend on it.
"""

from django.db import migrations


def triggers(*, tables: list[str], function: str, message: str) -> migrations.RunPython:
    """The operation that makes `tables` append-only, with its reverse."""

    def create(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
                f"BEGIN\n    RAISE EXCEPTION '{message} (%)', TG_OP;\nEND;\n"
                "$$ LANGUAGE plpgsql;",
                params=None,
            )
            for table in tables:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
        elif vendor == "sqlite":
            for table in tables:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )

    def drop(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            return
        for table in tables:
            on_table = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only{on_table}")
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")

    return migrations.RunPython(create, drop)

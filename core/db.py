"""The one place that knows which database runs under the platform.

PostgreSQL in production, SQLite for the embedded default. Domain code asks these helpers
for what differs between the two (a shared row lock, a date truncation, a bulk write by
COPY, a CSV written by the database) and never reads `connection.vendor` itself.
"""

from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from django.db.models import F

M = TypeVar("M", bound=models.Model)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def select_for_share(model: type[M], pk: int) -> M | None:
    """The row `pk` of `model` under a shared lock (FOR SHARE): writers of the row wait for
    the transaction, readers under the same lock do not wait for each other.

    SQLite has no row locks: a writing transaction holds the whole database, so a plain
    read is as safe there. Only the lock module (orders.locks) calls this."""
    if not is_postgresql():
        return model._default_manager.filter(pk=pk).first()
    table = connection.ops.quote_name(model._meta.db_table)
    return next(
        iter(model._default_manager.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [pk])),
        None,
    )


def week_start_sql(column: str) -> str:
    """SQL for the Monday of the week of the date `column`."""
    if is_postgresql():
        return f"date_trunc('week', {column})::date"
    # SQLite: %%w is the weekday, 0 on Sunday (the string goes through %-formatting).
    return f"date({column}, '-' || ((strftime('%%w', {column}) + 6) %% 7) || ' days')"


def month_start_sql(column: str) -> str:
    """SQL for the first day of the month of the date `column`."""
    if is_postgresql():
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def work_memory_raise(cursor: CursorWrapper, size: str = "256MB") -> None:
    """Let this transaction's hash joins and aggregates stay in memory (PostgreSQL's default
    is 4 MB); SQLite has no such setting."""
    if is_postgresql():
        cursor.execute(f"SET LOCAL work_mem = '{size}'")


def can_copy() -> bool:
    """Whether the database streams COPY in and out (PostgreSQL), for bulk work."""
    return is_postgresql()


def rows_update(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    add: bool = False,
    copy_from: int = 0,
) -> int:
    """Write `(id, value, value, …)` rows into `columns` of `model`: each column set to its
    value, or increased by it when `add` (with F(), so concurrent writers add up).

    On PostgreSQL, from `copy_from` rows on, the rows are COPYed into a temporary table and
    written by one UPDATE joining it (one pass over the table); else by bulk_update."""
    rows = list(rows)
    if not rows:
        return 0
    if can_copy() and len(rows) > copy_from:
        _update_from_copy(model._meta.db_table, columns, rows, add=add)
        return len(rows)
    instances = []
    for pk, *values in rows:
        instance = model(pk=pk)
        for column, value in zip(columns, values, strict=True):
            setattr(instance, column, F(column) + value if add else value)
        instances.append(instance)
    model._default_manager.bulk_update(instances, list(columns), batch_size=500 if add else 2000)
    return len(rows)


def _update_from_copy(table: str, columns: Sequence[str], rows: list[tuple], *, add: bool) -> None:
    definitions = ", ".join(f"{column} numeric" for column in columns)
    value = "t.{column} + c.{column}" if add else "c.{column}"
    assignments = ", ".join(f"{column} = {value.format(column=column)}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bulk_changes (id bigint PRIMARY KEY, {definitions})"
            " ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY bulk_changes FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM bulk_changes AS c WHERE t.id = c.id"
        )
        cursor.execute("DROP TABLE bulk_changes")

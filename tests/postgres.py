"""Helpers for tests that need a second PostgreSQL session beside Django's."""

from contextlib import contextmanager

import psycopg
from django.db import connection


def database_url() -> str:
    """The test database, for another process or another session."""
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@contextmanager
def row_locked(table: str, row_id: int, mode: str = "UPDATE"):
    """Another session holds one row FOR UPDATE (or FOR SHARE) until the block ends."""
    assert mode in ("UPDATE", "SHARE")
    with psycopg.connect(database_url()) as holder:
        holder.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR {mode}", [row_id])
        yield
        holder.rollback()

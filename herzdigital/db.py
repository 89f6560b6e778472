"""Database helpers for the few hot queries that Django's cursors make slower than they need to be."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


class PreparingCursor(psycopg.Cursor):
    """A server-binding psycopg cursor that prepares every statement it runs (``prepare=True``)."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=prepare, **kwargs)


class PreparedDebugWrapper(CursorDebugWrapper):
    """Logs the statement as written: Django reads the SQL it logs back from a client-side cursor,
    which a server-binding cursor does not keep (it would log None)."""

    def execute(self, sql: str, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def fetchone_prepared(sql: str, params: Sequence[Any]) -> tuple | None:
    """The first row of ``sql``, a fixed query run on every request of a hot path.

    On PostgreSQL the statement is prepared on the connection, so the server parses and plans it once
    per (persistent) connection instead of on every run: the four-table join lookup costs PostgreSQL
    0.12 ms instead of 0.34 ms (pgbench, issue 20). Django's cursors bind parameters on the client and
    never prepare; this one binds on the server (``%s`` become ``$1``). It is wrapped like Django's own
    cursors, so it is logged, counted by query-count tests and passes through execute wrappers. With
    prepared statements switched off (``DB_PREPARED_STATEMENTS=false``: the connection's
    ``prepare_threshold`` is None) it runs unprepared; on SQLite it is a plain query.
    """
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _cursor() -> Any:
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = PreparingCursor(connection.connection)
    return PreparedDebugWrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)

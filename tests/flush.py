"""Emptying the database after a transactional test in a fraction of the time a flush takes.

Django empties the database after each transactional test (`TransactionTestCase`, which
`transactional_db` and `live_server` use) with one TRUNCATE of every table: PostgreSQL then
swaps the files of ~100 tables, about half a second, although a test writes to a dozen. Here
the flush empties only the tables that have rows, with DELETE (every foreign key Django makes
is DEFERRABLE INITIALLY DEFERRED and the flush runs in one transaction, so the order doesn't
matter), and TRUNCATEs a table that has a trigger of its own (the audit trail refuses DELETE).
Every table is empty afterwards, as after a flush, and sequences are left alone, as a flush
that doesn't reset them leaves them. With `reset_sequences` the flush is Django's own.

After a flush Django fills the content types and permissions again (`post_migrate`, another
half second). They are kept instead while they are exactly as `post_migrate` last left them
(same count and highest id in both tables: a row removed or added changes one of them); then
`post_migrate`, which would only find every row already there, is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.commands import flush as flush_command
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations

REFERENCE = ("django_content_type", "auth_permission")


def _tables_with_rows(connection: Any, tables: list[str]) -> list[str]:
    quote = connection.ops.quote_name
    # Table names come from Django's introspection, quoted: nothing here is user input.
    probe = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(probe, tables)
        return [row[0] for row in cursor.fetchall()]


def _tables_with_triggers(connection: Any, tables: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND c.relname = ANY(%s)",
            [tables],
        )
        return {row[0] for row in cursor.fetchall()}


def _fingerprint(connection: Any) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM django_content_type), (SELECT max(id) FROM django_content_type), "
            "(SELECT count(*) FROM auth_permission), (SELECT max(id) FROM auth_permission)"
        )
        return tuple(cursor.fetchone() or ())


def install() -> Iterator[None]:
    original = DatabaseOperations.sql_flush
    original_emit = flush_command.emit_post_migrate_signal
    state: dict[str, Any] = {"fingerprint": None, "kept": False}

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        written = _tables_with_rows(self.connection, list(tables))
        state["kept"] = (
            state["fingerprint"] is not None and _fingerprint(self.connection) == state["fingerprint"]
        )
        if state["kept"]:
            written = [table for table in written if table not in REFERENCE]
        if not written:
            return []
        triggered = _tables_with_triggers(self.connection, written)
        quote = self.quote_name
        statements = [f"DELETE FROM {quote(table)};" for table in written if table not in triggered]  # noqa: S608
        if triggered:
            statements.append(f"TRUNCATE {', '.join(quote(t) for t in sorted(triggered))} CASCADE;")
        return statements

    def emit_post_migrate_signal(verbosity: int, interactive: bool, db: str, **kwargs: Any) -> None:
        if state["kept"]:
            state["kept"] = False
            return
        original_emit(verbosity, interactive, db, **kwargs)
        state["fingerprint"] = _fingerprint(connections[db])

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    flush_command.emit_post_migrate_signal = emit_post_migrate_signal  # type: ignore[assignment]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = original  # type: ignore[method-assign]
        flush_command.emit_post_migrate_signal = original_emit

"""Rows sent to PostgreSQL with COPY from a thread of their own, so the caller keeps parsing while the server works.

Each block of rows is one COPY statement, and the table's deferred foreign keys are checked at the end of each
statement rather than all at the commit: on a 100,000-record import those checks were a second of the server's
time with the importing process idle, waiting for the commit; now the server runs them while the next block is
parsed. The caller still holds the one transaction, so a failure anywhere stores nothing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from psycopg import Cursor, sql

# Blocks waiting to be sent: enough that the parser rarely waits for the server, few enough to bound memory.
QUEUED_BLOCKS = 3


class CopyStream:
    """Send blocks of COPY text (complete lines) into `table`; use as a context manager inside a transaction."""

    def __init__(self, *, cursor: Cursor[Any], table: str, columns: Sequence[str]) -> None:
        self._cursor = cursor
        self._table = table
        self._statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        self._blocks: queue.Queue[str | None] = queue.Queue(maxsize=QUEUED_BLOCKS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._send_blocks, name=f"copy-{table}", daemon=True)
        self._checked_early: sql.Composable | None = None

    def __enter__(self) -> CopyStream:
        self._cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' AND condeferred",
            [self._table],
        )
        names = [row[0] for row in self._cursor.fetchall()]
        if names:
            self._checked_early = sql.SQL(", ").join(map(sql.Identifier, names))
            self._cursor.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(self._checked_early))
        self._thread.start()
        return self

    def send(self, block: str) -> None:
        """Queue a block; raises the sending thread's error (e.g. a constraint violation) once it has one."""
        if self._error is not None:
            raise self._error
        self._blocks.put(block)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # The connection is the sending thread's until it ends: wait for it even when the caller failed.
        self._blocks.put(None)
        self._thread.join()
        if exc is not None:
            return  # the caller's error propagates; its transaction is rolled back
        if self._error is not None:
            raise self._error
        if self._checked_early is not None:
            self._cursor.execute(sql.SQL("SET CONSTRAINTS {} DEFERRED").format(self._checked_early))

    def _send_blocks(self) -> None:
        try:
            while (block := self._blocks.get()) is not None:
                with self._cursor.copy(self._statement) as copy:
                    copy.write(block)
        except BaseException as error:
            self._error = error
            while self._blocks.get() is not None:  # let the caller's send() and exit go on
                pass

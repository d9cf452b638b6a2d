"""rows_insert: one function for a bulk write, COPY on PostgreSQL and bulk_create elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any

from django.db import connection, models

from review.storage.copy_stream import CopyStream
from review.storage.copy_text import CopyRows

DEFAULT_BATCH_SIZE = 2000


def rows_insert(
    *,
    model: type[models.Model],
    rows: Iterable[Mapping[str, Any]],
    shared: Mapping[str, Any],
    progress: Callable[[int], None] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert one row of `model` per mapping of `rows` (field name to value), each with the `shared` values too.

    Every row gives the same fields. `rows` is read lazily, `batch_size` rows at a time, so a stream is never all in
    memory; `progress(stored)` is called after each batch. Returns how many rows were stored. Call inside a
    transaction: on PostgreSQL each batch is one COPY statement whose foreign keys are checked at its end.
    """
    remaining = iter(rows)
    first = next(remaining, None)
    if first is None:
        return 0
    batches = _batches(chain([first], remaining), batch_size)
    if connection.vendor == "postgresql":
        return _copy(model, CopyRows(model, row_fields=list(first), shared=shared), batches, progress)
    stored = 0
    for batch in batches:
        model._default_manager.bulk_create([model(**row, **shared) for row in batch])
        stored += len(batch)
        if progress is not None:
            progress(stored)
    return stored


def _batches(rows: Iterator[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _copy(
    model: type[models.Model],
    copy_rows: CopyRows,
    batches: Iterator[list[Mapping[str, Any]]],
    progress: Callable[[int], None] | None,
) -> int:
    stored = 0
    line = copy_rows.line
    # Errors raised by psycopg (a constraint the server checks) come out as Django's, as from any other query.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        CopyStream(cursor=cursor.cursor, table=model._meta.db_table, columns=copy_rows.columns) as stream,
    ):
        for batch in batches:
            stream.send("".join([line(row) for row in batch]))
            stored += len(batch)
            if progress is not None:
                progress(stored)
    return stored

"""Writing many rows of a model at once, the one place that knows which database it is talking to.

    stored = rows_insert(model=Record, rows=values_per_record, shared={"review": review, ...})

On PostgreSQL the rows go through COPY (copy_text.py builds the lines from the model's fields, copy_stream.py sends
each batch from a thread while the caller prepares the next); elsewhere (SQLite in development and tests) through
the ORM's bulk_create. Either way the caller holds the transaction, so a failure stores nothing.

    column_update(model=StageOutcome, field="queue_key", rows=changed)

stores one column of many existing rows, and rows_upsert inserts rows or updates those already there (updates.py):
one statement over one array per column on PostgreSQL, the ORM's bulk_update or bulk_create elsewhere.
"""

from review.storage.rows import rows_insert
from review.storage.updates import column_update, rows_upsert

__all__ = ["column_update", "rows_insert", "rows_upsert"]

"""Writing many rows of a model at once, the one place that knows which database it is talking to.

    stored = rows_insert(model=Record, rows=values_per_record, shared={"review": review, ...})

On PostgreSQL the rows go through COPY (copy_text.py builds the lines from the model's fields, copy_stream.py sends
each batch from a thread while the caller prepares the next); elsewhere (SQLite in development and tests) through
the ORM's bulk_create. Either way the caller holds the transaction, so a failure stores nothing.
"""

from review.storage.rows import rows_insert

__all__ = ["rows_insert"]

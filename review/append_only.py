"""Tables that are a history (the audit trail, vote events): rows are added, never changed or removed.

The manager refuses bulk updates and deletes, the model refuses saving an existing row or deleting one, and on
PostgreSQL a trigger refuses UPDATE and DELETE from any client (migrations add it). The one change allowed is the
database's own ON DELETE SET NULL of an account that is deleted, so deleting a user keeps the history.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a history row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted")


def trigger_sql(table: str, nullable_user_column: str) -> tuple[str, str]:
    """SQL that adds and removes the PostgreSQL trigger refusing UPDATE and DELETE on `table`, except setting
    `nullable_user_column` to NULL with every other column unchanged (the user's ON DELETE SET NULL)."""
    function = f"{table}_append_only"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.{nullable_user_column} IS NULL
       AND (to_jsonb(NEW) - '{nullable_user_column}') = (to_jsonb(OLD) - '{nullable_user_column}') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    backward = f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, backward

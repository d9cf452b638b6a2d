"""Writing many rows that may already exist: one column of each (column_update), or insert-or-update (rows_upsert).

On PostgreSQL a call is one statement over one array per column (`unnest`), many times faster than the ORM's CASE
per row (bulk_update) or VALUES per row (bulk_create with update_conflicts) on thousands of rows; elsewhere the
ORM does the same work. The caller chooses the transaction and the size of each call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def _array_of(field: models.Field[Any, Any]) -> str:
    """`%s::<column type>[]`: a parameter sent as an array of the field's own column type."""
    db_type = field.db_type(connection)  # a foreign key's is its target's
    if db_type is None:
        raise ValueError(f"{field} has no column type to send an array of")
    return f"%s::{db_type}[]"


def _values(rows: Sequence[models.Model], field: models.Field[Any, Any]) -> list[Any]:
    return [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows]


def column_update(*, model: type[models.Model], field: str, rows: Sequence[models.Model]) -> int:
    """Store `field` of each of `rows` (existing rows, each with its own new value); returns how many were sent."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, [field])
        return len(rows)
    meta = model._meta
    column, key = meta.get_field(field), meta.pk
    assert isinstance(column, models.Field) and key is not None
    quote = connection.ops.quote_name
    # Only quoted names from the model's own metadata are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} AS o SET {quote(column.column)} = t.v "  # noqa: S608
        f"FROM unnest({_array_of(key)}, {_array_of(column)}) AS t(k, v) WHERE o.{quote(key.column)} = t.k"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[row.pk for row in rows], _values(rows, column)])
    return len(rows)


def rows_upsert(
    *,
    model: type[models.Model],
    shared: Mapping[str, Any],
    per_row: Mapping[str, Sequence[Any]],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Insert one row per position of the `per_row` lists (all of one length), each with the `shared` values; where a
    row with the same `unique_fields` exists, update its `update_fields` instead. Returns how many rows were sent.

    Fields are named by name or attname ('record_id' for a list of keys); no model instance is built on PostgreSQL.
    """
    lengths = {len(values) for values in per_row.values()}
    if len(lengths) > 1:
        raise ValueError(f"per_row lists of different lengths: {sorted(lengths)}")
    count = lengths.pop() if lengths else 0
    if not count:
        return 0
    if connection.vendor != "postgresql":
        keys = list(per_row)
        instances = [
            model(**shared, **dict(zip(keys, values, strict=True))) for values in zip(*per_row.values(), strict=True)
        ]
        model._default_manager.bulk_create(
            instances, update_conflicts=True, unique_fields=list(unique_fields), update_fields=list(update_fields)
        )
        return count
    by_name = _fields_by_name(model)
    quote = connection.ops.quote_name
    row_fields = [by_name[name] for name in per_row]
    shared_fields = [by_name[name] for name in shared]
    columns = ", ".join(quote(field.column) for field in (*shared_fields, *row_fields))
    selected = ", ".join(["%s"] * len(shared_fields) + [f"t.c{n}" for n in range(len(row_fields))])
    arrays = ", ".join(_array_of(field) for field in row_fields)
    aliases = ", ".join(f"c{n}" for n in range(len(row_fields)))
    conflict = ", ".join(quote(by_name[name].column) for name in unique_fields)
    updates = ", ".join(
        f"{quote(by_name[name].column)} = EXCLUDED.{quote(by_name[name].column)}" for name in update_fields
    )
    # Only quoted names from the model's own metadata are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT {selected} "  # noqa: S608
        f"FROM unnest({arrays}) AS t({aliases}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    params = [_prepared(field, value) for field, value in zip(shared_fields, shared.values(), strict=True)]
    params += [_column_values(name, field, per_row[name]) for name, field in zip(per_row, row_fields, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return count


def _fields_by_name(model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
    by_name: dict[str, models.Field[Any, Any]] = {}
    for field in model._meta.concrete_fields:
        by_name[field.name] = by_name[field.attname] = field
    return by_name


def _prepared(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(value, models.Model):
        value = value.pk
    return field.get_db_prep_save(value, connection)


def _column_values(name: str, field: models.Field[Any, Any], values: Sequence[Any]) -> list[Any]:
    """A column's list as sent: numbers (and keys given as numbers) as they are, the rest prepared by the field."""
    target = field.target_field if field.is_relation and name == field.attname else field  # type: ignore[attr-defined]
    if isinstance(target, models.FloatField | models.IntegerField):
        return list(values)
    return [_prepared(field, value) for value in values]

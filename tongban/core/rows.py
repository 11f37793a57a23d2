"""Set-based writes that the ORM makes slow: many rows, each changed differently."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

VALUES_BATCH = 2000  # rows per UPDATE … FROM (VALUES …) on PostgreSQL


def rows_update(model: type[models.Model], names: Sequence[str], objects: Iterable[models.Model]) -> None:
    """Write the named fields of each object, by primary key. On PostgreSQL one
    UPDATE … FROM (VALUES …) per 2,000 rows (a single statement: one plan, one pass over the
    indexes' pages); elsewhere one UPDATE per row sent as one batch (executemany, a C loop in
    sqlite3). bulk_update's CASE expressions cost more to build than to run here."""
    fields = [_column(model, name) for name in names]
    pk = model._meta.pk
    rows = [
        [getattr(obj, pk.attname), *(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields)]
        for obj in objects
    ]
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{quote(_name(f))} = %s" for f in fields)
            sql = f"UPDATE {table} SET {assignments} WHERE {quote(_name(pk))} = %s"
            cursor.executemany(sql, [[*row[1:], row[0]] for row in rows])
            return
        columns = [pk, *fields]
        names_sql = ", ".join(f"c{index}" for index in range(len(columns)))
        # Each value is cast to its column's type: parameters in VALUES would otherwise be text.
        casts = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
        assignments = ", ".join(f"{quote(_name(f))} = v.c{index}" for index, f in enumerate(fields, start=1))
        for start in range(0, len(rows), VALUES_BATCH):
            batch = rows[start : start + VALUES_BATCH]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([casts] * len(batch))}) AS v({names_sql}) "
                f"WHERE {table}.{quote(_name(pk))} = v.c0",
                [value for row in batch for value in row],
            )


def _column(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model._meta.label}.{name} is not a column")
    return field


def _name(field: models.Field[Any, Any]) -> str:
    """The column's name (a concrete field always has one)."""
    if field.column is None:
        raise ValueError(f"{field} has no column")
    return field.column

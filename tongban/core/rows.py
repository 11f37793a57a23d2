"""Set-based writes that the ORM makes slow: many rows, each changed differently."""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def rows_update(model: type[models.Model], names: Sequence[str], objects: Iterable[models.Model]) -> None:
    """One UPDATE by primary key per object, sent as one batch (executemany: pipelined by psycopg,
    a C loop in sqlite3); bulk_update's CASE expressions cost more to build than to run here."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = model._meta.pk
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s"
    rows = [
        [*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), getattr(obj, pk.attname)]
        for obj in objects
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

"""Bulk writes, optionally with change history. On PostgreSQL rows go in with COPY (ids drawn from
the sequence first, so history rows and related rows can refer to them) and updates go through a
temporary table; elsewhere through Django's bulk methods (and simple-history's helpers)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import JSONField
from psycopg import sql
from psycopg.types.json import Jsonb
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH = 2000


def insert_values(model, fields: list[str], rows: list[list]) -> list[int]:
    """Insert rows given as values of `fields` (attnames, without the pk); returns the new pks in
    order. Skips building model instances, which costs more than the write at this scale."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=BATCH)
        return [obj.pk for obj in objs]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    columns = ["id", *(model._meta.get_field(f).column for f in fields)]
    adapt = _adapter(model, fields)
    _copy(table, columns, ([pk, *adapt(row)] for pk, row in zip(ids, rows, strict=True)))
    return ids


def update_values(model, fields: list[str], rows: list[list]) -> None:
    """Update rows given as [pk, *values of `fields`]."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows]
        model.objects.bulk_update(objs, fields=fields, batch_size=BATCH)
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE TEMP TABLE fhb_bulk_update ON COMMIT DROP AS SELECT id, {} FROM {} WITH NO DATA").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table)
            )
        )
        adapt = _adapter(model, fields)
        _copy("fhb_bulk_update", ["id", *columns], ([row[0], *adapt(row[1:])] for row in rows))
        cursor.execute(
            sql.SQL("UPDATE {} AS t SET {} FROM fhb_bulk_update AS u WHERE t.id = u.id").format(
                sql.Identifier(table),
                sql.SQL(", ").join(sql.SQL("{0} = u.{0}").format(sql.Identifier(c)) for c in columns),
            )
        )
        cursor.execute("DROP TABLE fhb_bulk_update")


def insert_rows(model, objs: list) -> None:
    """Insert unsaved instances of `model` and set their pks."""
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    ids = insert_values(model, fields, [[getattr(obj, f) for f in fields] for obj in objs])
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk


def update_rows(model, objs: list, fields: list[str]) -> None:
    """Save `fields` of these saved instances."""
    attnames = [model._meta.get_field(f).attname for f in fields]
    update_values(model, attnames, [[obj.pk, *(getattr(obj, a) for a in attnames)] for obj in objs])


def insert_with_history(model, objs: list, *, user, reason: str, now: dt.datetime) -> None:
    """Insert `objs` and one '+' history row each; sets their pks."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=BATCH, default_user=user, default_change_reason=reason)
        return
    insert_rows(model, objs)
    _copy_history(model, objs, history_type="+", user=user, reason=reason, now=now)


def update_with_history(model, objs: list, fields: list[str], *, user, reason: str, now: dt.datetime) -> None:
    """Save `fields` of changed instances and one '~' history row each."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            objs, model, fields=fields, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
        return
    update_rows(model, objs, fields)
    _copy_history(model, objs, history_type="~", user=user, reason=reason, now=now)


def _copy_history(model, objs: list, *, history_type: str, user, reason: str, now: dt.datetime) -> None:
    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    columns = [f.column for f in tracked] + ["history_date", "history_change_reason", "history_type", "history_user_id"]
    user_id = user.pk if user is not None else None
    adapt = _adapter(history, [f.attname for f in tracked])
    _copy(
        history._meta.db_table,
        columns,
        ([*adapt([getattr(obj, f.attname) for f in tracked]), now, reason, history_type, user_id] for obj in objs),
    )


def _adapter(model, fields: list[str]):
    """A function adapting a row's values for COPY: JSON fields as jsonb (psycopg would otherwise
    send a list as an array)."""
    json_at = [i for i, name in enumerate(fields) if isinstance(_field(model, name), JSONField)]
    if not json_at:
        return list

    def adapt(row) -> list:
        row = list(row)
        for i in json_at:
            row[i] = Jsonb(row[i])
        return row

    return adapt


def _field(model, name: str):
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    raise LookupError(name)


def _copy(table: str, columns: list[str], rows) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def analyze(*models) -> None:
    """Give PostgreSQL's planner fresh statistics for tables a bulk write has just filled (COPY
    does not, and until autovacuum comes by the planner may expect 66 rows where there are
    117,000). Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))

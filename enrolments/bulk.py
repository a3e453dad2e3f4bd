"""Multi-row INSERTs for the import and the demo.

Django's bulk_create spends most of its time building and compiling one model instance per row;
for tens of thousands of rows these plain parametrised INSERT … VALUES statements (500 rows each),
or on PostgreSQL one COPY, are several times faster and keep a fixed number of statements per batch. Callers pass values
already adapted for the database (connection.ops.adapt_*), and have checked every rule beforehand.
"""

from __future__ import annotations

from django.db import connection

ROWS_PER_STATEMENT = 500


def _sql(model, columns: list[str], count: int, returning: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Names come from the model's meta, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * count)  # noqa: S608
    return sql + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _copy(model, columns, rows)
        return
    with connection.cursor() as cursor:
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[i:i + ROWS_PER_STATEMENT]
            cursor.execute(_sql(model, columns, len(chunk), False), [v for row in chunk for v in row])


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """PostgreSQL's COPY: the rows streamed in one statement, without parsing a parameter list per batch."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def insert_returning_ids(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """Inserts the rows and returns their new primary keys in row order.

    PostgreSQL: the keys are taken from the table's sequence in one statement and the rows, with them,
    go through one COPY; a multi-row INSERT … RETURNING of 500 rows × 16 columns spent most of its time
    in the driver, rewriting 8,000 placeholders per statement. Elsewhere (SQLite ≥ 3.35) multi-row VALUES
    inserts return their rows in order; Django's bulk_create relies on the same.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        ids = reserve_ids(model, len(rows))
        _copy(model, [model._meta.pk.column, *columns], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        return ids
    ids: list[int] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[i:i + ROWS_PER_STATEMENT]
            cursor.execute(_sql(model, columns, len(chunk), True), [v for row in chunk for v in row])
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys of the model's table from its sequence (PostgreSQL), in one statement.
    Taken keys are never handed out again, committed or not, so concurrent writers never collide."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
                       [connection.ops.quote_name(table), pk, count])
        return [r[0] for r in cursor.fetchall()]

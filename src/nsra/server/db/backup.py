"""Backup and restore: an engine-agnostic, consistent copy of the whole database as JSON.

Decisions (read before changing):

* A backup reads every table of :data:`Base.metadata` in ONE read transaction, so it holds one
  consistent state even while others write: on PostgreSQL at isolation REPEATABLE READ (one
  snapshot for all the reads); on SQLite in one explicit ``BEGIN`` ... ``COMMIT`` (the shared
  lock keeps the file unchanged until the reads are done).
* The document (:data:`FORMAT`) holds the Alembic revision and, per table, its rows as column
  values: dates and datetimes as ISO 8601 text, JSON columns as they are.
* A restore goes into an empty database only (the shipped methods that ``upgrade`` registers do
  not count: they are replaced by the backup's rows), after ``upgrade``, and only when the
  revision matches; every row is inserted in one transaction, in foreign-key order, with its
  own ids, so references and the audit chain stay as they were.
* The one engine-specific step: on PostgreSQL the id sequences are set to the largest id
  restored (``setval``), else the next insert would collide. It is behind a dialect check.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Date, DateTime, Engine, delete, func, select, text

from nsra.io.jsondoc import Json
from nsra.io.problems import InputError, Problem
from nsra.server.db.audit import AuditHeadRow
from nsra.server.db.engine import upgrade
from nsra.server.db.models import Base, MethodRow

FORMAT = "nsra-backup/1"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _read_all(conn: Connection) -> Json:
    revision = MigrationContext.configure(conn).get_current_revision()
    tables: dict[str, list[Json]] = {}
    for table in Base.metadata.sorted_tables:
        rows = conn.execute(table.select().order_by(*table.primary_key)).mappings()
        tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    return {"format": FORMAT, "revision": revision, "tables": tables}


@contextmanager
def _transaction(engine: Engine, sqlite_begin: str) -> Iterator[Connection]:
    """One transaction from the first statement on. PostgreSQL: REPEATABLE READ. SQLite: the
    driver opens a transaction only before a write, so reads would each stand alone; the
    transaction is begun here explicitly (``BEGIN`` or ``BEGIN IMMEDIATE``)."""
    if engine.dialect.name != "sqlite":
        with (
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
            conn.begin(),
        ):
            yield conn
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(sqlite_begin)
        try:
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")


def backup_data(engine: Engine) -> Json:
    """Every row of every table, read in one transaction (one consistent state)."""
    with _transaction(engine, "BEGIN") as conn:
        return _read_all(conn)


def backup_text(engine: Engine) -> str:
    return json.dumps(backup_data(engine), ensure_ascii=False, indent=1) + "\n"


def _decode(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    return value


def _check_document(doc: Any, source: str) -> dict[str, list[Json]]:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError([Problem(f"{source} is not an nsra backup (format {FORMAT})")])
    tables = doc.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(v, list) for v in tables.values()):
        raise InputError([Problem(f"{source}: the backup has no table rows")])
    unknown = sorted(set(tables) - set(Base.metadata.tables))
    if unknown:
        raise InputError([Problem(f"{source}: unknown tables {', '.join(unknown)}")])
    return tables


def _is_empty(conn: Connection) -> bool:
    """No rows, except what ``upgrade`` makes by itself: the shipped methods and the head of
    the (empty) audit trail."""
    for table in Base.metadata.sorted_tables:
        query = select(func.count()).select_from(table)
        if table.name == MethodRow.__tablename__:
            query = query.where(table.c.shipped.is_(False))
        if table.name == AuditHeadRow.__tablename__:
            query = query.where(table.c.seq != 0)
        if conn.execute(query).scalar_one():
            return False
    return True


def restore_data(engine: Engine, doc: Any, source: str = "the backup") -> int:
    """Bring the database up to date and load a backup into it, whole or not at all; the number
    of rows restored. Refuses a database with content and a backup of another revision."""
    tables = _check_document(doc, source)
    upgrade(engine)
    with _transaction(engine, "BEGIN IMMEDIATE") as conn:  # no writer between check and load
        current = MigrationContext.configure(conn).get_current_revision()
        if doc.get("revision") != current:
            raise InputError(
                [
                    Problem(
                        f"{source} has schema revision {doc.get('revision')}, the database "
                        f"{current}: restore it with the nsra version that made it"
                    )
                ]
            )
        if not _is_empty(conn):
            raise InputError(
                [Problem("the database is not empty: restore only into a new database")]
            )
        conn.execute(delete(MethodRow))  # the shipped methods: the backup has them
        conn.execute(delete(AuditHeadRow))  # and the head of its audit trail
        total = 0
        for table in Base.metadata.sorted_tables:
            rows = tables.get(table.name, [])
            if not rows:
                continue
            values = [
                {c.name: _decode(c.type, row.get(c.name)) for c in table.columns} for row in rows
            ]
            conn.execute(table.insert(), values)
            total += len(values)
        reset_sequences(conn)
    return total


def reset_sequences(conn: Connection) -> None:
    """After rows were inserted with their own ids: on PostgreSQL set each table's id sequence
    to the largest id, else the next insert would collide (the only engine-specific step; on
    SQLite the next id follows from the rows themselves)."""
    if conn.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{table.name}"'
            )
        )


def restore_text(engine: Engine, data: str, source: str) -> int:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InputError([Problem(f"{source} is not JSON: {exc}")]) from None
    return restore_data(engine, doc, source)

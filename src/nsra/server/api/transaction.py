"""The database as the endpoints use it: one session per request for reads, and every write as
one transaction, run again after a collision with a concurrent write.

Decisions (read before changing):

* Reads use one session per request (:data:`SessionDep`). Every write runs in its own
  transaction through :func:`write` (:func:`write_session`): all of it is committed or none.
* A write that collides with a concurrent one at the database (a versioned UPDATE of a row
  changed meanwhile, a unique number taken meanwhile, SQLite's "database is locked") is run
  again from the start, up to :data:`ATTEMPTS` times: it then re-reads what it checks, so a real
  conflict becomes a 409 with the current value, and a harmless collision (two analysts writing
  different estimates at the same moment) simply succeeds.
* This module knows nothing of who is asking: signing in (:mod:`nsra.server.api.auth`) and the
  endpoints' shared parameters (:mod:`nsra.server.api.deps`) both build on it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool

from nsra.server.api.errors import ApiError
from nsra.server.db.workflow import WorkflowError

log = logging.getLogger("nsra.server")
ATTEMPTS = 8
T = TypeVar("T")


def engine_of(request: Request) -> Engine:
    """The database of the application serving the request."""
    engine: Engine = request.app.state.engine
    return engine


async def _session(request: Request) -> AsyncIterator[Session]:
    """A session for the request's reads; a write opens its own session, one transaction.

    ``async``: making a session does no I/O (it connects at its first query, in the thread of
    a synchronous dependency or endpoint), and a synchronous dependency costs a turn of the
    thread pool; closing it returns the connection to the pool (a rollback), in a thread.
    """
    s = Session(engine_of(request), expire_on_commit=False)
    try:
        yield s
    finally:
        await run_in_threadpool(s.close)


SessionDep = Annotated[Session, Depends(_session)]


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, StaleDataError | IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one write transaction, committed at the end unless an exception leaves.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE``: it takes the database's write
    lock before its first read (waiting for another writer, up to the driver's timeout), so
    two writers never both read and then both ask for the lock, which SQLite can only resolve
    by failing one ("database is locked"). Writes on SQLite are one at a time anyway; this way
    they queue instead of failing and being retried. PostgreSQL locks rows, not the database:
    a normal transaction there.
    """
    if engine.dialect.name != "sqlite":
        with Session(engine, expire_on_commit=False) as s, s.begin():
            yield s
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            with Session(bind=conn, expire_on_commit=False) as s:
                yield s
                s.flush()
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")


def write(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction, again from the start after a collision (see above).

    :class:`~nsra.server.db.workflow.WorkflowError` becomes an :class:`ApiError`. After the last
    attempt a collision is a 409 asking to retry; an integrity error that is no collision (a
    duplicate the checks let through) is a 409 too, never a 500.
    """
    for attempt in range(ATTEMPTS):
        try:
            with write_session(engine) as s:
                return work(s)
        except WorkflowError as exc:
            raise ApiError(exc.status, exc.message, exc.field) from None
        except (StaleDataError, IntegrityError, OperationalError) as exc:
            if not _retryable(exc) or attempt == ATTEMPTS - 1:
                if isinstance(exc, OperationalError) and not _retryable(exc):
                    raise
                log.warning("write gave up after %d attempts: %s", attempt + 1, exc)
                raise ApiError(
                    409,
                    "another change was written at the same time: read again and retry",
                    None,
                ) from None
            time.sleep(0.005 * (2**attempt))
    raise AssertionError("unreachable")

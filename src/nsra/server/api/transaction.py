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
import os
import sqlite3
import threading
import time
import weakref
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

try:
    import fcntl
except ImportError:  # not POSIX: the threads of a process take turns, processes wait in SQLite
    fcntl = None  # type: ignore[assignment]

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
    with _writer_line(engine).turn(), engine.connect() as plain:
        conn = plain.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            with Session(bind=conn, expire_on_commit=False) as s:
                yield s
                s.flush()
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")


class _WriterLine:
    """SQLite: writers of the database take turns before asking SQLite for its write lock.

    SQLite makes a writer that finds the database locked sleep and try again (1, 2, 5, 10 ... up
    to 100 ms), so with many writers waiting the lock was often free while every waiter slept:
    under 50 writing users on 2 workers a write waited up to 4 s (p99) and the database stood
    idle between writes. Here the threads of a process queue on a lock, and the processes
    (uvicorn's workers, one thread each at a time) on an exclusive ``flock`` of the file
    ``<database>-writers`` beside the database; both wake the next writer the moment the write
    before it ends. SQLite's own waiting remains for writers that do not take the line (the
    ``nsra`` commands, other programs). Where ``flock`` is not available (not POSIX) or the
    database is not a file, only the threads take turns.

    * A thread that waited :data:`LINE_WAIT` seconds (SQLite's own busy timeout) for the
      threads before it gets "database is locked", as it would have from SQLite: :func:`write`
      tries again, then answers 409 (and a write made from inside another, as a test does,
      cannot wait forever).
    * The wait for another process has no time limit: ``flock`` cannot be given one without
      polling, which measured a third slower (the releasing process took the line again before
      the other woke). A process holds it only while one transaction runs, and the kernel
      releases it when a process dies.
    """

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = threading.local()
        self._path = f"{database}-writers" if database and fcntl is not None else None
        self._fd: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._threads.acquire(timeout=LINE_WAIT):
            raise _locked()
        try:
            depth = getattr(self._depth, "n", 0)
            locked = depth == 0 and self._lock_file()
            self._depth.n = depth + 1
            try:
                yield
            finally:
                self._depth.n = depth
                if locked and self._fd is not None and fcntl is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _lock_file(self) -> bool:
        if self._path is None or fcntl is None:
            return False
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                weakref.finalize(self, os.close, self._fd)  # closed with the engine's line
            fcntl.flock(self._fd, fcntl.LOCK_EX)  # waits in the kernel, without the GIL
            return True
        except OSError as exc:  # a read-only folder: SQLite's own waiting only
            log.warning("no writers' line for %s: %s", self._path, exc)
            self._path = None
            return False


LINE_WAIT = 5.0
"""Seconds a writer waits in the line: the SQLite driver's own busy timeout."""


def _locked() -> OperationalError:
    return OperationalError("the writers' line", {}, sqlite3.OperationalError("database is locked"))


_LINES: weakref.WeakKeyDictionary[Engine, _WriterLine] = weakref.WeakKeyDictionary()
_LINES_LOCK = threading.Lock()


def _writer_line(engine: Engine) -> _WriterLine:
    """The writers' line of the engine's database (one per engine and process)."""
    with _LINES_LOCK:
        line = _LINES.get(engine)
        if line is None:
            database = engine.url.database
            in_memory = not database or database == ":memory:" or "mode=memory" in str(engine.url)
            line = _LINES[engine] = _WriterLine(None if in_memory else database)
        return line


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

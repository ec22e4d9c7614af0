"""``GET /api/assessments/{id}/results`` served from the results cache in one query, when it
can be (issue 12: reads at the speed of serving the cached bytes).

A read of the results through the framework costs about three times serving the same bytes
from a bare application: routing, three dependencies, turns of the thread pool, and five ORM
queries (token, assessment, membership, open round, revision) for an answer that is usually
already encoded in :class:`~nsra.server.api.views.ResultsCache`. This ASGI middleware answers
such a read itself: one SQL statement, run from the event loop, tells who asks, their role,
the classification, the assessment's revision and whether a round is open; if the cache holds
the body at that revision, it is sent as the endpoint would send it.

Decisions (read before changing):

* Only the plain case is taken: ``GET``, that exact path, no query string, an ``Authorization:
  Bearer`` token (a browser with a session cookie goes the usual way), a member or an
  administrator, nothing hidden (not an analyst during an open round), and the body cached at
  the current revision. Anything else, and any database error, goes on to the endpoint
  unchanged, which answers as always (401, 404, a first computation, the hidden view).
* The rules are the endpoint's, not copies: a valid token is
  :func:`nsra.server.db.access.token_is_valid`, the role in the assessment
  :func:`nsra.server.api.access.role_in`, the revision
  :func:`nsra.server.db.audit.newest_of`, the cache key
  :meth:`~nsra.server.api.views.ResultsCache.full_body_key` and the classification header
  :func:`nsra.server.api.deps.classification_value`.
* It sits inside the admission line (:mod:`nsra.server.api.admission`) and inside the
  security headers, so its answers carry the same headers as the endpoint's.
* The statement runs on a connection of the lane's own (:class:`Reader`), from the event
  loop, not in the thread pool: measured under load (50 users, 583 KB body), a turn of the
  thread pool cost far more than the 0.03 ms query, since the event loop and the threads
  contend for the interpreter lock (reads went from 0.33x to 0.9x the bare application on
  SQLite).

  - SQLite: a plain connection with no busy wait, queried in the loop itself (a query that
    would wait for a writer fails at once and the endpoint answers instead), so the loop is
    never held for more than the query.
  - PostgreSQL: an asynchronous psycopg connection in autocommit (each query sees what is
    committed when it runs). A round trip costs about 0.13 ms of CPU (half in the server), so
    the readers that arrive while a query runs are answered together by the next one, one
    query per assessment (``digest = ANY(...)``); each reader still gets the state committed
    after its request arrived. A statement timeout bounds a query.
  - Both are opened with the engine's own connection arguments; an engine whose connections
    cannot be opened twice (SQLite in memory) uses its pool in a thread instead. A connection
    that fails is closed and opened again at the next read; the readers waiting on it go to
    the endpoint.
* ``served`` counts the answers given here (the tests check which way a read went).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Engine,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    exists,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from nsra.server.api.access import role_in
from nsra.server.api.deps import CLASSIFICATION_HEADER, classification_value
from nsra.server.api.views import ResultsCache
from nsra.server.db.access import ApiTokenRow, MembershipRow, UserRow, token_digest, token_is_valid
from nsra.server.db.audit import newest_of
from nsra.server.db.models import AssessmentRow
from nsra.server.db.workflow import RoundRow

log = logging.getLogger("nsra.server")
PATH: Final = re.compile(r"^/api/assessments/([1-9][0-9]{0,9})/results$")
DB_INT_MAX: Final = 2**31 - 1
STATEMENT_TIMEOUT_MS: Final = 2000
"""PostgreSQL: the longest the lane's query may run (then its readers go to the endpoint)."""

_AID: BindParameter[int] = bindparam("aid", type_=Integer)


def _who(digest: ColumnElement[Any] | BindParameter[str]) -> Select[Any]:
    """Who asks (by token digest), their role in the assessment, its classification, its
    revision and whether a round is open: one statement (the digest first)."""
    return (
        select(
            ApiTokenRow.digest,
            UserRow.role,
            MembershipRow.role,
            AssessmentRow.classification,
            newest_of(_AID).scalar_subquery(),
            exists().where(RoundRow.assessment_id == _AID, RoundRow.status == "open"),
        )
        .select_from(ApiTokenRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .join(AssessmentRow, AssessmentRow.id == _AID)
        .outerjoin(
            MembershipRow,
            and_(MembershipRow.user_id == UserRow.id, MembershipRow.assessment_id == _AID),
        )
        .where(token_is_valid(digest))
    )


_WHO: Final = _who(bindparam("digest", type_=String))
"""One reader's row."""
_WHO_MANY: Final = _who(any_(bindparam("digests", type_=ARRAY(String))))
"""The rows of several readers of one assessment at once (PostgreSQL: ``digest = ANY(...)``)."""


def _bearer(scope: Scope) -> str | None:
    header = Headers(scope=scope).get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


Row = Sequence[Any]


class Reader:
    """The lane's own connection to the database, used from the event loop (see the module).

    :meth:`who` gives the row of :func:`_who` for a reader (without the digest), ``None`` when
    there is none, or raises :class:`LookupFailed` (the caller lets the endpoint answer).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        name = engine.dialect.name
        own = isinstance(engine.pool, QueuePool)  # a file or a server: a second connection
        self.kind = name if own and name in ("sqlite", "postgresql") else "pool"
        self._one = _WHO.compile(dialect=engine.dialect)
        self._many = _WHO_MANY.compile(dialect=engine.dialect) if name == "postgresql" else None
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None  # a psycopg connection
        self._waiting: dict[int, dict[str, list[asyncio.Future[Row | None]]]] = {}
        self._flushes: set[asyncio.Task[None]] = set()
        self.batches = 0  # PostgreSQL queries run (the tests check that reads are batched)

    async def who(self, digest: str, assessment_id: int) -> Row | None:
        if self.kind == "postgresql":
            return await self._pg_row(digest, assessment_id)
        try:
            if self.kind == "sqlite":
                return self._sqlite_row(digest, assessment_id)
            return await run_in_threadpool(self._pool_row, digest, assessment_id)
        except (sqlite3.Error, SQLAlchemyError, OSError) as exc:
            await self.close()
            raise LookupFailed from exc

    def _sqlite_row(self, digest: str, assessment_id: int) -> Row | None:
        if self._sqlite is None:
            args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
            # no busy wait: never hold the event loop behind a writer (the endpoint waits)
            kwargs = {**kwargs, "timeout": 0, "isolation_level": None}
            self._sqlite = sqlite3.connect(*args, **kwargs)  # type: ignore[call-overload]
        params = self._one.construct_params({"digest": digest, "aid": assessment_id})
        order = self._one.positiontup or ()
        # every row read: the statement ends here, holding no read snapshot (WAL checkpoints)
        rows = self._sqlite.execute(self._one.string, [params[k] for k in order]).fetchall()
        return rows[0][1:] if rows else None

    def _pool_row(self, digest: str, assessment_id: int) -> Row | None:
        with self.engine.connect() as conn:
            row = conn.execute(_WHO, {"digest": digest, "aid": assessment_id}).one_or_none()
        return None if row is None else row[1:]

    async def _pg_row(self, digest: str, assessment_id: int) -> Row | None:
        """Join the next batch: the readers that arrive before a query starts are answered
        together by it, one query per assessment (the others wait for the next)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Row | None] = loop.create_future()
        if not self._waiting:
            flush = loop.create_task(self._pg_flush())
            self._flushes.add(flush)  # a reference, so the task is not collected mid-way
            flush.add_done_callback(self._flushes.discard)
        self._waiting.setdefault(assessment_id, {}).setdefault(digest, []).append(future)
        return await future

    async def _pg_flush(self) -> None:
        try:
            if self._pg is None:
                self._pg = await self._pg_connect()
        except Exception as exc:  # any failure: the endpoint answers
            self._fail(self._take(), exc)
            return
        waiting = self._take()
        try:
            await self._answer(waiting)
        finally:  # whatever happened, no reader is left waiting
            self._fail(waiting, LookupFailed("not answered"))

    async def _answer(
        self, waiting: dict[int, dict[str, list[asyncio.Future[Row | None]]]]
    ) -> None:
        for assessment_id, by_digest in waiting.items():
            params = self._many.construct_params(  # type: ignore[union-attr]
                {"digests": list(by_digest), "aid": assessment_id}
            )
            try:
                sql = self._many.string  # type: ignore[union-attr]
                cursor = await self._pg.execute(sql, params, prepare=True)
                found = {row[0]: row[1:] for row in await cursor.fetchall()}
            except Exception as exc:  # psycopg's errors, a lost connection
                await self.close()
                self._fail({assessment_id: by_digest}, exc)
                continue
            self.batches += 1
            for digest, futures in by_digest.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(digest))

    def _take(self) -> dict[int, dict[str, list[asyncio.Future[Row | None]]]]:
        waiting, self._waiting = self._waiting, {}
        return waiting

    @staticmethod
    def _fail(
        waiting: dict[int, dict[str, list[asyncio.Future[Row | None]]]], exc: Exception
    ) -> None:
        for by_digest in waiting.values():
            for futures in by_digest.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(LookupFailed(str(exc)))

    async def _pg_connect(self) -> Any:
        import psycopg

        _args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        kwargs.pop("context", None)  # SQLAlchemy's adapters; plain values here
        options = f"{kwargs.pop('options', '')} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
        return await psycopg.AsyncConnection.connect(
            **kwargs, autocommit=True, options=options.strip()
        )

    async def close(self) -> None:
        """Close the lane's connection (it is opened again at the next read)."""
        lite, self._sqlite = self._sqlite, None
        if lite is not None:
            lite.close()
        pg, self._pg = self._pg, None
        if pg is not None:
            try:
                await pg.close()
            except Exception:  # broken, or opened in an event loop that has ended: let it go
                log.debug("closing the results lane's connection failed", exc_info=True)


class LookupFailed(Exception):
    """The lane's query failed (the endpoint answers instead)."""


class FastResults:
    """ASGI middleware: a cached results body answered in one query (see the module)."""

    def __init__(self, app: ASGIApp, reader: Reader, cache: ResultsCache) -> None:
        self.app = app
        self.reader = reader
        self.cache = cache
        self.served = 0

    async def _lookup(self, token: str, assessment_id: int) -> tuple[bytes, str] | None:
        """The cached body and its classification, when the plain case holds."""
        try:
            row = await self.reader.who(token_digest(token), assessment_id)
        except LookupFailed:
            return None  # the endpoint will say what is wrong
        if row is None:
            return None  # no such token or assessment: the endpoint answers 401 or 404
        global_role, member_role, classification, revision, round_open = row
        role = role_in(global_role, member_role)
        if role is None or (role == "analyst" and round_open):
            return None  # not a member (404), or a view that may hide estimates
        body = self.cache.cached_body(ResultsCache.full_body_key(assessment_id), revision or 0)
        return None if body is None else (body, classification)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer: Any = None
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            match = PATH.match(scope["path"])
            token = _bearer(scope) if match else None
            if match and token and int(match[1]) <= DB_INT_MAX:
                answer = await self._lookup(token, int(match[1]))
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, classification = answer
        self.served += 1
        response = Response(body, media_type="application/json")
        response.headers[CLASSIFICATION_HEADER] = classification_value(classification)
        await response(scope, receive, send)

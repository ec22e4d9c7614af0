"""The REST API: the application assembled from its parts.

``create_app(engine)`` builds the application on a database that is already up to date
(:func:`nsra.server.db.upgrade`): the refusal of NUL characters, the JSON errors, the routers
and the OpenAPI document (at ``/api/openapi.json``, its pages at ``/api/docs``). The routes
are in the module named after what they serve: :mod:`~nsra.server.api.methods`,
:mod:`~nsra.server.api.assessments`, :mod:`~nsra.server.api.results` (results and report),
:mod:`~nsra.server.api.members`, :mod:`~nsra.server.api.estimates`,
:mod:`~nsra.server.api.audit`, :mod:`~nsra.server.api.auth` (signing in),
:mod:`~nsra.server.api.content` (scenarios, strategies, measures, developments, capabilities,
cascades, consensus),
:mod:`~nsra.server.api.workflow` (organisations, analysts, assignments, Delphi rounds) and
:mod:`~nsra.server.api.versions` (published versions).

Authentication is by API token (``Authorization: Bearer TOKEN``, made with ``nsra users token``)
or by a browser session; every response carrying assessment content has its ``classification``
label in the body and in the ``X-Classification`` header. One session per request; every write
is one transaction.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from nsra.io.jsondoc import Json
from nsra.server import settings, web
from nsra.server.api import (
    assessments,
    audit,
    auth,
    content,
    errors,
    estimates,
    excel,
    jobs,
    members,
    methods,
    results,
    versions,
    workflow,
)
from nsra.server.api.admission import Admission, admitted
from nsra.server.api.fast_results import FastResults, Reader
from nsra.server.api.hosts import HostCheck
from nsra.server.api.limits import BodyLimit
from nsra.server.api.nul import RefuseNul
from nsra.server.api.views import ResultsCache
from nsra.version import __version__

__all__ = ["create_app"]

# in this order: the paths of the OpenAPI document are listed as the routers are included
ROUTERS = (
    methods.router,
    assessments.router,
    excel.router,
    results.router,
    members.router,
    estimates.router,
    audit.router,
    auth.router,
    content.router,
    workflow.router,
    versions.router,
    jobs.router,
)


THREADS_ENV = "NSRA_THREADS"
"""How many requests one worker process handles at once (``nsra serve --threads``); the rest
wait their turn. On a small machine a few threads answer each request sooner than forty
(anyio's default) that all share one interpreter lock."""


_FROZEN: list[bool] = []


def _freeze_the_start() -> None:
    """Leave what exists at a worker's start out of the cycle collector's collections, once per
    process. It lives as long as the process (modules, classes, routes, the ORM's mappers: about
    220,000 objects), and a full collection went through all of it: 125 to 180 ms during which
    the worker answered nothing (the slowest requests under load, issue 12). The garbage of the
    start is collected first. Once: a process that makes many applications (the tests) would
    otherwise freeze the earlier ones for good."""
    if not _FROZEN:
        _FROZEN.append(True)
        gc.collect()
        gc.freeze()


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    threads = os.environ.get(THREADS_ENV, "")
    if threads.isdigit() and int(threads) > 0:
        anyio.to_thread.current_default_thread_limiter().total_tokens = int(threads)
    _freeze_the_start()
    yield
    pool = getattr(_app.state, "jobs", None)
    if pool is not None:
        pool.shutdown()
    await _app.state.fast_reader.close()


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="nsra",
        summary="Integrated national security risk assessment",
        docs_url=None,  # served from the vendored Swagger UI (nsra.server.web.docs)
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
    app.state.results_cache = ResultsCache()
    app.state.fast_reader = Reader(engine)
    app.add_middleware(FastResults, reader=app.state.fast_reader, cache=app.state.results_cache)
    app.add_middleware(Admission, limit=admitted(pool_capacity(engine)))
    app.add_middleware(RefuseNul)
    app.add_middleware(BodyLimit, api=app)  # outside: nothing is read past the limit
    app.add_middleware(HostCheck, hosts=settings.allowed_hosts())  # before anything else
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    web.install(app)
    _document(app)
    return app


def pool_capacity(engine: Engine) -> int:
    """The most connections the engine's pool gives out at once (a large number when it sets
    no bound: SQLite in memory shares one connection, an unbounded overflow has none)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return 1 << 16
    overflow: int = getattr(pool, "_max_overflow", 0)
    return 1 << 16 if overflow < 0 else pool.size() + overflow


ERROR_SCHEMA: Json = {
    "type": "object",
    "required": ["error", "field"],
    "properties": {
        "error": {"type": "string", "description": "What is wrong, in plain words."},
        "field": {"type": ["string", "null"], "description": "The offending field, if any."},
    },
}
ERRORS = {
    "401": "Not signed in: no valid token or session.",
    "403": "Signed in, but your role does not allow this (or the CSRF token is missing).",
    "404": "No such item, or an assessment you are not a member of.",
    "409": "Conflict: changed since you read it (the current value is in the answer).",
    "422": "The request or the item is not valid; see error and field.",
    "429": "Too many of your jobs unfinished: wait for one (see Retry-After).",
    "503": "The server is busy (its job queue is full, or too many requests): see Retry-After.",
}


def _document(app: FastAPI) -> None:
    """The OpenAPI document with what the API really answers: the sign-in schemes (bearer
    token, session cookie) and the JSON errors every operation may give."""

    def openapi() -> Json:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=__version__, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        components["securitySchemes"] = {
            "token": {"type": "http", "scheme": "bearer", "description": "nsra users token"},
            "session": {"type": "apiKey", "in": "cookie", "name": "nsra_session"},
        }
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path != "/api/session":
                    operation["security"] = [{"token": []}, {"session": []}]
                for code, text in ERRORS.items():
                    operation.setdefault("responses", {})[code] = {
                        "description": text,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""What the endpoints share: the signed-in user, the assessment id and numbers in paths, the
results cache, the classification header, and a write answered with it.

The database session and writes as one retried transaction are in
:mod:`nsra.server.api.transaction`; who is signed in is decided by :mod:`nsra.server.api.auth`
(bearer token or session cookie, with the CSRF check). Both build on the transaction module and
neither imports this one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Path, Request, Response
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.server.api.auth import request_user
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.views import ResultsCache
from nsra.server.db.access import UserRow

CLASSIFICATION_HEADER = "X-Classification"
DB_INT_MAX = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL (and SQLite)
AssessmentId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The assessment's id.")]
Number = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="Its number, from 1.")]


def _current_user(request: Request, s: SessionDep) -> UserRow:
    return request_user(s, request)


UserDep = Annotated[UserRow, Depends(_current_user)]


async def results_cache(request: Request) -> ResultsCache:
    """The results cache of the application serving the request (one per worker process);
    ``async`` because it does no I/O: a synchronous dependency costs a turn of the thread
    pool."""
    cache: ResultsCache = request.app.state.results_cache
    return cache


CacheDep = Annotated[ResultsCache, Depends(results_cache)]


def classified(response: Response, *labels: str) -> None:
    """The ``X-Classification`` header: the labels, percent-encoded (UTF-8) when not ASCII,
    since HTTP header values are ASCII; the body always carries the label as written."""
    response.headers[CLASSIFICATION_HEADER] = classification_value(*labels)


def classification_value(*labels: str) -> str:
    """The value of the ``X-Classification`` header for these labels (see :func:`classified`)."""
    value = ", ".join(sorted(set(labels)))
    return value if value.isascii() else quote(value, safe=" /()-,.:;'")


def write_answer(request: Request, response: Response, work: Callable[[Session], Json]) -> Json:
    """:func:`~nsra.server.api.transaction.write` for an endpoint: the answer of ``work``
    (which carries the assessment's ``classification``), with the ``X-Classification`` header
    set."""
    result = write(engine_of(request), work)
    classified(response, result["classification"])
    return result

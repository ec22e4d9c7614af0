"""``GET /api/assessments/{id}/results`` served from the results cache in one query, when it
can be (issue 12: reads at the speed of serving the cached bytes).

A read of the results through the framework costs about three times serving the same bytes
from a bare application: routing, three dependencies, turns of the thread pool, and five ORM
queries (token, assessment, membership, open round, revision) for an answer that is usually
already encoded in :class:`~nsra.server.api.views.ResultsCache`. This ASGI middleware answers
such a read itself: one SQL statement, in one turn of the thread pool, tells who asks, their
role, the classification, the assessment's revision and whether a round is open; if the cache
holds the body at that revision, it is sent as the endpoint would send it.

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
* It sits inside the admission line (:mod:`nsra.server.api.admission`: it uses a connection)
  and inside the security headers, so its answers carry the same headers as the endpoint's.
* ``served`` counts the answers given here (the tests check which way a read went).
"""

from __future__ import annotations

import re
from typing import Any, Final

from sqlalchemy import BindParameter, Engine, Integer, and_, bindparam, exists, select
from sqlalchemy.exc import SQLAlchemyError
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

PATH: Final = re.compile(r"^/api/assessments/([1-9][0-9]{0,9})/results$")
DB_INT_MAX: Final = 2**31 - 1

_AID: BindParameter[int] = bindparam("aid", type_=Integer)
_WHO: Final = (
    select(
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
    .where(token_is_valid(bindparam("digest")))
)
"""Who asks (by token), their role in the assessment, its classification, its revision and
whether a round is open: one statement, built once."""


def _bearer(scope: Scope) -> str | None:
    header = Headers(scope=scope).get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class FastResults:
    """ASGI middleware: a cached results body answered in one query (see the module)."""

    def __init__(self, app: ASGIApp, engine: Engine, cache: ResultsCache) -> None:
        self.app = app
        self.engine = engine
        self.cache = cache
        self.served = 0

    def _lookup(self, token: str, assessment_id: int) -> tuple[bytes, str] | None:
        """The cached body and its classification, when the plain case holds."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    _WHO, {"digest": token_digest(token), "aid": assessment_id}
                ).one_or_none()
        except SQLAlchemyError:
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
                answer = await run_in_threadpool(self._lookup, token, int(match[1]))
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, classification = answer
        self.served += 1
        response = Response(body, media_type="application/json")
        response.headers[CLASSIFICATION_HEADER] = classification_value(classification)
        await response(scope, receive, send)

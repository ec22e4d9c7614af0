"""Signing in: API tokens for scripts, session cookies for browsers (with CSRF protection),
and rate-limited sign-in attempts.

``POST /api/session`` signs in with ``{"user": ..., "password": ...}`` (JSON, or an HTML form
post with the fields ``user`` and ``password``), sets the session cookie and answers the user,
role, CSRF token and expiry; ``GET /api/session`` tells who is signed in; ``DELETE
/api/session`` signs out. :func:`request_user` finds the user of every other request.

Decisions (read before changing):

* Passwords are argon2 hashes (:mod:`nsra.server.db.access`). A wrong password, an unknown
  user, a user without a password and an inactive user all get the same 401 with the same
  message, and each costs one argon2 verification (against a dummy hash when there is no
  user), so neither the answer nor its time tells whether a name exists. Telling an inactive
  user why would also tell an attacker that the password was right. A password hashed with
  weaker argon2 parameters than the current ones is hashed again at its next sign-in.
* The cookie ``nsra_session`` holds a random secret (``secrets.token_urlsafe(32)``); the
  database keeps only its SHA-256 digest, so a copy of the database opens no session. The
  cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (never sent by a request
  another site starts), ``Path=/``, ``Secure`` when the request came over https (behind a
  proxy that ends TLS, name it with ``nsra serve --forwarded-allow-ips`` so that the scheme
  is right), and has a ``Max-Age`` equal to the session's fixed lifetime of 8 hours (no
  sliding renewal: after 8 hours one signs in again). Expired sessions are refused, and
  removed at the next sign-in.
* CSRF: a request with the cookie whose method is not safe (POST, PUT, PATCH, DELETE) must
  repeat the session's CSRF token, in the ``X-CSRF-Token`` header (JSON clients) or, for an
  ``application/x-www-form-urlencoded`` form post, in the field ``csrf_token``; it is compared
  in constant time. Otherwise 403 and nothing happens. Multipart forms must use the header.
  The token is random per session and is not derived from the cookie; it is given by the
  sign-in answer and by ``GET /api/session`` (which another site cannot read: same-origin
  policy, no CORS).
* Defence in depth for cookie requests: an ``Origin`` header that is not the server's own
  origin (scheme, host, port of the request), or ``Sec-Fetch-Site: cross-site``, is refused
  with 403, on every method. Sign-in and sign-out check the same, against "login CSRF" (a
  foreign page signing the browser in as someone else).
* ``Authorization`` takes precedence: a request with that header is authenticated by its
  bearer token only (:func:`nsra.server.api.access.bearer_user`), needs no CSRF token (a
  foreign page cannot make a browser send it) and ignores any cookie.
* Rate limiting, in the database so that every worker process counts the same attempts: when
  5 failed attempts for the same user name, or 20 from the same client address
  (``request.client.host``), are less than 15 minutes old, a sign-in is refused with 429 and
  ``Retry-After`` (seconds until the oldest failure that counts leaves the window) *without
  checking the password*, so guessing cannot go on, not even with the right password. How
  racing attempts are counted strictly is in :func:`nsra.server.db.access.check_attempt`.
  Attempts older than the window are removed at each attempt. A successful sign-in removes
  only the earlier failures for that name *from the same client* (the person's own typing
  errors): the failures of other clients stay, so a victim signing in does not give an
  attacker elsewhere a new allowance. The price: someone can keep a user name locked out by
  failing 5 times every 15 minutes (that user can still use an API token); the client
  address is the direct peer, so behind a reverse proxy all clients share one address unless
  the operator names the proxy with ``nsra serve --forwarded-allow-ips`` (only then are
  ``X-Forwarded-For`` and ``X-Forwarded-Proto`` believed, and only from those addresses).
* Reading a form's ``csrf_token`` in :func:`request_user` reads the request body (Starlette
  keeps it, so an endpoint that reads its body afterwards still gets it); this dependency is
  synchronous (run in a worker thread by FastAPI), so it awaits the body through
  :func:`anyio.from_thread.run`.
* The clock is :func:`now` (module level) so that tests can move time without sleeping.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio.from_thread
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from nsra.io.jsondoc import Json
from nsra.server.api.access import bearer_user
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db.access import (
    NAME_LENGTH,
    SESSION_LIFETIME,
    SessionRow,
    UserRow,
    aware,
    check_attempt,
    check_password,
    end_session,
    finish_login,
    hash_password,
    needs_rehash,
    record_attempt,
    session_of_secret,
)

router = APIRouter()

COOKIE = "nsra_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPE = "application/x-www-form-urlencoded"
PASSWORD_LENGTH = 1024  # longer inputs are refused before hashing (argon2 cost per byte)
WRONG = "wrong user name or password"


def now() -> dt.datetime:
    """The current time (UTC); replaced in tests."""
    return dt.datetime.now(dt.UTC)


# -- the cookie ----------------------------------------------------------------------------


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def _clearing_header(request: Request) -> dict[str, str]:
    """The ``Set-Cookie`` header that removes the cookie, for an error answer."""
    response = Response()
    clear_session_cookie(response, request)
    return {"Set-Cookie": response.headers["set-cookie"]}


# -- origin and CSRF checks ----------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_key(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    return scheme, (host or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def check_origin(request: Request) -> None:
    """403 when the request says it comes from another site (``Origin``, ``Sec-Fetch-Site``)."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        raise ApiError(403, "requests from another site are refused", None)
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin.strip() == "null" and request.headers.get("sec-fetch-site") == "same-origin":
        return  # a form post of our own page under Referrer-Policy: no-referrer
    try:
        parts = urlsplit(origin.strip())
        theirs = _origin_key(parts.scheme, parts.hostname, parts.port)
    except ValueError:
        theirs = None
    ours = _origin_key(request.url.scheme, request.url.hostname, request.url.port)
    if theirs != ours:
        raise ApiError(403, f"requests from another origin ({origin[:100]}) are refused", "Origin")


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


FORM_FIELDS_MAX = 2000
"""The most fields a form may have (the estimate page of a method with intensity levels has a
few hundred); more is refused rather than parsed."""


def form_fields(body: bytes) -> dict[str, list[str]]:
    """The fields of a url-encoded form body; empty when it is not one (or too large)."""
    try:
        return parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=FORM_FIELDS_MAX
        )
    except (UnicodeDecodeError, ValueError):
        return {}


MULTIPART_TYPE = "multipart/form-data"
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
"""The largest file a form may upload (an assessment of ten thousand scenarios is ~20 MB)."""


async def multipart_form(request: Request) -> FormData:
    """The fields and files of a multipart form (an upload), parsed once per request."""
    return await request.form(max_files=1, max_fields=50, max_part_size=UPLOAD_MAX_BYTES)


def check_csrf(request: Request, row: SessionRow) -> None:
    """403 unless an unsafe request repeats the session's CSRF token (header or form field)."""
    if request.method.upper() not in UNSAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    field = CSRF_HEADER
    if given is None and _media_type(request) == FORM_TYPE:
        body = anyio.from_thread.run(request.body)  # kept by Starlette for the endpoint
        values = form_fields(body).get(CSRF_FIELD)
        given = values[0] if values else None
        field = CSRF_FIELD
    elif given is None and _media_type(request) == MULTIPART_TYPE:
        parsed = anyio.from_thread.run(multipart_form, request)  # kept for the endpoint too
        value = parsed.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
        field = CSRF_FIELD
    if given is None:
        raise ApiError(
            403,
            f"the CSRF token is missing: send the header {CSRF_HEADER} (or the form field "
            f"{CSRF_FIELD}) with the csrf_token given at sign-in",
            field,
        )
    if not _same(given, row.csrf):
        raise ApiError(403, "the CSRF token is wrong: sign in again or reload", field)


# -- who is asking -------------------------------------------------------------------------


def cookie_session(session: Session, request: Request) -> SessionRow:
    """The session of the request's cookie, after the origin and CSRF checks; 401 when there
    is no valid session (and the cookie is then cleared)."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise ApiError(
            401,
            "sign in: POST /api/session (browsers) or send Authorization: Bearer TOKEN",
            None,
            {"WWW-Authenticate": "Bearer"},
        )
    check_origin(request)
    row = session_of_secret(session, secret, now())
    if row is None:
        raise ApiError(
            401,
            "the session has expired or was ended: sign in again",
            None,
            {"WWW-Authenticate": "Bearer", **_clearing_header(request)},
        )
    check_csrf(request, row)
    return row


def request_user(session: Session, request: Request) -> UserRow:
    """The user making the request; 401 when nobody is signed in, 403 for a cookie request
    from another origin or an unsafe one without the right CSRF token.

    An ``Authorization`` header decides alone (API tokens); without it, the session cookie.
    Called from a synchronous dependency (a worker thread), see the module's decisions.
    """
    if "authorization" in request.headers or COOKIE not in request.cookies:
        return bearer_user(session, request)
    return cookie_session(session, request).user


# -- signing in and out --------------------------------------------------------------------


def credentials(body: bytes, media_type: str) -> tuple[str, str]:
    if media_type == FORM_TYPE:
        fields = form_fields(body)
        data: Any = {k: v[0] for k, v in fields.items() if v}
    elif media_type == "application/json" or media_type.endswith("+json"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested thousands of levels deep
            raise ApiError(422, "the body is not valid JSON", None) from None
    else:
        raise ApiError(
            415, f"send JSON or a form ({FORM_TYPE}) with the fields user and password", None
        )
    if not isinstance(data, dict):
        raise ApiError(422, "send an object with the fields user and password", None)
    values: list[str] = []
    for name, limit in (("user", NAME_LENGTH), ("password", PASSWORD_LENGTH)):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ApiError(422, f"{name} is required (a non-empty string)", name)
        if len(value) > limit:
            raise ApiError(422, f"{name} is too long (at most {limit} characters)", name)
        values.append(value)
    return values[0], values[1]


def open_session(engine: Engine, name: str, password: str, client: str) -> tuple[str, Json]:
    """Count, check and open a session (blocking: database and argon2); the cookie's secret
    and the answer. The attempt is committed before it is counted (see db.access)."""
    attempt_id = write(engine, lambda w: record_attempt(w, name, client, now()))
    start = write(engine, lambda w: check_attempt(w, attempt_id, now()))
    if start.retry_after is not None:
        raise ApiError(
            429,
            "too many failed sign-in attempts: wait before trying again",
            None,
            {"Retry-After": str(start.retry_after)},
        )
    # always one argon2 verification, also for an unknown user (see the decisions)
    matches = check_password(start.password_hash, password)
    if not matches or start.user_id is None or not start.active:
        raise ApiError(401, WRONG, None)
    user_id = start.user_id
    stale = start.password_hash is not None and needs_rehash(start.password_hash)
    new_hash = hash_password(password) if stale else None

    def open_session(w: Session) -> tuple[str, Json]:
        secret, row = finish_login(w, attempt_id, user_id, now(), new_hash)
        user = row.user
        return secret, {
            "user": user.name,
            "role": user.role,
            "csrf_token": row.csrf,
            "expires_at": aware(row.expires_at).isoformat(),
        }

    return write(engine, open_session)


@router.post("/api/session", summary="Sign in (browser session)")
async def sign_in(request: Request) -> Response:
    """Sign in with ``{"user", "password"}`` (JSON or a form post): sets the ``nsra_session``
    cookie and answers the user, role, ``csrf_token`` (to send as ``X-CSRF-Token`` with every
    change) and ``expires_at``. 401 for a wrong name or password, 429 (with ``Retry-After``)
    after too many failures."""
    check_origin(request)
    name, password = credentials(await request.body(), _media_type(request))
    client = request.client.host if request.client is not None else "unknown"
    secret, answer = await run_in_threadpool(
        open_session, engine_of(request), name, password, client
    )
    response = JSONResponse(answer, headers={"Cache-Control": "no-store"})
    set_session_cookie(response, request, secret)
    return response


@router.get("/api/session", summary="Who is signed in")
def get_session(request: Request, s: SessionDep) -> JSONResponse:
    """The signed-in user, role, ``csrf_token`` and ``expires_at`` of the session cookie (for
    a bearer token: the user and role, the other two null); 401 when nobody is signed in."""
    if "authorization" in request.headers or COOKIE not in request.cookies:
        user = bearer_user(s, request)
        answer: Json = {"user": user.name, "role": user.role, "csrf_token": None}
        answer["expires_at"] = None
    else:
        row = cookie_session(s, request)
        answer = {
            "user": row.user.name,
            "role": row.user.role,
            "csrf_token": row.csrf,
            "expires_at": aware(row.expires_at).isoformat(),
        }
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


@router.delete("/api/session", status_code=204, summary="Sign out")
def sign_out(request: Request, s: SessionDep) -> Response:
    """End the session of the cookie (with its CSRF token) and clear the cookie; 204 also
    when the session had already ended."""
    secret = request.cookies.get(COOKIE)
    if secret:
        check_origin(request)
        row = session_of_secret(s, secret, now())
        if row is not None:
            check_csrf(request, row)
            write(engine_of(request), lambda w: end_session(w, secret))
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    return response

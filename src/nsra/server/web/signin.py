"""Signing in and out with a form, and choosing the language of the pages.

The form posts to ``/sign-in``; the server checks it with the API's own sign-in
(:func:`nsra.server.api.auth.open_session`: rate limits, argon2, no user enumeration), sets the
same session cookie and sends the browser on to the page it came for. A wrong name or password,
too many attempts or an empty field shows the form again with a message in plain words.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra import i18n
from nsra.server.api.auth import (
    COOKIE,
    check_origin,
    clear_session_cookie,
    credentials,
    open_session,
    set_session_cookie,
)
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db.access import UserRow, end_session, user_by_name
from nsra.server.db.engine import sessions
from nsra.server.web.pages import LANG_COOKIE, NO_STORE, language, page, signed_in

router = APIRouter(include_in_schema=False)

FORM = "application/x-www-form-urlencoded"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\\\" in target:
        return "/"
    return target


def _form(
    request: Request, message: str | None, user: str, target: str, problem: bool = True
) -> Response:
    lang = language(request)
    return page(
        request,
        "sign_in.html.j2",
        i18n.t("web_sign_in", lang),
        None,
        message=message,
        problem=problem,
        name=user,
        next=target,
    )


@router.get("/sign-in")
def sign_in_page(
    request: Request, s: SessionDep, next: str | None = None, signed_out: int = 0
) -> Response:
    """The sign-in form (or on to the page asked for, when already signed in)."""
    target = safe_next(next)
    if signed_in(s, request) is not None:
        return RedirectResponse(target, status_code=303, headers=NO_STORE)
    message = i18n.t("web_signed_out", language(request)) if signed_out else None
    return _form(request, message, "", target, problem=False)


@router.post("/sign-in")
async def sign_in_form(request: Request) -> Response:
    """Check the form; on success set the session cookie and go on (303)."""
    lang = language(request)
    check_origin(request)
    body = await request.body()
    values = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}
    target = safe_next(values.get("next"))
    name = values.get("user", "")
    try:
        user, password = credentials(body, FORM)
        client = request.client.host if request.client is not None else "unknown"
        secret, _ = await run_in_threadpool(
            open_session, engine_of(request), user, password, client
        )
    except ApiError as exc:
        if exc.status == 429:
            seconds = int((exc.headers or {}).get("Retry-After", "900"))
            message = i18n.t("web_too_many", lang, minutes=max(1, math.ceil(seconds / 60)))
        elif exc.status == 401:
            message = i18n.t("web_wrong", lang)
        else:
            message = i18n.t("web_fill_in", lang)
        # the form again, as a page (200): browsers count a 4xx page as a console error
        return _form(request, message, name, target)
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    set_session_cookie(response, request, secret)
    remembered = await run_in_threadpool(_remembered_language, engine_of(request), user)
    if remembered in i18n.LANGS:
        _language_cookie(response, remembered)
    return response


def _remembered_language(engine: Engine, name: str) -> str | None:
    with sessions(engine)() as s:
        user = user_by_name(s, name)
        return user.language if user is not None else None


def _language_cookie(response: Response, code: str) -> None:
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 24 * 3600, path="/", httponly=True, samesite="lax"
    )


@router.post("/sign-out")
def sign_out_form(request: Request, s: SessionDep) -> Response:
    """End the session and show the sign-in form. The form carries the session's CSRF token
    (field ``csrf_token``), checked as for every change (:func:`signed_in`)."""
    row = signed_in(s, request)
    if row is not None:
        secret = request.cookies.get(COOKIE, "")
        write(engine_of(request), lambda w: end_session(w, secret))
    response = RedirectResponse("/sign-in?signed_out=1", status_code=303, headers=NO_STORE)
    clear_session_cookie(response, request)
    return response


@router.get("/language/{code}")
def choose_language(
    request: Request, s: SessionDep, code: str, back: str | None = None
) -> Response:
    """Remember the language of the pages (a cookie, and for a signed-in person their user, so
    it follows them to another browser) and go back to the page."""
    response = RedirectResponse(safe_next(back), status_code=303, headers=NO_STORE)
    if code in i18n.LANGS:
        _language_cookie(response, code)
        row = signed_in(s, request)
        if row is not None and row.user.language != code:
            user_id = row.user.id

            def remember(w: Session) -> None:
                user = w.get(UserRow, user_id)
                if user is not None:
                    user.language = code

            write(engine_of(request), remember)
    return response

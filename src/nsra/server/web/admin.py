"""Administration (global administrators only; everyone else gets the 403 page): the server's
users (name, role, active, language) and their API tokens.

An administrator creates a user (with a typed initial password, or one made here and shown
once), changes a user's role, resets a password (the new one is shown once), deactivates and
reactivates a user, issues an API token (shown once) and revokes one. The rules are those of
:mod:`nsra.server.db.access` (as ``nsra users``): a known role, a free printable name, a
non-empty password, and never without an active administrator.

Decisions:

* A secret (a made password, a token) is shown in the answer to the POST itself (200, with
  ``Cache-Control: no-store`` as every page), not after a redirect: it must never be in a URL
  or kept on the server to show later. Reloading that answer asks the browser to post again,
  which makes a new secret (the old one then no longer matters).
* Every change is recorded in the audit trail (hash-chained, in the same transaction) under
  :data:`nsra.server.db.audit.SERVER` (assessment id 0: users belong to no assessment), with
  who did it, the user changed and the old and new role or activity; and in the server's log
  (``nsra.server.admin``). Secrets are never recorded. (``nsra users`` records nothing yet.)
* Resetting a password or deactivating a user ends their browser sessions.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nsra import i18n
from nsra.io.jsondoc import Json
from nsra.io.problems import InputError
from nsra.server.api.deps import DB_INT_MAX
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db import audit
from nsra.server.db.access import (
    GLOBAL_ROLES,
    ApiTokenRow,
    SessionRow,
    UserRow,
    add_user,
    check_new_password,
    new_token,
    revoke_token,
    set_active,
    set_password,
    set_role,
)
from nsra.server.web.assessment import form, one
from nsra.server.web.home import to_sign_in
from nsra.server.web.members import problem_of
from nsra.server.web.pages import NO_STORE, language, page, signed_in

router = APIRouter(include_in_schema=False)
log = logging.getLogger("nsra.server.admin")
UserId = Annotated[int, Path(ge=1, le=DB_INT_MAX)]


def _admin(request: Request, s: Session) -> SessionRow | None:
    """The administrator's session; None when nobody is signed in; 403 for anyone else."""
    row = signed_in(s, request)
    if row is not None and row.user.role != "admin":
        raise ApiError(403, i18n.t("web_people_admins_only", language(request)))
    return row


def made_password() -> str:
    return secrets.token_urlsafe(12)


def _show(
    request: Request,
    s: Session,
    row: SessionRow,
    notice: str | None = None,
    secret: dict[str, str] | None = None,
    problem: str | None = None,
    values: dict[str, str] | None = None,
    fe: dict[str, str] | None = None,
) -> Response:
    lang = language(request)
    tokens: dict[int, list[ApiTokenRow]] = {}
    for tok in s.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id)):
        tokens.setdefault(tok.user_id, []).append(tok)
    languages = {code: i18n.t("web_language_name", code) for code in i18n.LANGS}
    users = [
        {
            "id": u.id,
            "name": u.name,
            "role": u.role,
            "active": u.active,
            "language": languages.get(u.language or "", ""),
            "me": u.id == row.user.id,
            "tokens": [
                {"id": t.id, "since": i18n.long_date(t.created_at.date(), lang)}
                for t in tokens.get(u.id, [])
            ],
        }
        for u in s.scalars(select(UserRow).order_by(func.lower(UserRow.name)))
    ]
    return page(
        request,
        "admin.html.j2",
        i18n.t("web_people_admin", lang),
        row,
        users=users,
        roles=[(r, i18n.t(f"role_{r}", lang)) for r in GLOBAL_ROLES],
        notice=notice,
        secret=secret,
        problem=problem,
        v=values or {},
        fe=fe or {},
    )


@router.get("/admin")
def admin_page(request: Request, s: SessionDep, done: str | None = None) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    notice = None
    if done in ("role", "active", "revoked"):
        notice = i18n.t(f"web_people_done_{done}", language(request))
    return _show(request, s, row, notice=notice)


def _back(done: str) -> Response:
    return RedirectResponse(f"/admin?done={done}", status_code=303, headers=NO_STORE)


@router.post("/admin/users")
def create_user(request: Request, s: SessionDep) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    lang = language(request)
    fields = form(request)
    values = {"name": one(fields, "name").strip(), "role": one(fields, "role")}
    typed = one(fields, "password")
    password = typed or made_password()

    def create(w: Session) -> None:
        add_user(w, values["name"], values["role"], password)
        record(w, row, "users.create", "users", values["name"], None, {"role": values["role"]})

    try:
        check_new_password(password)
        write(engine_of(request), create)
    except (InputError, ApiError) as exc:
        field, message = problem_of(exc)
        return _show(
            request,
            s,
            row,
            problem=i18n.t("web_people_not_saved", lang),
            values=values,
            fe={field or "name": message},
        )
    log.info("%s created user %r (%s)", row.user.name, values["name"], values["role"])
    notice = i18n.t("web_people_user_created", lang, user=values["name"])
    secret = None
    if not typed:
        label = i18n.t("web_people_password_of", lang, user=values["name"])
        secret = {"label": label, "value": password}
    return _show(request, s, row, notice=notice, secret=secret)


def record(
    w: Session,
    row: SessionRow,
    action: str,
    table: str,
    key: str,
    old: Json | None,
    new: Json | None,
) -> None:
    """The change in the server's audit trail, by the administrator of ``row``."""
    audit.record(
        w,
        assessment_id=audit.SERVER,
        action=action,
        entity_table=table,
        entity_key=key,
        old=old,
        new=new,
        user=row.user.name,
    )


Change = Callable[[Session, UserRow], tuple[str, str, Json | None, Json | None]]


def _change(
    request: Request, s: Session, row: SessionRow, user_id: int, work: Change
) -> tuple[UserRow | None, str | None]:
    """Run ``work(w, target)`` on the user in one transaction, with its audit entry (``work``
    gives the action, the table, the old and the new value); (the user, None) or (None, the
    problem in plain words)."""
    what: list[str] = []

    def change(w: Session) -> UserRow:
        target = w.get(UserRow, user_id)
        if target is None:
            raise ApiError(404, i18n.t("web_people_no_such_user", language(request)))
        action, table, old, new = work(w, target)
        record(w, row, action, table, target.name, old, new)
        what.append(action)
        return target

    try:
        target = write(engine_of(request), change)
    except InputError as exc:
        return None, problem_of(exc)[1]
    log.info("%s: %s of user %r", row.user.name, what[-1], target.name)
    return target, None


@router.post("/admin/users/{user_id}/role")
def change_role(request: Request, s: SessionDep, user_id: UserId) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    role = one(form(request), "role")

    def change(w: Session, u: UserRow) -> tuple[str, str, Json | None, Json | None]:
        old = {"role": u.role}
        set_role(w, u, role)
        return "users.role", "users", old, {"role": role}

    _, problem = _change(request, s, row, user_id, change)
    if problem is not None:
        return _show(request, s, row, problem=problem)
    return _back("role")


@router.post("/admin/users/{user_id}/active")
def change_active(request: Request, s: SessionDep, user_id: UserId) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    active = one(form(request), "active") == "1"

    def change(w: Session, u: UserRow) -> tuple[str, str, Json | None, Json | None]:
        old = {"active": u.active}
        set_active(w, u, active)
        return "users.active", "users", old, {"active": active}

    _, problem = _change(request, s, row, user_id, change)
    if problem is not None:
        return _show(request, s, row, problem=problem)
    if not active and user_id == row.user.id:
        return to_sign_in(request)  # their own session has ended
    return _back("active")


@router.post("/admin/users/{user_id}/password")
def reset_password(request: Request, s: SessionDep, user_id: UserId) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    lang = language(request)
    password = made_password()

    def change(w: Session, u: UserRow) -> tuple[str, str, Json | None, Json | None]:
        set_password(w, u, password)
        return "users.password", "users", None, None

    target, problem = _change(request, s, row, user_id, change)
    if target is None:
        return _show(request, s, row, problem=problem)
    if user_id == row.user.id:
        return to_sign_in(request)  # their own sessions have ended
    secret = {"label": i18n.t("web_people_password_of", lang, user=target.name), "value": password}
    return _show(request, s, row, secret=secret)


@router.post("/admin/users/{user_id}/tokens")
def issue_token(request: Request, s: SessionDep, user_id: UserId) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)
    lang = language(request)
    made: list[str] = []

    def change(w: Session, u: UserRow) -> tuple[str, str, Json | None, Json | None]:
        made.append(new_token(w, u))
        return "tokens.create", "api_tokens", None, None

    target, problem = _change(request, s, row, user_id, change)
    if target is None:
        return _show(request, s, row, problem=problem)
    secret = {"label": i18n.t("web_people_token_of", lang, user=target.name), "value": made[-1]}
    return _show(request, s, row, secret=secret)


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke(request: Request, s: SessionDep, user_id: UserId, token_id: UserId) -> Response:
    row = _admin(request, s)
    if row is None:
        return to_sign_in(request)

    def change(w: Session, u: UserRow) -> tuple[str, str, Json | None, Json | None]:
        revoke_token(w, u, token_id)
        return "tokens.revoke", "api_tokens", {"token": token_id}, None

    _, problem = _change(request, s, row, user_id, change)
    if problem is not None:
        return _show(request, s, row, problem=problem)
    return _back("revoked")

"""Who may use the server: users, their membership of assessments, and their API tokens.

Decisions (read before changing):

* Passwords are stored only as argon2 hashes (:mod:`argon2`), never in clear.
* An API token is a random secret shown once when it is made; the database keeps only its
  SHA-256 digest, so a copy of the database does not give access. (A fast hash is enough here:
  the token has 256 bits of randomness, unlike a password.)
* A browser session is a random secret in a cookie; the database keeps its SHA-256 digest
  (:class:`SessionRow`), the CSRF token the browser must repeat, and when it expires.
* Sign-in attempts are rows (:class:`LoginAttemptRow`) so that every worker process counts
  the same failures. An attempt is written (as a failure) and committed *before* the password
  is checked and before the failures are counted (:func:`begin_login`), and the count then
  includes every other attempt already written: of attempts racing each other, the last one to
  be written sees all the others, so no more attempts than the limit get their password
  checked, on SQLite as on PostgreSQL (read committed). An attempt refused by the limit is
  removed again, so being refused does not prolong the wait. Only plain SQL (insert, select,
  update, delete) is used, no engine-specific locking.
* A user has one global role; ``admin`` sees and may do everything, ``coordinator`` may create
  assessments; what a user may do *in an assessment* is the role of its membership there.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any, Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from nsra.io.problems import InputError, Problem
from nsra.server.db.models import AnalystRow, AssessmentRow, Base, Row

GlobalRole = Literal["admin", "coordinator", "analyst", "viewer"]
MemberRole = Literal["coordinator", "analyst", "viewer"]
GLOBAL_ROLES: tuple[str, ...] = get_args(GlobalRole)
MEMBER_ROLES: tuple[str, ...] = get_args(MemberRole)
RANK = {"viewer": 0, "analyst": 1, "coordinator": 2, "admin": 3}
"""The roles from least to most allowed."""


def may_hold(global_role: str, member_role: str) -> bool:
    """Whether a user of ``global_role`` may have ``member_role`` in an assessment.

    The rule: a role in an assessment is never above the user's global role (viewer < analyst
    < coordinator; an administrator may hold any). The global role is the ceiling an
    administrator grants (``nsra users``, the administration page, recorded in the server's
    trail); a coordinator hands out roles in their assessment within each person's ceiling. So
    a coordinator cannot make a global viewer coordinator, or analyst, of their assessment: an
    administrator raises the global role first. Administrators follow the same rule.
    """
    return RANK.get(member_role, 99) <= RANK.get(global_role, -1)


def above_ceiling(name: str, global_role: str, member_role: str) -> str:
    """The message when ``may_hold`` refuses."""
    return (
        f"{name} is a {global_role} on this server and cannot be {member_role} of an "
        "assessment: an administrator must give them that role on the server first"
    )


TOKEN_PREFIX = "nsra_"

_hasher = PasswordHasher()


class UserRow(Row, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The language of the pages the user last chose (None: the browser's).
    language: Mapped[str | None] = mapped_column(String(16))


class MembershipRow(Row, Base):
    """A user's role in one assessment."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "assessment_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), nullable=False)

    user: Mapped[UserRow] = relationship()
    assessment: Mapped[AssessmentRow] = relationship()


class ApiTokenRow(Row, Base):
    """An API token of a user, kept as the SHA-256 digest of the secret."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)

    user: Mapped[UserRow] = relationship()


class SessionRow(Row, Base):
    """A signed-in browser session: the SHA-256 digest of the cookie's secret, the CSRF token
    that unsafe requests made with the cookie must repeat, and when it expires."""

    __tablename__ = "sessions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    csrf: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    user: Mapped[UserRow] = relationship()


class LoginAttemptRow(Row, Base):
    """A sign-in attempt, kept for rate limiting (by user name and by client address)."""

    __tablename__ = "login_attempts"

    user_name: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    client: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    success: Mapped[bool] = mapped_column(Boolean, nullable=False)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: UserRow, password: str) -> bool:
    if user.password_hash is None:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_by_name(session: Session, name: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()


def add_user(session: Session, name: str, role: str, password: str | None) -> UserRow:
    """A new active user (not committed); refuses a taken name or an unknown role. Analysts
    whose id is the name and who are not linked to a user yet are linked to the new user."""
    _check_role(role)
    if not name.strip():
        raise InputError([Problem("a user needs a name", ("name",))])
    if len(name) > 120 or any(not ch.isprintable() for ch in name):
        raise InputError([Problem("a user name has at most 120 printable characters", ("name",))])
    if user_by_name(session, name) is not None:
        raise InputError([Problem(f"there is already a user named {name!r}", ("name",))])
    user = UserRow(
        name=name,
        role=role,
        active=True,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    # the analysts of that name not yet linked are this user (see nsra.server.db.workflow)
    session.execute(
        update(AnalystRow)
        .where(AnalystRow.key == name, AnalystRow.user_id.is_(None))
        .values(user_id=user.id)
        .execution_options(synchronize_session=False)
    )
    return user


def _check_role(role: str) -> None:
    if role not in GLOBAL_ROLES:
        allowed = ", ".join(GLOBAL_ROLES)
        raise InputError([Problem(f"unknown role {role!r}; roles: {allowed}", ("role",))])


def check_new_password(password: str) -> None:
    """A password a user may be given: not empty (as ``nsra users add`` asks)."""
    if not password:
        raise InputError([Problem("the password is empty", ("password",))])


def _keep_an_admin(session: Session, user: UserRow, role: str, active: bool) -> None:
    """Refuse a change that would leave the server without an active administrator."""
    if user.role != "admin" or not user.active or (role == "admin" and active):
        return
    others = session.scalars(
        select(UserRow.id).where(
            UserRow.role == "admin", UserRow.active.is_(True), UserRow.id != user.id
        )
    ).first()
    if others is None:
        raise InputError([Problem(f"{user.name!r} is the last active administrator", ("role",))])


def set_role(session: Session, user: UserRow, role: str) -> None:
    """Give the user another global role (not committed); never the last active admin's."""
    _check_role(role)
    _keep_an_admin(session, user, role, user.active)
    user.role = role
    session.flush()


def set_password(session: Session, user: UserRow, password: str) -> None:
    """A new password for the user (not committed); their browser sessions end."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    end_sessions(session, user.id)


def set_active(session: Session, user: UserRow, active: bool) -> None:
    """Deactivate the user (their sessions end; their tokens and sign-in are refused while
    inactive) or make them active again (not committed); never the last active admin."""
    _keep_an_admin(session, user, user.role, active)
    user.active = active
    if not active:
        end_sessions(session, user.id)
    session.flush()


def end_sessions(session: Session, user_id: int) -> None:
    """End every browser session of the user."""
    session.execute(
        delete(SessionRow)
        .where(SessionRow.user_id == user_id)
        .execution_options(synchronize_session=False)
    )


def revoke_token(session: Session, user: UserRow, token_id: int) -> bool:
    """Remove one of the user's API tokens (not committed): it no longer opens anything.
    Whether there was such a token."""
    result = session.execute(
        delete(ApiTokenRow)
        .where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def new_token(session: Session, user: UserRow) -> str:
    """A new API token for ``user`` (not committed); the secret is returned once, never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(user_id=user.id, digest=token_digest(token)))
    session.flush()
    return token


def token_is_valid(digest: Any) -> ColumnElement[bool]:
    """The rule of a valid token, for a query joining ``api_tokens`` to ``users``: its digest
    is known and its user is active (also :mod:`nsra.server.api.fast_results`)."""
    return and_(ApiTokenRow.digest == digest, UserRow.active.is_(True))


_USER_OF_TOKEN = (
    select(UserRow)
    .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
    .where(token_is_valid(bindparam("digest")))
)
_MEMBERSHIP = select(MembershipRow).where(
    MembershipRow.user_id == bindparam("user"), MembershipRow.assessment_id == bindparam("aid")
)
"""Every API request asks these two: built once (building costs more than running them)."""


def user_of_token(session: Session, token: str) -> UserRow | None:
    """The active user owning ``token``, else None (one query: every API request asks)."""
    return session.scalars(_USER_OF_TOKEN, {"digest": token_digest(token)}).one_or_none()


def membership(session: Session, user: UserRow, assessment_id: int) -> MembershipRow | None:
    return session.scalars(_MEMBERSHIP, {"user": user.id, "aid": assessment_id}).one_or_none()


# -- browser sessions and sign-in attempts ----------------------------------------------------

SESSION_LIFETIME = dt.timedelta(hours=8)
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
NAME_LIMIT = 5  # failed attempts per user name within ATTEMPT_WINDOW
CLIENT_LIMIT = 20  # failed attempts per client address within ATTEMPT_WINDOW
NAME_LENGTH = 120  # as LoginAttemptRow.user_name and UserRow.name
CLIENT_LENGTH = 64  # as LoginAttemptRow.client


def aware(moment: dt.datetime) -> dt.datetime:
    """``moment`` with its time zone: SQLite gives back the UTC times it stored without one."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, verified when there is no user (or no password) so that
    an unknown name costs as much time as a known one."""
    return _hasher.hash(secrets.token_urlsafe(32))


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; always pays one argon2 verification,
    also when there is no hash (unknown user, user without a password)."""
    try:
        verified = _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return verified and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker argon2 parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False


@dataclass(frozen=True)
class LoginStart:
    """What :func:`begin_login` found: refused (``retry_after`` seconds), or the attempt's id
    and the user's id, activity and password hash (None when there is no such user)."""

    retry_after: int | None
    attempt_id: int | None = None
    user_id: int | None = None
    active: bool = False
    password_hash: str | None = None


def _retry_after(times: list[dt.datetime], limit: int, now: dt.datetime) -> int | None:
    """Seconds until fewer than ``limit`` of the failures at ``times`` (oldest first) are in
    the window, or None when fewer already are."""
    if len(times) < limit:
        return None
    leaves = aware(times[len(times) - limit]) + ATTEMPT_WINDOW
    return max(1, math.ceil((leaves - now).total_seconds()))


def record_attempt(session: Session, name: str, client: str, now: dt.datetime) -> int:
    """Write a sign-in attempt (as a failure until :func:`finish_login`) and forget the
    attempts older than the window; the id of the new attempt. Commit before counting."""
    session.execute(
        delete(LoginAttemptRow)
        .where(LoginAttemptRow.at < now - ATTEMPT_WINDOW)
        .execution_options(synchronize_session=False)
    )
    row = LoginAttemptRow(
        user_name=name[:NAME_LENGTH], client=client[:CLIENT_LENGTH], at=now, success=False
    )
    session.add(row)
    session.flush()
    return row.id


def check_attempt(session: Session, attempt_id: int, now: dt.datetime) -> LoginStart:
    """The recorded attempt ``attempt_id`` counted against the limits: refused (and removed)
    when :data:`NAME_LIMIT` failures of its user name or :data:`CLIENT_LIMIT` failures of its
    client, other than itself, are in the window; else the user it names."""
    attempt = session.get(LoginAttemptRow, attempt_id)
    if attempt is None:  # removed meanwhile (should not happen): refuse rather than guess
        return LoginStart(retry_after=1)
    since = now - ATTEMPT_WINDOW
    failures = select(LoginAttemptRow.at).where(
        LoginAttemptRow.success.is_(False),
        LoginAttemptRow.at >= since,
        LoginAttemptRow.id != attempt_id,
    )
    by_name = list(
        session.scalars(
            failures.where(LoginAttemptRow.user_name == attempt.user_name).order_by(
                LoginAttemptRow.at
            )
        )
    )
    by_client = list(
        session.scalars(
            failures.where(LoginAttemptRow.client == attempt.client).order_by(LoginAttemptRow.at)
        )
    )
    waits = [
        w
        for w in (
            _retry_after(by_name, NAME_LIMIT, now),
            _retry_after(by_client, CLIENT_LIMIT, now),
        )
        if w is not None
    ]
    if waits:
        session.delete(attempt)
        return LoginStart(retry_after=max(waits))
    user = user_by_name(session, attempt.user_name)
    if user is None:
        return LoginStart(retry_after=None, attempt_id=attempt_id)
    return LoginStart(
        retry_after=None,
        attempt_id=attempt_id,
        user_id=user.id,
        active=user.active,
        password_hash=user.password_hash,
    )


def finish_login(
    session: Session,
    attempt_id: int,
    user_id: int,
    now: dt.datetime,
    new_hash: str | None = None,
) -> tuple[str, SessionRow]:
    """The attempt succeeded: mark it so, forget earlier failures of the same user name from
    the same client (those were this person's typing errors; other clients' failures stay),
    store ``new_hash`` (the password hashed again when the argon2 parameters have grown; made
    before the transaction, hashing is slow), remove expired sessions, and open a session.
    Returns the cookie's secret (never stored) and the session row."""
    attempt = session.get(LoginAttemptRow, attempt_id)
    if attempt is not None:
        attempt.success = True
        session.execute(
            delete(LoginAttemptRow)
            .where(
                LoginAttemptRow.user_name == attempt.user_name,
                LoginAttemptRow.client == attempt.client,
                LoginAttemptRow.success.is_(False),
                LoginAttemptRow.id < attempt_id,
            )
            .execution_options(synchronize_session=False)
        )
    user = session.get(UserRow, user_id)
    if user is not None and new_hash is not None:
        user.password_hash = new_hash
    session.execute(
        delete(SessionRow)
        .where(SessionRow.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return new_session(session, user_id, now)


def new_session(session: Session, user_id: int, now: dt.datetime) -> tuple[str, SessionRow]:
    """A session of :data:`SESSION_LIFETIME` for the user (not committed): the cookie's secret
    (returned once, stored as its SHA-256 digest) and the row with its CSRF token."""
    secret = secrets.token_urlsafe(32)
    row = SessionRow(
        user_id=user_id,
        digest=token_digest(secret),
        csrf=secrets.token_urlsafe(32),
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return secret, row


def session_of_secret(session: Session, secret: str, now: dt.datetime) -> SessionRow | None:
    """The unexpired session whose cookie holds ``secret``, of an active user; else None."""
    row = session.scalars(
        select(SessionRow).where(SessionRow.digest == token_digest(secret))
    ).one_or_none()
    if row is None or aware(row.expires_at) <= now or not row.user.active:
        return None
    return row


def end_session(session: Session, secret: str) -> bool:
    """Remove the session whose cookie holds ``secret``; whether there was one."""
    result = session.execute(
        delete(SessionRow)
        .where(SessionRow.digest == token_digest(secret))
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))

"""Who may use the server: users, their membership of assessments, and their API tokens.

Decisions (read before changing):

* Passwords are stored only as argon2 hashes (:mod:`argon2`), never in clear.
* An API token is a random secret shown once when it is made; the database keeps only its
  SHA-256 digest, so a copy of the database does not give access. (A fast hash is enough here:
  the token has 256 bits of randomness, unlike a password.)
* A user has one global role; ``admin`` sees and may do everything, ``coordinator`` may create
  assessments; what a user may do *in an assessment* is the role of its membership there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from nsra.io.problems import InputError, Problem
from nsra.server.db.models import AnalystRow, AssessmentRow, Base, Row

GlobalRole = Literal["admin", "coordinator", "analyst", "viewer"]
MemberRole = Literal["coordinator", "analyst", "viewer"]
GLOBAL_ROLES: tuple[str, ...] = get_args(GlobalRole)
MEMBER_ROLES: tuple[str, ...] = get_args(MemberRole)
TOKEN_PREFIX = "nsra_"

_hasher = PasswordHasher()


class UserRow(Row, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


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
    if role not in GLOBAL_ROLES:
        allowed = ", ".join(GLOBAL_ROLES)
        raise InputError([Problem(f"unknown role {role!r}; roles: {allowed}", ("role",))])
    if not name.strip():
        raise InputError([Problem("a user needs a name", ("name",))])
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


def new_token(session: Session, user: UserRow) -> str:
    """A new API token for ``user`` (not committed); the secret is returned once, never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(user_id=user.id, digest=token_digest(token)))
    session.flush()
    return token


def user_of_token(session: Session, token: str) -> UserRow | None:
    """The active user owning ``token``, else None."""
    row = session.scalars(
        select(ApiTokenRow).where(ApiTokenRow.digest == token_digest(token))
    ).one_or_none()
    if row is None or not row.user.active:
        return None
    return row.user


def membership(session: Session, user: UserRow, assessment_id: int) -> MembershipRow | None:
    return session.scalars(
        select(MembershipRow).where(
            MembershipRow.user_id == user.id, MembershipRow.assessment_id == assessment_id
        )
    ).one_or_none()

"""Who is asking and what they may see: bearer tokens and per-assessment membership.

Need to know: an assessment a user is not a member of does not exist for that user (404, the
same answer as for an id that is not in the database), on every endpoint. A member whose role
does not allow an action gets 403: they already know the assessment exists.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request
from sqlalchemy.orm import Session

from nsra.server.api.errors import ApiError
from nsra.server.db.access import UserRow, membership, user_of_token
from nsra.server.db.models import AssessmentRow

ALL_MEMBERS = ("coordinator", "analyst", "viewer")


def bearer_user(session: Session, request: Request) -> UserRow:
    """The user of the ``Authorization: Bearer TOKEN`` header; 401 without a valid one."""
    challenge = {"WWW-Authenticate": "Bearer"}
    header = request.headers.get("authorization")
    if not header:
        raise ApiError(401, "sign in: send Authorization: Bearer TOKEN", None, challenge)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "the Authorization header must be: Bearer TOKEN", None, challenge)
    user = user_of_token(session, token.strip())
    if user is None:
        raise ApiError(
            401, "the token is not valid (unknown, revoked or user inactive)", None, challenge
        )
    return user


def role_in(global_role: str, member_role: str | None) -> str | None:
    """A user's role in an assessment: ``admin`` for an administrator (every assessment), else
    their membership's role; None: not a member (the assessment does not exist for them)."""
    return "admin" if global_role == "admin" else member_role


def assessment_for(
    session: Session, user: UserRow, assessment_id: int, roles: Collection[str] = ALL_MEMBERS
) -> tuple[AssessmentRow, str]:
    """The assessment and the user's role in it (``admin`` for an administrator).

    404 when it does not exist or the user is not a member; 403 when the role is not in
    ``roles`` (an administrator may do everything).
    """
    row = session.get(AssessmentRow, assessment_id)
    role: str | None = None
    if row is not None:
        member = None if user.role == "admin" else membership(session, user, assessment_id)
        role = role_in(user.role, member.role if member is not None else None)
    if row is None or role is None:
        raise ApiError(404, f"there is no assessment {assessment_id}", None)
    if role != "admin" and role not in roles:
        raise ApiError(403, f"your role in assessment {assessment_id} ({role}) does not allow this")
    return row, role

"""Membership: who takes part in an assessment, and with which role (coordinator, analyst,
viewer). Coordinators of the assessment and administrators add members or change their role;
each change is recorded in the audit trail. A role in an assessment is never above the user's
global role (:func:`nsra.server.db.access.may_hold`): a coordinator cannot make a global viewer
coordinator of their assessment."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.server.api import limits
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, UserDep, classified
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import engine_of, write
from nsra.server.db import audit
from nsra.server.db.access import (
    MemberRole,
    MembershipRow,
    UserRow,
    above_ceiling,
    may_hold,
    user_by_name,
)

router = APIRouter()


class NewMember(BaseModel):
    """A user to add to an assessment (by name), with their role in it."""

    user: str = Field(max_length=limits.NAME)
    role: MemberRole


def set_member(w: Session, user: UserRow, assessment_id: int, member: NewMember) -> str:
    """Add a user to the assessment with a role, or change their role (coordinator of the
    assessment or administrator), recorded in the audit trail; the assessment's
    classification. The caller commits. Raises :class:`ApiError`."""
    row, _role = assessment_for(w, user, assessment_id, roles=("coordinator",))
    target = user_by_name(w, member.user)
    if target is None or not target.active:
        raise ApiError(422, f"there is no active user named {member.user!r}", "user")
    if not may_hold(target.role, member.role):
        raise ApiError(422, above_ceiling(target.name, target.role, member.role), "role")
    existing = w.scalars(
        select(MembershipRow).where(
            MembershipRow.user_id == target.id,
            MembershipRow.assessment_id == assessment_id,
        )
    ).one_or_none()
    old = None if existing is None else {"user": member.user, "role": existing.role}
    if existing is None:
        w.add(MembershipRow(user_id=target.id, assessment_id=assessment_id, role=member.role))
    else:
        existing.role = member.role
    audit.record(
        w,
        assessment_id=assessment_id,
        action="member.set",
        entity_table="memberships",
        entity_key=member.user,
        old=old,
        new={"user": member.user, "role": member.role},
        user=user.name,
    )
    return row.classification


@router.post("/api/assessments/{assessment_id}/members", status_code=201)
def add_member(
    assessment_id: AssessmentId,
    member: NewMember,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Add a user to the assessment with a role, or change their role
    (coordinator of the assessment or administrator)."""
    classification = write(engine_of(request), lambda w: set_member(w, user, assessment_id, member))
    classified(response, classification)
    return {
        "assessment": assessment_id,
        "user": member.user,
        "role": member.role,
        "classification": classification,
    }

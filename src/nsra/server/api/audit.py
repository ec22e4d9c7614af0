"""The audit trail of an assessment, for its coordinators and administrators: every change,
who made it, old and new value and rationale, optionally of one scenario and/or one user.
How the trail is kept and verified is in :mod:`nsra.server.db.audit`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from nsra.io.jsondoc import Json
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, UserDep, classified
from nsra.server.api.transaction import SessionDep
from nsra.server.db import audit

router = APIRouter()


@router.get("/api/assessments/{assessment_id}/audit")
def get_audit(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    response: Response,
    scenario: Annotated[str | None, Query()] = None,
    user_name: Annotated[str | None, Query(alias="user")] = None,
) -> Json:
    """The assessment's audit entries, optionally of one scenario and/or one user
    (coordinator of the assessment or administrator)."""
    row, _role = assessment_for(s, user, assessment_id, roles=("coordinator",))
    rows = audit.entries(s, assessment_id, scenario=scenario, user=user_name)
    classified(response, row.classification)
    return {"classification": row.classification, "entries": [audit.as_dict(r) for r in rows]}

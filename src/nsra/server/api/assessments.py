"""Assessments: the ones a user is a member of, a new one from an uploaded file, and one
assessment as its file's data (whole, its scenarios, or as a file to download).

Decisions (read before changing):

* A user sees the assessments they are a member of, with their role in each; an administrator
  sees all. Need to know: another assessment does not exist for them (404,
  :func:`nsra.server.api.access.assessment_for`).
* Coordinators and administrators create assessments; the creator becomes its coordinator. The
  upload is checked as a file (``nsra validate``) and names its method by the id of a shipped
  method: a path would make the server read its own files on a user's behalf.
* What a member reads is their :class:`~nsra.server.api.views.View` of it: during an open round
  an analyst does not see the other analysts' estimates of scenarios not yet submitted.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nsra.io.jsondoc import Json
from nsra.io.methods import shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import Limits, load
from nsra.io.validate import parse_assessment
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, UserDep, classified
from nsra.server.api.downloads import Format, file_response
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.views import View
from nsra.server.db.access import MembershipRow, UserRow
from nsra.server.db.importing import record_import, store_assessment
from nsra.server.db.methods import method_text, register, register_shipped
from nsra.server.db.models import AssessmentRow

router = APIRouter()


def summary(row: AssessmentRow, role: str) -> Json:
    return {
        "id": row.id,
        "title": row.title,
        "date": row.date.isoformat(),
        "method": row.method_ref,
        "classification": row.classification,
        "role": role,
    }


def _method_for_upload(data: Json) -> tuple[str, str, bool]:
    """The method an uploaded assessment names: only a shipped method, by id.

    A path would make the server read its own files on a user's behalf.
    """
    ref = data.get("method")
    if isinstance(ref, str) and ref in shipped_method_ids():
        return method_text(ref)
    allowed = ", ".join(shipped_method_ids())
    raise InputError(
        [
            Problem(
                f"the server accepts the shipped methods by id: {allowed}; found {ref!r}",
                ("method",),
            )
        ]
    )


def member_assessments(s: Session, user: UserRow) -> list[tuple[AssessmentRow, str]]:
    """The assessments a user is a member of, each with the user's role in it (an
    administrator: every assessment, as "admin"); the API's list and the home page."""
    if user.role == "admin":
        return [(a, "admin") for a in s.scalars(select(AssessmentRow).order_by(AssessmentRow.id))]
    members = s.scalars(
        select(MembershipRow)
        .where(MembershipRow.user_id == user.id)
        .order_by(MembershipRow.assessment_id)
    )
    return [(m.assessment, m.role) for m in members]


@router.get("/api/assessments")
def list_assessments(s: SessionDep, user: UserDep, response: Response) -> list[Json]:
    """The assessments the user is a member of (an administrator sees all)."""
    pairs = member_assessments(s, user)
    classified(response, *(a.classification for a, _ in pairs))
    return [summary(a, role) for a, role in pairs]


@router.post("/api/assessments", status_code=201)
def create_assessment(
    user: UserDep, request: Request, response: Response, data: Annotated[Json, Body()]
) -> Json:
    """Check an assessment file (as JSON) and store it; the creator becomes coordinator."""
    row = store_upload(engine_of(request), user, json.dumps(data), "upload.json", data, "upload")
    classified(response, row.classification)
    return summary(row, "coordinator")


def store_upload(
    engine: Engine,
    user: UserRow,
    text: str,
    source: str,
    data: Json | None = None,
    record_as: str | None = None,
) -> AssessmentRow:
    """Check an uploaded assessment file (YAML or JSON ``text``, named ``source`` in the
    messages) and store it; the creator becomes its coordinator. Only a coordinator or an
    administrator may; the method must be a shipped one. Raises :class:`ApiError` or
    :class:`InputError` (every problem, with line and field) and stores nothing then."""
    if user.role not in ("admin", "coordinator"):
        raise ApiError(403, "only a coordinator or an administrator may create assessments")
    if data is None:
        found = load(text, source, Limits())
        if not isinstance(found, dict):
            raise InputError([Problem("an assessment file is a mapping (key: value)", ())])
        data = found
    method_text_, method_source, shipped = _method_for_upload(data)
    loaded = parse_assessment(text, source)

    def store(w: Session) -> AssessmentRow:
        register_shipped(w)
        method_row = register(w, method_text_, method_source, shipped)
        row = store_assessment(w, loaded.assessment, method_row)
        w.add(MembershipRow(user_id=user.id, assessment_id=row.id, role="coordinator"))
        record_import(w, row, loaded.assessment, record_as or source, user=user.name)
        return row

    return write(engine, store)


@router.get("/api/assessments/{assessment_id}")
def get_assessment(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    """The assessment as its file's data, with the user's role in it."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    classified(response, row.classification)
    return {**summary(row, role), "assessment": view.data(s), **view.note()}


@router.get("/api/assessments/{assessment_id}/scenarios")
def get_scenarios(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    """The scenarios of the assessment, as in its file."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    classified(response, row.classification)
    data = view.data(s)
    return {
        "classification": row.classification,
        "scenarios": data.get("scenarios", []),
        **view.note(),
    }


@router.get(
    "/api/assessments/{assessment_id}/export",
    responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
)
def export_assessment(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    format: Annotated[Format, Query()] = "yaml",
) -> Response:
    """The assessment as a file (as ``nsra db export``), its classification in the file
    and in the ``X-Classification`` header."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    return file_response(
        view.data(s), f"nsra-assessment-{assessment_id}", format, row.classification
    )

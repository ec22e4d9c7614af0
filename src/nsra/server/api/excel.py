"""The Excel round trip on the server: an assessment as a workbook to download (as ``nsra excel
export``), and a workbook uploaded as a new assessment, checked as a file upload is (as
``POST /api/assessments``) after the workbook's own checks (:mod:`nsra.io.excel`), every problem
with its sheet and cell.

* The download is any member's :class:`~nsra.server.api.views.View` of the assessment (an
  analyst in an open round sees what the API shows them), labelled with its classification.
* The upload is a coordinator's or an administrator's, like every new assessment; its method is
  a shipped one, by id. The body is the workbook itself (``Content-Type`` the ``.xlsx`` type).
* A workbook uploaded to an existing assessment (``POST /api/assessments/{id}/import.xlsx``)
  replaces its live content and is published as a new version (:mod:`.reimport`, whose
  decisions say how); the same size limit and checks, the assessment's method.
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio.from_thread
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from nsra.io.excel import Limits, export_workbook, import_workbook
from nsra.io.excel.safety import MAX_BYTES
from nsra.io.jsondoc import Json
from nsra.io.methods import load_method, shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.validate import parse_assessment
from nsra.model.method import Method
from nsra.server.api.access import assessment_for
from nsra.server.api.assessments import store_upload, summary
from nsra.server.api.deps import AssessmentId, UserDep, classified
from nsra.server.api.errors import ApiError
from nsra.server.api.reimport import import_version, method_for
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.views import View
from nsra.server.db.access import UserRow
from nsra.server.db.methods import method_of

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CREATORS = ("admin", "coordinator")
BODY = {
    "requestBody": {
        "required": True,
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
    }
}
FileName = Annotated[
    str | None,
    Query(max_length=200, description="The workbook's file name, for the version's note."),
]


def _shipped(ref: str) -> Method:
    """A shipped method by id; a path would make the server read its own files."""
    if ref not in shipped_method_ids():
        allowed = ", ".join(shipped_method_ids())
        raise InputError(
            [Problem(f"the server accepts the shipped methods by id: {allowed}; found {ref!r}")]
        )
    return load_method(ref)


def file_name(given: str | None) -> str:
    """The name of an uploaded file without its folders (a browser may send them)."""
    name = (given or "").replace("\\", "/").replace("\x00", "").rsplit("/", 1)[-1].strip()
    return name[:200] or "upload.xlsx"


def body_of(request: Request) -> bytes:
    """The request's body, refused before it is read when it says it is over the limit."""
    size = request.headers.get("content-length", "")
    if size.isdigit() and int(size) > MAX_BYTES:
        raise InputError(
            [Problem(f"the workbook is {int(size):,} bytes; the largest accepted is {MAX_BYTES:,}")]
        )
    raw: bytes = anyio.from_thread.run(request.body)
    return raw


def import_version_upload(
    raw: bytes, name: str, user: UserRow, assessment_id: int, s: Session, request: Request
) -> Json:
    """Check a workbook against the assessment's method and import it as a new version (one
    transaction, published); the answer of the API. Raises InputError (422) or ApiError."""
    row, _ = assessment_for(s, user, assessment_id, roles=("coordinator",))
    imported = import_workbook(raw, name, method_for(row), Limits())
    new = imported.loaded.assessment
    return write(engine_of(request), lambda w: import_version(w, user, assessment_id, new, name))


def import_upload(raw: bytes, name: str, user: UserRow, request: Request) -> Json:
    """Check a workbook and store it as a new assessment; the summary the API answers."""
    if user.role not in CREATORS:
        raise ApiError(403, "only a coordinator or an administrator may create assessments")
    imported = import_workbook(raw, name, _shipped, Limits())
    data = imported.data
    row = store_upload(engine_of(request), user, json.dumps(data), name, data, "excel upload")
    return summary(row, "coordinator")


@router.get(
    "/api/assessments/{assessment_id}/export.xlsx",
    responses={200: {"content": {XLSX: {}}}},
    summary="The assessment as an Excel workbook",
)
def export_excel(assessment_id: AssessmentId, s: SessionDep, user: UserDep) -> Response:
    """The assessment as a filled workbook (as ``nsra excel export``); importing it gives the
    same assessment."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    loaded = parse_assessment(
        json.dumps(view.data(s)), f"assessment {row.id}", method=method_of(row.method)
    )
    response = Response(export_workbook(loaded.assessment, loaded.method), media_type=XLSX)
    classified(response, row.classification)
    name = f"nsra-assessment-{assessment_id}.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/api/assessments/import.xlsx",
    status_code=201,
    openapi_extra=BODY,
    summary="A new assessment from an Excel workbook",
)
def import_excel(user: UserDep, request: Request, response: Response) -> Json:
    """Check a workbook (the request's body) as ``nsra excel import`` does and store it as a
    new assessment; the uploader becomes its coordinator. Problems: 422 with every one listed,
    each with its sheet and cell (``file``: ``Estimates!F12``)."""
    if user.role not in CREATORS:
        raise ApiError(403, "only a coordinator or an administrator may create assessments")
    created = import_upload(body_of(request), "upload.xlsx", user, request)
    classified(response, str(created["classification"]))
    return created


@router.post(
    "/api/assessments/{assessment_id}/import.xlsx",
    status_code=201,
    openapi_extra=BODY,
    summary="A new version of an assessment from an Excel workbook",
)
def import_excel_version(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    request: Request,
    response: Response,
    name: FileName = None,
) -> Json:
    """Check a workbook (the request's body) as ``nsra excel import`` does, against the
    assessment's method, replace the assessment's live content with it (items whose ids
    persist are changed in place, new ones added, missing ones removed) and publish it as a new
    version with the note "Imported from workbook NAME" (coordinator of the assessment or
    administrator). Problems: 422 with every one listed, each with its sheet and cell; 409
    while a Delphi round is open, or when it would erase past rounds' submissions. The answer
    gives the version's number and per kind of item how many were added, changed and
    removed."""
    assessment_for(s, user, assessment_id, roles=("coordinator",))
    made = import_version_upload(body_of(request), file_name(name), user, assessment_id, s, request)
    classified(response, str(made["classification"]))
    return made

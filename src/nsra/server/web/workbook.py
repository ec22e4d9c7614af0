"""The Excel box of an assessment, for coordinators and administrators: the workbook to
download (the API's ``export.xlsx``) and an edited one imported as a new version, by the API's
own :func:`~nsra.server.api.excel.import_version_upload` (checked as a file upload, one
transaction, published). A refused workbook shows its problems in plain words, each at its
sheet and cell, and nothing changed; an imported one leads to the versions page, comparing the
new version with the one before."""

from __future__ import annotations

import anyio.from_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from nsra.io.problems import InputError, Problem, format_path
from nsra.server.api.auth import multipart_form
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.excel import file_name, import_version_upload
from nsra.server.api.transaction import SessionDep
from nsra.server.db import workflow as wf
from nsra.server.web.assessment import EDITORS, Here, here
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)
SHOWN = 50  # problems shown at most


def plain(p: Problem) -> dict[str, str]:
    """A problem as the page says it: where (``Estimates!E12``), and the field and why."""
    field = f"{format_path(p.path)}: " if p.path else ""
    return {"where": p.where() if p.file is not None else "", "text": field + p.message}


def _page(
    h: Here,
    problems: list[dict[str, str]] | None = None,
    heading: str | None = None,
    status: int = 200,
) -> Response:
    current = wf.open_round_of(h.s, h.id)
    return h.page(
        "excel.html.j2",
        "overview",
        h.t("web_excel_title"),
        status=status,
        excel_problems=problems or [],
        excel_heading=heading or h.t("web_excel_problems"),
        excel_round=current.number if current else None,
        excel_alone=True,
    )


@router.get("/a/{assessment_id}/excel")
def excel_page(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    return _page(h)


@router.post("/a/{assessment_id}/excel")
def import_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)  # checks the form's CSRF field too
    if h is None:
        return to_sign_in(request)
    fields = anyio.from_thread.run(multipart_form, request)
    upload = fields.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(h, [{"where": "", "text": h.t("web_excel_no_file")}], status=422)
    raw = anyio.from_thread.run(upload.read)
    name = file_name(upload.filename)
    try:
        made = import_version_upload(raw, name, h.user, h.id, s, request)
    except InputError as exc:
        errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
        return _page(h, [plain(p) for p in errors][:SHOWN], status=422)
    except ApiError as exc:
        refused = [{"where": "", "text": exc.message}]
        return _page(h, refused, h.t("web_excel_refused"), status=exc.status)
    n = int(made["version"])
    tail = f"/versions?published={n}" + (f"&compare_from={n - 1}&compare_to={n}" if n > 1 else "")
    return RedirectResponse(h.url(tail), status_code=303, headers=NO_STORE)

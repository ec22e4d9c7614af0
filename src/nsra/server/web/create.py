"""Creating an assessment from its file (YAML or JSON), for coordinators and administrators:
the same check and store as ``POST /api/assessments`` (:func:`store_upload`), with every problem
of the file shown as ``nsra validate`` shows it (file, line, field, why) and nothing stored."""

from __future__ import annotations

import anyio.from_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from nsra import i18n
from nsra.io.problems import InputError
from nsra.server.api.assessments import store_upload
from nsra.server.api.auth import multipart_form
from nsra.server.api.errors import ApiError
from nsra.server.api.excel import import_upload
from nsra.server.api.transaction import SessionDep, engine_of
from nsra.server.db.access import SessionRow
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE, language, page, signed_in

router = APIRouter(include_in_schema=False)
CREATORS = ("admin", "coordinator")


def _form(
    request: Request, session: SessionRow, problems: list[str] | None = None, status: int = 200
) -> Response:
    lang = language(request)
    return page(
        request,
        "create.html.j2",
        i18n.t("web_create_title", lang),
        session,
        status=status,
        problems=problems or [],
    )


@router.get("/assessments/new")
def create_page(request: Request, s: SessionDep) -> Response:
    row = signed_in(s, request)
    if row is None:
        return to_sign_in(request)
    if row.user.role not in CREATORS:
        raise ApiError(403, "only a coordinator or an administrator may create assessments")
    return _form(request, row)


@router.post("/assessments/new")
def create_from_file(request: Request, s: SessionDep) -> Response:
    row = signed_in(s, request)  # checks the CSRF field of the multipart form
    if row is None:
        return to_sign_in(request)
    lang = language(request)
    if row.user.role not in CREATORS:
        raise ApiError(403, "only a coordinator or an administrator may create assessments")
    fields = anyio.from_thread.run(multipart_form, request)
    upload = fields.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _form(request, row, [i18n.t("web_create_no_file", lang)])
    raw = anyio.from_thread.run(upload.read)
    name = upload.filename.replace("\\", "/").replace("\x00", "").rsplit("/", 1)[-1][:200]
    if name.lower().endswith((".xlsx", ".xlsm")) or raw[:2] == b"PK":
        try:
            created_id = import_upload(raw, name, row.user, request)["id"]
        except InputError as exc:
            errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
            return _form(request, row, [str(p) for p in errors][:50])
        except ApiError as exc:
            return _form(request, row, [exc.message])
        return RedirectResponse(f"/a/{created_id}", status_code=303, headers=NO_STORE)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _form(request, row, [i18n.t("web_create_not_text", lang, file=name)])
    try:
        created = store_upload(engine_of(request), row.user, text, name)
    except InputError as exc:
        return _form(request, row, [str(p) for p in exc.problems if p.severity == "error"][:50])
    except ApiError as exc:
        return _form(request, row, [exc.message])
    return RedirectResponse(f"/a/{created.id}", status_code=303, headers=NO_STORE)

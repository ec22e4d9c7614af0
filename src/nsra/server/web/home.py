"""The home page: the assessments the signed-in person is a member of, with their role in each
(the same list as ``GET /api/assessments``)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nsra import i18n
from nsra.model.text import tr
from nsra.server.api.assessments import member_assessments
from nsra.server.api.transaction import SessionDep
from nsra.server.web.pages import NO_STORE, language, page, signed_in

router = APIRouter(include_in_schema=False)


def to_sign_in(request: Request) -> Response:
    """On to the sign-in form, and back here afterwards."""
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/sign-in?next={target}", status_code=303, headers=NO_STORE)


@router.get("/")
def home(request: Request, s: SessionDep) -> Response:
    row = signed_in(s, request)
    if row is None:
        return to_sign_in(request)
    lang = language(request)
    assessments = [
        {
            "id": a.id,
            "title": tr(a.title, lang),
            "date": i18n.long_date(a.date, lang),
            "method": a.method_ref,
            "classification": a.classification,
            "role": i18n.t(f"role_{role}", lang),
        }
        for a, role in member_assessments(s, row.user)
    ]
    return page(request, "home.html.j2", i18n.t("web_home", lang), row, assessments=assessments)

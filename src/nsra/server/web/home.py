"""The home page: the assessments the signed-in person is a member of, with their role in each
(the same list as ``GET /api/assessments``)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nsra import i18n
from nsra.model.text import tr
from nsra.server.api.assessments import member_assessments
from nsra.server.api.transaction import SessionDep
from nsra.server.db import workflow as wf
from nsra.server.db.models import ScenarioRow
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
    assessments = []
    tasks: list[dict[str, str]] = []
    for a, role in member_assessments(s, row.user):
        title = tr(a.title, lang)
        assessments.append(
            {
                "id": a.id,
                "title": title,
                "date": i18n.long_date(a.date, lang),
                "method": a.method_ref,
                "classification": a.classification,
                "role": i18n.t(f"role_{role}", lang),
            }
        )
        tasks.extend(_tasks(s, row.user.id, a.id, role, title, lang))
    return page(
        request,
        "home.html.j2",
        i18n.t("web_home", lang),
        row,
        assessments=assessments,
        tasks=tasks,
    )


def _tasks(
    s: Session, user_id: int, assessment_id: int, role: str, title: str, lang: str
) -> list[dict[str, str]]:
    """What waits for this person in one assessment: scenarios to submit in the open round
    (analysts), a round to follow and close, or scenarios without a consensus after a closed
    round (coordinators)."""
    out: list[dict[str, str]] = []
    current = wf.open_round_of(s, assessment_id)
    base = f"/a/{assessment_id}"
    if role == "analyst" and current is not None:
        mine = {a.id for a in wf.own_analysts(s, user_id, assessment_id)}
        assigned = {
            (a.analyst_id, a.scenario_id)
            for a in wf.assignments(s, assessment_id)
            if a.analyst_id in mine
        }
        done = {(x.analyst_id, x.scenario_id) for x in wf.submissions(s, current.id)}
        waiting = len(assigned - done)
        if waiting:
            out.append(
                {
                    "text": i18n.t("web_task_submit", lang, n=waiting, round=current.number),
                    "href": f"{base}/estimates",
                    "assessment": title,
                }
            )
    if role in ("coordinator", "admin"):
        if current is not None:
            done_n = len(wf.submissions(s, current.id))
            out.append(
                {
                    "text": i18n.t("web_task_round", lang, round=current.number, n=done_n),
                    "href": f"{base}/rounds",
                    "assessment": title,
                }
            )
        elif wf.rounds(s, assessment_id):
            open_consensus = s.scalar(
                select(func.count())
                .select_from(ScenarioRow)
                .where(ScenarioRow.assessment_id == assessment_id, ~ScenarioRow.consensus.any())
            )
            if open_consensus:
                out.append(
                    {
                        "text": i18n.t("web_task_consensus", lang, n=open_consensus),
                        "href": f"{base}/rounds",
                        "assessment": title,
                    }
                )
    return out

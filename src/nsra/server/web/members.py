"""Who takes part in an assessment (coordinators and administrators): the organisations
invited, their analysts and the users who are them, the members and their roles, and which
analyst estimates which scenario (a grid of scenarios x analysts).

Every change goes through the API's own service functions
(:func:`~nsra.server.api.workflow.invite_organisation`,
:func:`~nsra.server.api.workflow.save_analyst`, :func:`~nsra.server.api.members.set_member`,
:func:`~nsra.server.api.workflow.set_assignment`): the same rules, messages and audit entries as
the API. A refused change shows the form again with the message at its field.

The grid carries the assignments as they were shown (field ``shown``): only the boxes the
coordinator changed are written, so an assignment someone else made meanwhile is kept.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from nsra.io.problems import InputError, format_path
from nsra.model.text import tr
from nsra.server.api.deps import AssessmentId
from nsra.server.api.errors import ApiError
from nsra.server.api.members import NewMember, set_member
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.api.workflow import (
    AnalystWrite,
    NewOrganisation,
    invite_organisation,
    save_analyst,
    set_assignment,
)
from nsra.server.db import workflow as wf
from nsra.server.db.access import MEMBER_ROLES, MembershipRow, UserRow
from nsra.server.web.assessment import EDITORS, Here, form, here, one
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)
PAGE = "/a/{assessment_id}/members"


def problem_of(exc: Exception) -> tuple[str, str]:
    """The field (last part of its path) and message of a refused change."""
    if isinstance(exc, ApiError):
        return (exc.field or "").split(".")[-1], exc.message
    if isinstance(exc, InputError):
        errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
        path = format_path(errors[0].path)
        return path.split(".")[-1].split("[")[0], errors[0].message
    assert isinstance(exc, ValidationError)
    first = exc.errors()[0]
    loc = [str(x) for x in first.get("loc", ()) if isinstance(x, str)]
    return (loc[-1] if loc else ""), str(first.get("msg", ""))


def refused(exc: Exception) -> bool:
    """Whether a refusal is for the error page (not allowed, signed out), not the form."""
    return isinstance(exc, ApiError) and exc.status in (401, 403)


def _users(h: Here) -> list[UserRow]:
    return list(h.s.scalars(select(UserRow).where(UserRow.active.is_(True)).order_by(UserRow.name)))


def _show(
    h: Here,
    notice: str | None = None,
    which: str | None = None,
    values: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> Response:
    row = h.row
    users = {u.id: u for u in h.s.scalars(select(UserRow))}
    memberships = list(
        h.s.scalars(select(MembershipRow).where(MembershipRow.assessment_id == h.id))
    )
    linked: dict[int, list[str]] = {}
    for a in row.analysts:
        if a.user_id is not None:
            linked.setdefault(a.user_id, []).append(a.key)
    organisations = [
        {
            "id": o.key,
            "name": tr(o.name, h.lang),
            "analysts": sum(1 for a in row.analysts if a.organisation_id == o.id),
        }
        for o in row.organisations
    ]
    analysts = [
        {
            "id": a.key,
            "name": tr(a.name, h.lang),
            "organisation": tr(a.organisation.name, h.lang),
            "organisation_id": a.organisation.key,
            "user": users[a.user_id].name if a.user_id in users else "",
        }
        for a in row.analysts
    ]
    members = sorted(
        (
            {
                "user": users[m.user_id].name,
                "active": users[m.user_id].active,
                "role": m.role,
                "analysts": linked.get(m.user_id, []),
            }
            for m in memberships
            if m.user_id in users
        ),
        key=lambda m: (MEMBER_ROLES.index(str(m["role"])), str(m["user"]).lower()),
    )
    member_ids = {m.user_id for m in memberships}
    active = _users(h)
    assigned = {(a.scenario.key, a.analyst.key) for a in wf.assignments(h.s, h.id)}
    scenarios = [{"id": sc.key, "title": tr(sc.title, h.lang)} for sc in row.scenarios]
    # the analyst form: typed values after a problem, else an analyst chosen to change
    chosen = h.request.query_params.get("analyst")
    if which != "analyst" and chosen:
        found = next((a for a in analysts if a["id"] == chosen), None)
        if found is not None:
            which, values = (
                "change",
                {
                    "id": found["id"],
                    "name": found["name"],
                    "organisation": found["organisation_id"],
                    "user": found["user"],
                },
            )
    fe: dict[str, str] = {}
    form_error = None
    if error is not None and which is not None:
        if error[0] in FORM_FIELDS.get(which, ()):  # a member's row shows one message
            fe[error[0]] = error[1]
        else:
            form_error = error[1]
    return h.page(
        "members.html.j2",
        "members",
        h.t("web_tab_members"),
        notice=notice,
        problem=h.t("web_people_not_saved") if error else None,
        which=which,
        v=values or {},
        fe=fe,
        form_error=form_error,
        organisations=organisations,
        analysts=analysts,
        members=members,
        member_roles=MEMBER_ROLES,
        org_options=[(o["id"], f"{o['name']} ({o['id']})") for o in organisations],
        user_options=[(u.name, u.name) for u in active],
        candidate_options=[
            (u.name, u.name) for u in active if u.id not in member_ids and u.role != "admin"
        ],
        role_options=[(r, h.t(f"role_{r}")) for r in MEMBER_ROLES],
        scenarios=scenarios,
        assigned=assigned,
        shown=" ".join(sorted(f"{s}/{a}" for s, a in assigned)),
    )


FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "organisation": ("id", "name"),
    "analyst": ("id", "name", "organisation", "user"),
    "change": ("id", "name", "organisation", "user"),
    "member": ("user", "role"),
}
NOTICES = {
    "organisation": "web_people_org_invited",
    "analyst": "web_people_analyst_saved",
    "member": "web_people_member_saved",
}


@router.get(PAGE)
def members_page(
    request: Request, assessment_id: AssessmentId, s: SessionDep, done: str | None = None
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    notice = None
    if done in NOTICES:
        notice = h.t(NOTICES[done])
    elif done == "assignments":
        notice = h.t(
            "web_people_assignments_saved",
            added=_count(request.query_params.get("added")),
            removed=_count(request.query_params.get("removed")),
        )
    return _show(h, notice=notice)


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _back(h: Here, query: str) -> Response:
    return RedirectResponse(h.url(f"/members?{query}"), status_code=303, headers=NO_STORE)


@router.post(PAGE + "/organisations")
def invite_organisation_form(
    request: Request, assessment_id: AssessmentId, s: SessionDep
) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    values = {"id": one(fields, "id").strip(), "name": one(fields, "name").strip()}
    try:
        body = NewOrganisation(id=values["id"], name=values["name"])
        write(engine_of(request), lambda w: invite_organisation(w, h.user, h.id, body))
    except (ApiError, InputError, ValidationError) as exc:
        if refused(exc):
            raise
        return _show(h, which="organisation", values=values, error=problem_of(exc))
    return _back(h, "done=organisation#organisations")


@router.post(PAGE + "/analysts")
def save_analyst_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    values = {k: one(fields, k).strip() for k in ("id", "name", "organisation", "user", "changing")}
    which = "change" if values["changing"] else "analyst"
    try:
        body = AnalystWrite(
            name=values["name"] or None,
            organisation=values["organisation"],
            user=values["user"] or None,
        )
        write(engine_of(request), lambda w: save_analyst(w, h.user, h.id, values["id"], body))
    except (ApiError, InputError, ValidationError) as exc:
        if refused(exc):
            raise
        return _show(h, which=which, values=values, error=problem_of(exc))
    return _back(h, "done=analyst#analysts")


@router.post(PAGE + "/members")
def set_member_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    values = {"user": one(fields, "user").strip(), "role": one(fields, "role").strip()}
    which = "member:" + values["user"] if one(fields, "changing") else "member"
    try:
        member = NewMember.model_validate(values)
        write(engine_of(request), lambda w: set_member(w, h.user, h.id, member))
    except (ApiError, InputError, ValidationError) as exc:
        if refused(exc):
            raise
        return _show(h, which=which, values=values, error=problem_of(exc))
    return _back(h, "done=member#members")


def _pairs(text: str) -> set[tuple[str, str]]:
    out = set()
    for part in text.split():
        scenario, _, analyst = part.partition("/")
        if scenario and analyst:
            out.add((scenario, analyst))
    return out


@router.post(PAGE + "/assignments")
def assignments_form(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=EDITORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    shown = _pairs(one(fields, "shown"))
    wanted = _pairs(" ".join(fields.get("assign", [])))
    changes = sorted([(p, True) for p in wanted - shown] + [(p, False) for p in shown - wanted])

    def work(w: Session) -> tuple[int, int]:
        added = removed = 0
        for (scenario, analyst), on in changes:
            if set_assignment(w, h.user, h.id, scenario, analyst, on)["changed"]:
                added, removed = (added + 1, removed) if on else (added, removed + 1)
        return added, removed

    try:
        added, removed = write(engine_of(request), work)
    except ApiError as exc:
        if refused(exc):
            raise
        return _show(h, which="assignments", error=("", exc.message))
    return _back(h, f"done=assignments&added={added}&removed={removed}#assignments")

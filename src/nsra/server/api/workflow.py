"""The interdepartmental workflow over HTTP: invite ministries and analysts, assign scenarios,
run Delphi rounds (open, submit, see the spread, close), compare rounds.

The rules are those of :mod:`nsra.server.db.workflow`. What the coordinator sees of a round is
the spread per scenario: each analyst's estimates, the lowest, median and highest position per
criterion and for the likelihood, the risk and rank the analysts' estimates give without the
consensus (:func:`round_view`), and who has submitted and who not yet. Two rounds compare
scenario by scenario: how the spread and the median moved and which ranks moved.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from nsra.engine.compute import compute
from nsra.io.jsondoc import Json
from nsra.io.modelcheck import check
from nsra.io.problems import InputError
from nsra.io.results import results_document
from nsra.io.validate import parse_assessment
from nsra.model.assessment import Analyst, Organisation
from nsra.server.api import limits
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import (
    DB_INT_MAX,
    AssessmentId,
    Number,
    UserDep,
    classified,
    write_answer,
)
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db import audit
from nsra.server.db import workflow as wf
from nsra.server.db.access import (
    MembershipRow,
    UserRow,
    above_ceiling,
    may_hold,
    membership,
    user_by_name,
)
from nsra.server.db.exporting import assessment_data
from nsra.server.db.methods import method_of
from nsra.server.db.models import AnalystRow, AssessmentRow, OrganisationRow

router = APIRouter()
BASE = "/api/assessments/{assessment_id}"


class NewOrganisation(BaseModel):
    """A ministry or other organisation invited to the assessment (as in the file)."""

    id: str = Field(max_length=limits.KEY)
    name: Any


class AnalystWrite(BaseModel):
    """An analyst of the assessment (as in the file) and the user who is that analyst."""

    name: Any = Field(None, description="A text, or a text per language such as {en: .., nl: ..}")
    organisation: str = Field(max_length=limits.KEY)
    user: str | None = Field(
        None, max_length=limits.NAME, description="The server user who is this analyst."
    )


class RoundOpen(BaseModel):
    note: str | None = Field(None, max_length=limits.TEXT)


class Submit(BaseModel):
    analyst: str | None = Field(
        None,
        max_length=limits.KEY,
        description="The analyst submitting; default: the one linked to you.",
    )


def _record(w: Session, user: UserRow, row: AssessmentRow, action: str, key: str, **kw: Any) -> int:
    entry = audit.record(
        w,
        assessment_id=row.id,
        action=action,
        entity_table=action.split(".")[0],
        entity_key=key,
        user=user.name,
        **kw,
    )
    return entry.seq


def _checked(model: type[Organisation] | type[Analyst], data: Json, field: str) -> None:
    """Check an item with the file's own model, for the same messages as ``nsra validate``."""
    _item, problems = check(model, data)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError([replace(p, path=(field, *p.path)) for p in errors])


# -- organisations and analysts --------------------------------------------------------------


def invite_organisation(
    w: Session, user: UserRow, assessment_id: int, body: NewOrganisation
) -> Json:
    """Add a ministry or other organisation to the assessment (coordinator), recorded in the
    audit trail; the caller commits. Raises :class:`InputError` or :class:`ApiError`."""
    _checked(Organisation, body.model_dump(), "organisation")
    row, _ = assessment_for(w, user, assessment_id, roles=("coordinator",))
    if any(o.key == body.id for o in row.organisations):
        raise ApiError(409, f"organisation {body.id!r} is already in the assessment", "id")
    position = 1 + max((o.position for o in row.organisations), default=-1)
    w.add(OrganisationRow(assessment_id=row.id, key=body.id, position=position, name=body.name))
    w.flush()
    seq = _record(w, user, row, "organisations.create", body.id, new=body.model_dump())
    return {"classification": row.classification, "item": body.model_dump(), "audit": seq}


@router.post(BASE + "/organisations", status_code=201, summary="Invite an organisation")
def add_organisation(
    assessment_id: AssessmentId,
    body: NewOrganisation,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Add a ministry or other organisation to the assessment (coordinator)."""
    return write_answer(
        request, response, lambda w: invite_organisation(w, user, assessment_id, body)
    )


def _analyst_item(a: AnalystRow) -> Json:
    item: Json = {"id": a.key, "organisation": a.organisation.key}
    if a.name is not None:
        item["name"] = a.name
    return item


@router.get(BASE + "/analysts", summary="The analysts and the users who are them")
def list_analysts(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    users = {
        u.id: u.name
        for u in s.query(UserRow).filter(
            UserRow.id.in_([a.user_id for a in row.analysts if a.user_id is not None])
        )
    }
    classified(response, row.classification)
    return {
        "classification": row.classification,
        "analysts": [
            {**_analyst_item(a), "user": users.get(a.user_id) if a.user_id else None}
            for a in row.analysts
        ],
    }


def save_analyst(
    w: Session, user: UserRow, assessment_id: int, analyst: str, body: AnalystWrite
) -> Json:
    """Add an analyst to the assessment or change one (coordinator); with ``body.user``, link
    that user to the analyst and make them an analyst member of the assessment if they are not
    a member yet. Recorded in the audit trail; the caller commits. Raises :class:`InputError`
    or :class:`ApiError`."""
    item: Json = {"id": analyst, "organisation": body.organisation}
    if body.name is not None:
        item["name"] = body.name
    _checked(Analyst, item, "analyst")
    row, _ = assessment_for(w, user, assessment_id, roles=("coordinator",))
    org = next((o for o in row.organisations if o.key == body.organisation), None)
    if org is None:
        raise ApiError(
            422,
            f"there is no organisation {body.organisation!r} in the assessment: invite it first",
            "organisation",
        )
    linked: UserRow | None = None
    if body.user is not None:
        linked = user_by_name(w, body.user)
        if linked is None or not linked.active:
            raise ApiError(422, f"there is no active user named {body.user!r}", "user")
    existing = next((a for a in row.analysts if a.key == analyst), None)
    old = None
    if existing is None:
        position = 1 + max((a.position for a in row.analysts), default=-1)
        target = AnalystRow(assessment_id=row.id, key=analyst, position=position)
        w.add(target)
    else:
        target = existing
        old = {**_analyst_item(existing), "user_id": existing.user_id}
    target.name, target.organisation = body.name, org
    if linked is not None:
        target.user_id = linked.id
        if membership(w, linked, row.id) is None and linked.role != "admin":
            if not may_hold(linked.role, "analyst"):
                raise ApiError(422, above_ceiling(linked.name, linked.role, "analyst"), "user")
            w.add(MembershipRow(user_id=linked.id, assessment_id=row.id, role="analyst"))
    w.flush()
    new = {**item, "user": body.user}
    seq = _record(
        w,
        user,
        row,
        "analysts.create" if old is None else "analysts.update",
        analyst,
        old=old,
        new=new,
    )
    return {"classification": row.classification, "item": new, "audit": seq}


@router.put(BASE + "/analysts/{analyst}", summary="Invite an analyst, or change one")
def put_analyst(
    assessment_id: AssessmentId,
    analyst: str,
    body: AnalystWrite,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Add an analyst to the assessment or change one (coordinator); with ``user``, link that
    user to the analyst and make them an analyst member of the assessment if they are not a
    member yet."""
    return write_answer(
        request, response, lambda w: save_analyst(w, user, assessment_id, analyst, body)
    )


# -- assignments -----------------------------------------------------------------------------


@router.get(BASE + "/assignments", summary="Which analyst estimates which scenario")
def list_assignments(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    classified(response, row.classification)
    return {
        "classification": row.classification,
        "assignments": [
            {"scenario": a.scenario.key, "analyst": a.analyst.key}
            for a in wf.assignments(s, assessment_id)
        ],
    }


def set_assignment(
    w: Session, user: UserRow, assessment_id: int, scenario: str, analyst: str, on: bool
) -> Json:
    """Assign the scenario to the analyst (``on``) or withdraw it (coordinator); a change is
    recorded in the audit trail, none when it already was so. The caller commits."""
    row, _ = assessment_for(w, user, assessment_id, roles=("coordinator",))
    sc = wf.scenario_by_key(w, assessment_id, scenario)
    an = wf.analyst_by_key(w, assessment_id, analyst)
    changed = wf.assign(w, an, sc) if on else wf.unassign(w, an, sc)
    seq = None
    if changed:
        pair = {"scenario": scenario, "analyst": analyst}
        seq = _record(
            w,
            user,
            row,
            "assignments." + ("create" if on else "delete"),
            f"{scenario}/{analyst}",
            scenario=scenario,
            old=None if on else pair,
            new=pair if on else None,
        )
    return {
        "classification": row.classification,
        "scenario": scenario,
        "analyst": analyst,
        "assigned": on,
        "changed": changed,
        "audit": seq,
    }


def _assignment(
    request: Request,
    user: UserRow,
    assessment_id: AssessmentId,
    scenario: str,
    analyst: str,
    on: bool,
) -> Json:
    return write(
        engine_of(request), lambda w: set_assignment(w, user, assessment_id, scenario, analyst, on)
    )


@router.put(BASE + "/assignments/{scenario}/{analyst}", summary="Assign a scenario")
def put_assignment(
    assessment_id: AssessmentId,
    scenario: str,
    analyst: str,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    result = _assignment(request, user, assessment_id, scenario, analyst, True)
    classified(response, result["classification"])
    return result


@router.delete(BASE + "/assignments/{scenario}/{analyst}", summary="Withdraw an assignment")
def delete_assignment(
    assessment_id: AssessmentId,
    scenario: str,
    analyst: str,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    result = _assignment(request, user, assessment_id, scenario, analyst, False)
    classified(response, result["classification"])
    return result


# -- rounds ----------------------------------------------------------------------------------


def _round_summary(s: Session, r: wf.RoundRow) -> Json:
    return {
        "number": r.number,
        "status": r.status,
        "note": r.note,
        "opened_by": r.opened_by,
        "opened_at": r.opened_at.isoformat(),
        "closed_by": r.closed_by,
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "submissions": len(wf.submissions(s, r.id)),
    }


@router.get(BASE + "/rounds", summary="The Delphi rounds")
def list_rounds(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, response: Response
) -> Json:
    row, _ = assessment_for(s, user, assessment_id)
    classified(response, row.classification)
    return {
        "classification": row.classification,
        "rounds": [_round_summary(s, r) for r in wf.rounds(s, assessment_id)],
    }


def open_round_change(w: Session, user: UserRow, assessment_id: int, note: str | None) -> Json:
    """Open round n + 1 (coordinator) and record it; the caller commits."""
    row, _ = assessment_for(w, user, assessment_id, roles=("coordinator",))
    r = wf.open_round(w, row, user.name, note)
    _record(w, user, row, "rounds.open", str(r.number), new={"note": note})
    return {"classification": row.classification, **_round_summary(w, r)}


@router.post(BASE + "/rounds", status_code=201, summary="Open the next round")
def open_round(
    assessment_id: AssessmentId,
    body: RoundOpen,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Open round n + 1 (coordinator); analysts then submit their estimates independently."""
    return write_answer(
        request, response, lambda w: open_round_change(w, user, assessment_id, body.note)
    )


def _estimates_of(data: Json) -> dict[str, list[Any]]:
    """The estimates per scenario id of an assessment's data."""
    return {sc["id"]: sc.get("estimates", []) for sc in data.get("scenarios", [])}


def close_round_change(w: Session, user: UserRow, assessment_id: int, number: int) -> Json:
    """Close the open round (coordinator), keeping its estimates; the caller commits."""
    row, _ = assessment_for(w, user, assessment_id, roles=("coordinator",))
    r = wf.round_by_number(w, assessment_id, number)
    wf.close_round(w, r, user.name, _estimates_of(assessment_data(w, assessment_id)))
    _record(w, user, row, "rounds.close", str(number))
    return {"classification": row.classification, **_round_summary(w, r)}


@router.post(BASE + "/rounds/{number}/close", summary="Close a round")
def close_round(
    assessment_id: AssessmentId, number: Number, user: UserDep, request: Request, response: Response
) -> Json:
    """Close the open round (coordinator), keeping its estimates for comparison."""
    return write_answer(
        request, response, lambda w: close_round_change(w, user, assessment_id, number)
    )


def submit_change(
    w: Session, user: UserRow, assessment_id: int, scenario: str, analyst_key: str | None
) -> Json:
    """Submit an analyst's estimates of a scenario in the open round (the analyst themself, or
    a coordinator on their behalf) and record it; the caller commits."""
    row, role = assessment_for(w, user, assessment_id, roles=("coordinator", "analyst"))
    r = wf.open_round_of(w, assessment_id)
    if r is None:
        raise ApiError(409, "no round is open", "round")
    sc = wf.scenario_by_key(w, assessment_id, scenario)
    if analyst_key is not None:
        an = wf.analyst_by_key(w, assessment_id, analyst_key)
    else:
        mine = wf.own_analysts(w, user.id, assessment_id)
        if len(mine) != 1:
            raise ApiError(
                422,
                "say which analyst submits (you are linked to "
                + (f"{len(mine)} analysts" if mine else "no analyst")
                + " of this assessment)",
                "analyst",
            )
        an = mine[0]
    if role == "analyst":
        if an.user_id != user.id:
            raise ApiError(403, f"analyst {an.key!r} is not linked to you", "analyst")
        if not wf.is_assigned(w, an.id, sc.id):
            raise ApiError(403, f"scenario {scenario!r} is not assigned to {an.key!r}", "scenario")
    wf.submit(w, r, an, sc, user.name)
    seq = _record(
        w,
        user,
        row,
        "submissions.create",
        f"{r.number}/{scenario}/{an.key}",
        scenario=scenario,
        new={"round": r.number, "analyst": an.key},
    )
    return {
        "classification": row.classification,
        "round": r.number,
        "scenario": scenario,
        "analyst": an.key,
        "audit": seq,
    }


@router.post(BASE + "/scenarios/{scenario}/submit", status_code=201, summary="Submit a scenario")
def submit(
    assessment_id: AssessmentId,
    scenario: str,
    body: Submit,
    user: UserDep,
    request: Request,
    response: Response,
) -> Json:
    """Submit your estimates of a scenario in the open round: they are final for this round,
    and the other analysts' estimates of the scenario become visible to you."""

    return write_answer(
        request, response, lambda w: submit_change(w, user, assessment_id, scenario, body.analyst)
    )


def round_view(s: Session, row: AssessmentRow, r: wf.RoundRow) -> Json:
    """Per scenario: each analyst's estimates, the spread and the median per slot, and the
    risk and rank of the analysts' estimates alone (no consensus); who has submitted."""
    data = assessment_data(s, row.id)
    estimates = r.snapshot if r.snapshot is not None else _estimates_of(data)
    scenarios = []
    for sc in data.get("scenarios", []):
        sc = {k: v for k, v in sc.items() if k != "consensus"}
        sc["estimates"] = estimates.get(sc["id"], [])
        if not sc["estimates"]:
            del sc["estimates"]
        scenarios.append(sc)
    loaded = parse_assessment(
        json.dumps({**data, "scenarios": scenarios}),
        f"round {r.number}",
        method=method_of(row.method),
    )
    doc = results_document(loaded, compute(loaded.inputs, loaded.method, None), "en")
    assigned: dict[str, list[str]] = {}
    for a in wf.assignments(s, row.id):
        assigned.setdefault(a.scenario.key, []).append(a.analyst.key)
    done: dict[str, list[str]] = {}
    for sub in wf.submissions(s, r.id):
        done.setdefault(sub.scenario.key, []).append(sub.analyst.key)
    out = []
    for sc in doc["scenarios"]:
        key = sc["id"]
        out.append(
            {
                "id": key,
                "rank": sc["rank"],
                "risk": sc["risk"],
                "spread": sc.get("spread"),
                "estimates": estimates.get(key, []),
                "assigned": assigned.get(key, []),
                "submitted": done.get(key, []),
                "pending": [x for x in assigned.get(key, []) if x not in done.get(key, [])],
            }
        )
    return {**_round_summary(s, r), "scenarios": out}


def _may_see_round(role: str, r: wf.RoundRow) -> None:
    if r.status == "open" and role not in ("coordinator", "admin"):
        raise ApiError(
            403, f"round {r.number} is open: its spread is shown when it is closed", "round"
        )


@router.get(BASE + "/rounds/compare", summary="Compare two rounds")
def compare_rounds(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    response: Response,
    first: Annotated[int, Query(alias="from", ge=1, le=DB_INT_MAX)],
    second: Annotated[int, Query(alias="to", ge=1, le=DB_INT_MAX)],
) -> Json:
    """Scenario by scenario: the spread (highest minus lowest position) and median of each
    slot in both rounds, and the rank in both."""
    row, role = assessment_for(s, user, assessment_id)
    views = []
    for n in (first, second):
        r = wf.round_by_number(s, assessment_id, n)
        _may_see_round(role, r)
        views.append({sc["id"]: sc for sc in round_view(s, row, r)["scenarios"]})
    a, b = views
    out = []
    for key in a:
        x, y = a[key], b.get(key)
        if y is None:
            continue
        slots = []
        for slot, before, after in _slots(x.get("spread"), y.get("spread")):
            slots.append(
                {
                    "slot": slot,
                    "from": before,
                    "to": after,
                    "narrowed": None
                    if before is None or after is None
                    else after["width"] < before["width"],
                }
            )
        out.append(
            {
                "id": key,
                "rank": {"from": x["rank"], "to": y["rank"]},
                "rank_moved": x["rank"] != y["rank"],
                "slots": slots,
            }
        )
    classified(response, row.classification)
    return {"classification": row.classification, "from": first, "to": second, "scenarios": out}


def _slots(a: Json | None, b: Json | None) -> list[tuple[str, Json | None, Json | None]]:
    def cells(spread: Json | None) -> dict[str, Json]:
        if not spread:
            return {}
        out: dict[str, Json] = {}
        if spread.get("likelihood"):
            out["likelihood"] = spread["likelihood"]
        out.update(spread.get("impact") or {})
        return {
            k: {
                "median": v["median_position"],
                "min": v["min_position"],
                "max": v["max_position"],
                "width": v["max_position"] - v["min_position"],
                "analysts": v["analysts"],
            }
            for k, v in out.items()
            if v and v.get("median_position") is not None
        }

    ca, cb = cells(a), cells(b)
    return [(k, ca.get(k), cb.get(k)) for k in dict.fromkeys([*ca, *cb])]


@router.get(BASE + "/rounds/{number}", summary="A round: spread and submissions")
def get_round(
    assessment_id: AssessmentId, number: Number, s: SessionDep, user: UserDep, response: Response
) -> Json:
    """The round's spread per scenario (coordinators see an open round live; the others a
    closed round)."""
    row, role = assessment_for(s, user, assessment_id)
    r = wf.round_by_number(s, assessment_id, number)
    _may_see_round(role, r)
    classified(response, row.classification)
    return {"classification": row.classification, **round_view(s, row, r)}

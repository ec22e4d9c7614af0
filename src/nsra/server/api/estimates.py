"""One estimate (one analyst, one scenario, one level, one slot): read it, and write it with
optimistic locking (``GET`` and ``PUT`` :data:`ESTIMATE`).

Decisions (read before changing):

* A slot is a criterion id, ``likelihood``, or ``likelihood@<horizon>`` for the likelihood at
  a horizon the method declares (the BNRA's ``likelihood@2050``; a method without that
  horizon: 422, field ``slot``), see :mod:`nsra.server.db.slots`. It is one row of
  ``estimate_entries`` and its row ``version`` is what the client sends back: the write happens
  only when the stored version is the one the client saw (``null``: the client believes there
  is no estimate yet). Otherwise 409 with the current value and version, and nothing is
  written. Two writes racing past the check are stopped by the database (the versioned
  UPDATE, or the unique audit sequence number).
* The estimate is checked by the file checker's own rules (:func:`nsra.io.estimates.targets`),
  so the API gives the same plain message as ``nsra validate``; a horizon's likelihood by the
  very rules of the present likelihood (the same target: scale, classes, values in its unit).
* Who may write: coordinators of the assessment and administrators any estimate; an analyst
  member only their own (the analysts linked to their user), of the scenarios assigned to them,
  within the rules of the Delphi rounds (:mod:`nsra.server.db.workflow`); viewers nothing.
  Non-members get 404 as everywhere.
* Who may read: every member, except that during an open round an analyst sees another
  analyst's estimate of a scenario only after submitting their own (403 before).
* The change and its audit entry (old value, new value, rationale) are one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import String, and_, bindparam, select
from sqlalchemy.orm import Session

from nsra.io.estimates import Target, estimate_problem, targets
from nsra.io.jsondoc import Json
from nsra.io.problems import format_path
from nsra.model.method import Method
from nsra.server.api import limits
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, UserDep, classified, write_answer
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep
from nsra.server.db import audit, workflow
from nsra.server.db.access import UserRow
from nsra.server.db.methods import method_by_pk
from nsra.server.db.models import (
    HORIZON_PREFIX,
    AnalystRow,
    AssessmentRow,
    EstimateEntryRow,
    EstimateRow,
    ScenarioRow,
)
from nsra.server.db.slots import LIKELIHOOD, UnknownSlot, criterion_of
from nsra.server.db.specs import SpecError, row_spec, to_spec

router = APIRouter()
__all__ = ["ESTIMATE", "LIKELIHOOD", "EstimateWrite", "read_estimate", "write_estimate"]
ESTIMATE = "/api/assessments/{assessment_id}/scenarios/{scenario}/estimates/{analyst}/{slot}"


class EstimateWrite(BaseModel):
    """The new estimate as written in an assessment file, why, and the version last seen."""

    estimate: Any
    rationale: str | None = Field(None, max_length=limits.TEXT)
    version: int | None = None


@dataclass
class _Slot:
    """Where one estimate lives, and what checks it."""

    assessment: AssessmentRow
    scenario: ScenarioRow
    analyst: AnalystRow
    level: str | None
    criterion: str | None  # as stored: None for the likelihood, horizon:<id> at a horizon
    target: Target
    estimate: EstimateRow | None
    entry: EstimateEntryRow | None


def _slot(
    session: Session,
    user: UserRow,
    assessment_id: int,
    scenario_key: str,
    analyst_key: str,
    slot: str,
    level: str | None,
    write: bool,
) -> _Slot:
    row, role = assessment_for(session, user, assessment_id)
    if write and role == "viewer":
        raise ApiError(403, f"your role in assessment {assessment_id} (viewer) does not allow this")
    scenario = workflow.scenario_by_key(session, assessment_id, scenario_key)
    analyst = workflow.analyst_by_key(session, assessment_id, analyst_key)
    if role == "analyst":
        if write:
            try:
                workflow.check_analyst_may_write(session, user.id, user.name, analyst, scenario)
            except workflow.WorkflowError as exc:
                raise ApiError(exc.status, exc.message, exc.field) from None
        elif analyst.user_id != user.id:
            hidden = workflow.hidden_scenarios(session, user.id, assessment_id) or set()
            if scenario.key in hidden:
                raise ApiError(
                    403,
                    f"the round is open: the other analysts' estimates of {scenario_key!r} show "
                    "after you submit yours",
                    "scenario",
                )

    method = method_by_pk(session, row.method_pk)
    levels = [lv.id for lv in method.intensity_levels]
    if levels and level not in levels:
        raise ApiError(
            422,
            f"method {method.id} scores each intensity level: give level ({', '.join(levels)})"
            + (f"; found {level!r}" if level is not None else ""),
            "level",
        )
    if not levels and level is not None:
        raise ApiError(422, f"method {method.id} has no intensity levels; remove 'level'", "level")
    crit_targets, lik_targets, _ = _targets(method)
    try:
        criterion = criterion_of(method, slot)
    except UnknownSlot as exc:
        raise ApiError(422, str(exc), "slot") from None
    if criterion is None or criterion.startswith(HORIZON_PREFIX):
        target = lik_targets[scenario.malicious]  # a horizon: the present likelihood's scale
    else:
        target = crit_targets[[c.id for c in method.criteria].index(criterion)]
    # the estimate and its entry for the slot in one query (not all the estimate's entries)
    found = session.execute(
        _ESTIMATE_AND_ENTRY,
        {"scenario": scenario.id, "analyst": analyst.id, "level": level, "criterion": criterion},
    ).one_or_none()
    estimate, entry = (None, None) if found is None else found
    return _Slot(row, scenario, analyst, level, criterion, target, estimate, entry)


_ESTIMATE_AND_ENTRY = (
    select(EstimateRow, EstimateEntryRow)
    .outerjoin(
        EstimateEntryRow,
        and_(
            EstimateEntryRow.estimate_id == EstimateRow.id,
            EstimateEntryRow.criterion.is_not_distinct_from(bindparam("criterion", type_=String)),
        ),
    )
    .where(
        EstimateRow.scenario_id == bindparam("scenario"),
        EstimateRow.analyst_id == bindparam("analyst"),
        EstimateRow.level.is_not_distinct_from(bindparam("level", type_=String)),
    )
    .order_by(EstimateEntryRow.position)
    .limit(1)
)
"""An analyst's estimate of a scenario (at a level, or none) and its entry for a slot (a
criterion, or none for the likelihood): built once (see :mod:`nsra.server.db.workflow`)."""

_TARGETS: dict[int, tuple[Method, tuple[list[Target], dict[bool, Target], Target | None]]] = {}


def _targets(method: Method) -> tuple[list[Target], dict[bool, Target], Target | None]:
    """:func:`nsra.io.estimates.targets`, kept per method object: a stored method is parsed
    once and shared (:func:`nsra.server.db.methods.method_by_pk`), and ``Method`` is frozen.
    The entry holds the method, so its id cannot be reused while the entry lives."""
    kept = _TARGETS.get(id(method))
    if kept is None or kept[0] is not method:
        if len(_TARGETS) >= 64:
            _TARGETS.clear()
        kept = _TARGETS[id(method)] = (method, targets(method))
    return kept[1]


def _answer(at: _Slot, slot: str) -> Json:
    return {
        "classification": at.assessment.classification,
        "scenario": at.scenario.key,
        "analyst": at.analyst.key,
        "level": at.level,
        "slot": slot,
        "estimate": None if at.entry is None else row_spec(at.entry),
        "version": None if at.entry is None else at.entry.version,
    }


def read_estimate(
    session: Session,
    user: UserRow,
    assessment_id: int,
    scenario_key: str,
    analyst_key: str,
    slot: str,
    level: str | None,
) -> Json:
    """The stored estimate of a slot and its version (both null when there is none)."""
    at = _slot(session, user, assessment_id, scenario_key, analyst_key, slot, level, write=False)
    return _answer(at, slot)


def write_estimate(
    session: Session,
    user: UserRow,
    assessment_id: int,
    scenario_key: str,
    analyst_key: str,
    slot: str,
    level: str | None,
    body: EstimateWrite,
) -> Json:
    """Check, compare versions, write and record; the caller commits. Raises :class:`ApiError`."""
    at = _slot(session, user, assessment_id, scenario_key, analyst_key, slot, level, write=True)
    scenario, analyst, target, criterion = at.scenario, at.analyst, at.target, at.criterion
    estimate, entry = at.estimate, at.entry
    problem = estimate_problem(target, body.estimate)
    if problem is not None:
        raise ApiError(422, problem.message, format_path(("estimate", *problem.path)))
    try:
        columns = to_spec(body.estimate).columns()
    except SpecError as exc:
        raise ApiError(422, str(exc), "estimate") from None

    current = None if entry is None else row_spec(entry)
    stored_version = None if entry is None else entry.version
    if body.version != stored_version:
        raise ApiError(
            409,
            "the estimate was changed since you read it (or you did not read it): "
            "nothing was written; see the current value and version",
            "version",
            extra={"current": current, "version": stored_version},
        )

    if entry is None:
        if estimate is None:
            estimate = EstimateRow(
                position=len(scenario.estimates), analyst=analyst, level=level, entries=[]
            )
            scenario.estimates.append(estimate)
        position = max((e.position for e in estimate.entries), default=-1) + 1
        entry = EstimateEntryRow(position=position, criterion=criterion, **columns)
        estimate.entries.append(entry)
    else:
        for name, value in columns.items():
            setattr(entry, name, value)
        # Always an UPDATE, even when the value is the one already stored: the UPDATE is what
        # checks the version in the database (WHERE version = v), so a concurrent change made
        # after this write read the entry is never overwritten or recorded as if it were not.
        entry.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    new = row_spec(entry)
    key = f"{scenario.key}/{analyst.key}/{level or ''}/{slot}"
    recorded = audit.record(
        session,
        assessment_id=at.assessment.id,
        action="estimate.create" if current is None else "estimate.update",
        entity_table="estimate_entries",
        entity_key=key,
        old=current,
        new=new,
        user=user.name,
        scenario=scenario.key,
        rationale=body.rationale,
    )
    at.entry = entry
    return {**_answer(at, slot), "audit": recorded.seq}


@router.get(ESTIMATE)
def get_estimate(
    assessment_id: AssessmentId,
    scenario: str,
    analyst: str,
    slot: str,
    s: SessionDep,
    user: UserDep,
    response: Response,
    level: Annotated[str | None, Query()] = None,
) -> Json:
    """One stored estimate as written in the file, with the version to send back when
    changing it (both null when there is none)."""
    result = read_estimate(s, user, assessment_id, scenario, analyst, slot, level)
    classified(response, result["classification"])
    return result


@router.put(ESTIMATE)
def put_estimate(
    assessment_id: AssessmentId,
    scenario: str,
    analyst: str,
    slot: str,
    body: EstimateWrite,
    user: UserDep,
    request: Request,
    response: Response,
    level: Annotated[str | None, Query()] = None,
) -> Json:
    """Write one estimate (``slot``: a criterion id, ``likelihood``, or ``likelihood@2050`` for
    the likelihood at a horizon of the method; ``level`` for methods with intensity levels) if
    ``version`` is the stored one (``null`` to create), else 409 with the current value; the
    change is recorded in the audit trail."""
    return write_answer(
        request,
        response,
        lambda w: write_estimate(w, user, assessment_id, scenario, analyst, slot, level, body),
    )

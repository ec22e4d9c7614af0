"""The interdepartmental workflow: who estimates which scenario, Delphi rounds, submissions.

Decisions (read before changing):

* **Analysts are linked to users.** An analyst of the assessment file (``analysts: - id: ...``)
  is a person; ``analysts.user_id`` says which user of the server they are. A user writes the
  estimates of the analysts linked to them. On import (and in databases made before the link
  existed) an analyst whose id equals a user's name is linked to that user; a coordinator links
  analysts explicitly when inviting them.
* **Assignments.** A coordinator assigns scenarios to analysts; an analyst writes estimates only
  of the scenarios assigned to them. On import every analyst is assigned the scenarios they have
  estimates of in the file.
* **Rounds (Delphi).** A coordinator opens round 1, 2, ...; at most one round is open at a time.
  While a round is open an analyst submits each assigned scenario once; after submitting they can
  no longer change that scenario's estimates in this round, and only then do they see the other
  analysts' estimates of it. Before the first round is opened the assessment is being prepared:
  analysts edit their estimates freely. After the first round, analysts write only in an open
  round. Coordinators and administrators may always write (corrections are audited).
* **Closing a round** stores a snapshot of every scenario's estimates (as in the file), so
  rounds stay comparable after the estimates change in the next round. An open round is read
  live from the estimates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from nsra.io.jsondoc import Json
from nsra.server.db.access import UserRow
from nsra.server.db.models import AnalystRow, AssessmentRow, Base, Row, ScenarioRow


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AssignmentRow(Row, Base):
    """Analyst ``analyst`` is to estimate scenario ``scenario``."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("scenario_id", "analyst_id"),)

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )
    analyst_id: Mapped[int] = mapped_column(
        ForeignKey("analysts.id", ondelete="CASCADE"), nullable=False, index=True
    )

    scenario: Mapped[ScenarioRow] = relationship()
    analyst: Mapped[AnalystRow] = relationship()


class RoundRow(Row, Base):
    """A Delphi round of an assessment; ``snapshot`` holds the estimates when it was closed."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False)  # open | closed
    note: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(120), nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closed_by: Mapped[str | None] = mapped_column(String(120))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    snapshot: Mapped[Any | None] = mapped_column(JSON)  # {scenario id: [estimates as in file]}


class SubmissionRow(Row, Base):
    """Analyst ``analyst`` submitted their estimates of ``scenario`` in round ``round``."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("round_id", "analyst_id", "scenario_id"),)

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True
    )
    analyst_id: Mapped[int] = mapped_column(
        ForeignKey("analysts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False, index=True
    )
    submitted_by: Mapped[str] = mapped_column(String(120), nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    analyst: Mapped[AnalystRow] = relationship()
    scenario: Mapped[ScenarioRow] = relationship()


class WorkflowError(Exception):
    """A workflow step that is not possible now: HTTP-like status, message, field."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


# -- look-ups --------------------------------------------------------------------------------


# The lookups every estimate request makes, built once: building a statement and its cache key
# cost more than running it (about 0.07 ms a query, issue 12).
_SCENARIO_BY_KEY = select(ScenarioRow).where(
    ScenarioRow.assessment_id == bindparam("aid"), ScenarioRow.key == bindparam("key")
)
_ANALYST_BY_KEY = select(AnalystRow).where(
    AnalystRow.assessment_id == bindparam("aid"), AnalystRow.key == bindparam("key")
)
_ASSIGNED = (
    select(func.count())
    .select_from(AssignmentRow)
    .where(
        AssignmentRow.analyst_id == bindparam("analyst"),
        AssignmentRow.scenario_id == bindparam("scenario"),
    )
)
_ROUNDS = (
    select(RoundRow).where(RoundRow.assessment_id == bindparam("aid")).order_by(RoundRow.number)
)
_OPEN_ROUND = select(RoundRow).where(
    RoundRow.assessment_id == bindparam("aid"), RoundRow.status == "open"
)


def scenario_by_key(session: Session, assessment_id: int, key: str) -> ScenarioRow:
    row = session.scalars(_SCENARIO_BY_KEY, {"aid": assessment_id, "key": key}).one_or_none()
    if row is None:
        raise WorkflowError(404, f"assessment {assessment_id} has no scenario {key!r}", "scenario")
    return row


def analyst_by_key(session: Session, assessment_id: int, key: str) -> AnalystRow:
    row = session.scalars(_ANALYST_BY_KEY, {"aid": assessment_id, "key": key}).one_or_none()
    if row is None:
        raise WorkflowError(404, f"assessment {assessment_id} has no analyst {key!r}", "analyst")
    return row


def own_analysts(session: Session, user_id: int, assessment_id: int) -> list[AnalystRow]:
    """The analysts of the assessment linked to the user."""
    return list(
        session.scalars(
            select(AnalystRow).where(
                AnalystRow.assessment_id == assessment_id, AnalystRow.user_id == user_id
            )
        )
    )


def is_assigned(session: Session, analyst_id: int, scenario_id: int) -> bool:
    return (session.scalar(_ASSIGNED, {"analyst": analyst_id, "scenario": scenario_id}) or 0) > 0


def assignments(session: Session, assessment_id: int) -> list[AssignmentRow]:
    return list(
        session.scalars(
            select(AssignmentRow)
            .join(ScenarioRow, AssignmentRow.scenario_id == ScenarioRow.id)
            .join(AnalystRow, AssignmentRow.analyst_id == AnalystRow.id)
            .where(ScenarioRow.assessment_id == assessment_id)
            .order_by(ScenarioRow.position, AnalystRow.position)
        )
    )


def rounds(session: Session, assessment_id: int) -> list[RoundRow]:
    return list(session.scalars(_ROUNDS, {"aid": assessment_id}))


def open_round_of(session: Session, assessment_id: int) -> RoundRow | None:
    return session.scalars(_OPEN_ROUND, {"aid": assessment_id}).one_or_none()


def round_by_number(session: Session, assessment_id: int, number: int) -> RoundRow:
    row = session.scalars(
        select(RoundRow).where(RoundRow.assessment_id == assessment_id, RoundRow.number == number)
    ).one_or_none()
    if row is None:
        raise WorkflowError(404, f"assessment {assessment_id} has no round {number}", "round")
    return row


def submissions(session: Session, round_id: int) -> list[SubmissionRow]:
    return list(
        session.scalars(
            select(SubmissionRow)
            .where(SubmissionRow.round_id == round_id)
            .order_by(SubmissionRow.id)
        )
    )


def submitted_scenarios(session: Session, round_id: int, analyst_ids: list[int]) -> set[int]:
    """Ids of the scenarios that one of ``analyst_ids`` submitted in the round."""
    if not analyst_ids:
        return set()
    return set(
        session.scalars(
            select(SubmissionRow.scenario_id).where(
                SubmissionRow.round_id == round_id, SubmissionRow.analyst_id.in_(analyst_ids)
            )
        )
    )


# -- rules -----------------------------------------------------------------------------------


def check_analyst_may_write(
    session: Session, user_id: int, user_name: str, analyst: AnalystRow, scenario: ScenarioRow
) -> None:
    """The rules for an analyst member writing an estimate (see the module's decisions)."""
    if analyst.user_id != user_id:
        raise WorkflowError(
            403,
            f"an analyst writes only their own estimates; analyst {analyst.key!r} is not "
            f"linked to user {user_name!r}",
            "analyst",
        )
    if not is_assigned(session, analyst.id, scenario.id):
        raise WorkflowError(
            403,
            f"scenario {scenario.key!r} is not assigned to analyst {analyst.key!r}; "
            "ask the coordinator",
            "scenario",
        )
    current = open_round_of(session, scenario.assessment_id)
    if current is None:
        if rounds(session, scenario.assessment_id):
            raise WorkflowError(
                409,
                "no round is open: estimates are written in an open round; "
                "ask the coordinator to open the next round",
                "round",
            )
        return
    if analyst.id in {
        s.analyst_id for s in submissions(session, current.id) if s.scenario_id == scenario.id
    }:
        raise WorkflowError(
            409,
            f"analyst {analyst.key!r} already submitted scenario {scenario.key!r} in round "
            f"{current.number}; it can change in the next round",
            "round",
        )


def hidden_scenarios(session: Session, user_id: int, assessment_id: int) -> set[str] | None:
    """For an analyst member: the scenarios whose other estimates they may not see yet (the
    open round's scenarios they have not submitted); None when there is no open round."""
    current = open_round_of(session, assessment_id)
    if current is None:
        return None
    mine = [a.id for a in own_analysts(session, user_id, assessment_id)]
    done = submitted_scenarios(session, current.id, mine)
    keys = session.execute(
        select(ScenarioRow.id, ScenarioRow.key).where(ScenarioRow.assessment_id == assessment_id)
    ).all()
    return {key for sid, key in keys if sid not in done}


def redact(data: Json, hidden: set[str], own: set[str]) -> Json:
    """The assessment data without the estimates of other analysts than ``own`` for the
    scenarios in ``hidden`` (a copy; the consensus stays: it is the coordinator's)."""
    scenarios = []
    for sc in data.get("scenarios", []):
        if sc.get("id") in hidden and sc.get("estimates"):
            sc = {**sc, "estimates": [e for e in sc["estimates"] if e.get("analyst") in own]}
        scenarios.append(sc)
    return {**data, "scenarios": scenarios}


# -- steps -----------------------------------------------------------------------------------


def open_round(
    session: Session, assessment: AssessmentRow, user: str, note: str | None
) -> RoundRow:
    current = open_round_of(session, assessment.id)
    if current is not None:
        raise WorkflowError(409, f"round {current.number} is still open: close it first", "round")
    number = 1 + (
        session.scalar(
            select(func.max(RoundRow.number)).where(RoundRow.assessment_id == assessment.id)
        )
        or 0
    )
    row = RoundRow(
        assessment_id=assessment.id,
        number=number,
        status="open",
        note=note,
        opened_by=user,
        opened_at=now(),
    )
    session.add(row)
    session.flush()
    return row


def close_round(
    session: Session, row: RoundRow, user: str, estimates: dict[str, list[Any]]
) -> RoundRow:
    """Close the (open) round, keeping ``estimates`` (per scenario id, as in the file)."""
    if row.status != "open":
        raise WorkflowError(409, f"round {row.number} is already closed", "round")
    row.status = "closed"
    row.closed_by = user
    row.closed_at = now()
    row.snapshot = estimates
    session.flush()
    return row


def submit(
    session: Session, row: RoundRow, analyst: AnalystRow, scenario: ScenarioRow, user: str
) -> SubmissionRow:
    if row.status != "open":
        raise WorkflowError(409, f"round {row.number} is closed", "round")
    done = {(s.analyst_id, s.scenario_id) for s in submissions(session, row.id)}
    if (analyst.id, scenario.id) in done:
        raise WorkflowError(
            409,
            f"analyst {analyst.key!r} already submitted scenario {scenario.key!r} in round "
            f"{row.number}",
            "scenario",
        )
    sub = SubmissionRow(
        round_id=row.id,
        analyst=analyst,
        scenario=scenario,
        submitted_by=user,
        submitted_at=now(),
    )
    session.add(sub)
    session.flush()
    return sub


def assign(session: Session, analyst: AnalystRow, scenario: ScenarioRow) -> bool:
    """Assign; False when it already was."""
    if is_assigned(session, analyst.id, scenario.id):
        return False
    session.add(AssignmentRow(analyst=analyst, scenario=scenario))
    session.flush()
    return True


def unassign(session: Session, analyst: AnalystRow, scenario: ScenarioRow) -> bool:
    row = session.scalars(
        select(AssignmentRow).where(
            AssignmentRow.analyst_id == analyst.id, AssignmentRow.scenario_id == scenario.id
        )
    ).one_or_none()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def link_analysts_by_name(session: Session, assessment: AssessmentRow) -> None:
    """Link each unlinked analyst whose id is a user's name to that user (import)."""
    for analyst in assessment.analysts:
        if analyst.user_id is None:
            user = session.scalars(select(UserRow).where(UserRow.name == analyst.key)).one_or_none()
            if user is not None:
                analyst.user_id = user.id
    session.flush()


def assign_from_estimates(session: Session, assessment: AssessmentRow) -> None:
    """Assign each analyst the scenarios they have estimates of (used on import)."""
    pairs = {(e.analyst_id, sc.id) for sc in assessment.scenarios for e in sc.estimates}
    for analyst_id, scenario_id in sorted(pairs):
        session.add(AssignmentRow(analyst_id=analyst_id, scenario_id=scenario_id))
    session.flush()

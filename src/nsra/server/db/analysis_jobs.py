"""Analyses run as background jobs: their state, progress and results, kept in the database.

Decisions (read before changing):

* The database holds every job's state, not the memory of one process: the server may run
  several worker processes (``nsra serve --workers 4``), a poll may reach another one than the
  start did, and the job itself runs in yet another process (a pool of the worker).
* A job belongs to one *view* of one *revision* of an assessment: ``view_key`` is the API's
  :attr:`nsra.server.api.views.View.view_key` as JSON (who may see it: everything, or an
  analyst's view in an open round without the other analysts' hidden estimates) and
  ``view_digest`` its SHA-256, compared and indexed instead of the text. A member sees only
  the jobs of their own view, so an analysis built from hidden estimates never reaches an
  analyst who may not see them.
* One job per (assessment, view, revision, seed, samples) (a unique constraint): starting the
  same analysis again reuses the finished or running one; a failed (or stopped) one is started
  afresh in the same row.
* Status: ``queued`` -> ``running`` -> ``done`` or ``failed``. Updates are plain ``UPDATE``s
  that bump the row version (the pool process and the web workers write the same row; no
  ORM object is held across them). A queued or running job that has not moved for
  :data:`STALE` (its process ended with the server) counts as failed.
* ``error`` is a plain sentence for the reader, never a traceback (that goes to the log).
* Jobs of older revisions of the same view are deleted when a new one starts (they can no
  longer be shown), so the table holds about one analysis per view and set of options.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from nsra.server.db.models import AssessmentRow, Base, Row

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)
STALE = dt.timedelta(minutes=10)
"""A queued or running job whose row has not changed for this long has stopped (its process
ended): progress is written at least at every stage of an analysis, each far shorter."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AnalysisJobRow(Row, Base):
    __tablename__ = "analysis_jobs"
    __table_args__ = (
        UniqueConstraint("assessment_id", "view_digest", "revision", "seed", "samples"),
    )

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey(AssessmentRow.id, ondelete="CASCADE"), nullable=False, index=True
    )
    view_key: Mapped[str] = mapped_column(Text, nullable=False)
    view_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    seed: Mapped[int] = mapped_column(Integer, nullable=False)
    samples: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    stage: Mapped[str | None] = mapped_column(String(40))
    progress: Mapped[float] = mapped_column(Float, nullable=False)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[Any | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(120), nullable=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


def view_text(view_key: Sequence[Any]) -> str:
    """A view key (tuples of strings and numbers) as canonical JSON."""
    return json.dumps(view_key, separators=(",", ":"), sort_keys=True)


def digest(view_key: str) -> str:
    return hashlib.sha256(view_key.encode("utf-8")).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def status_of(job: AnalysisJobRow, now: dt.datetime | None = None) -> str:
    """The job's status, a queued or running job that stopped moving counted as failed."""
    if job.status in ACTIVE and (now or _now()) - _aware(job.updated_at) > STALE:
        return FAILED
    return job.status


def jobs_of(s: Session, assessment_id: int, view_key: str, revision: int) -> list[AnalysisJobRow]:
    """The jobs of one view of one revision, newest first."""
    query = (
        select(AnalysisJobRow)
        .where(
            AnalysisJobRow.assessment_id == assessment_id,
            AnalysisJobRow.view_digest == digest(view_key),
            AnalysisJobRow.revision == revision,
        )
        .order_by(AnalysisJobRow.id.desc())
    )
    return list(s.scalars(query))


def job_of(s: Session, assessment_id: int, view_key: str, job_id: int) -> AnalysisJobRow | None:
    """One job of this view of the assessment (any revision), or None."""
    job = s.get(AnalysisJobRow, job_id)
    if job is None or job.assessment_id != assessment_id or job.view_digest != digest(view_key):
        return None
    return job


def claim(
    s: Session,
    assessment_id: int,
    view_key: str,
    revision: int,
    seed: int,
    samples: int,
    user: str,
) -> tuple[AnalysisJobRow, bool]:
    """The job of these options, and whether it must be started now: an existing finished or
    running job is reused (False); a new one, or a failed one made new, is queued (True).
    Jobs of older revisions of the view are deleted. The caller commits."""
    key = digest(view_key)
    found = s.scalars(
        select(AnalysisJobRow).where(
            AnalysisJobRow.assessment_id == assessment_id,
            AnalysisJobRow.view_digest == key,
            AnalysisJobRow.revision == revision,
            AnalysisJobRow.seed == seed,
            AnalysisJobRow.samples == samples,
        )
    ).first()
    if found is not None and status_of(found) != FAILED:
        return found, False
    s.execute(
        delete(AnalysisJobRow).where(
            AnalysisJobRow.assessment_id == assessment_id,
            AnalysisJobRow.view_digest == key,
            AnalysisJobRow.revision < revision,
            AnalysisJobRow.status.not_in(ACTIVE),
        )
    )
    fresh = {
        "status": QUEUED,
        "stage": None,
        "progress": 0.0,
        "error": None,
        "result": None,
        "created_by": user,
        "started_at": None,
        "finished_at": None,
    }
    if found is not None:
        for name, value in fresh.items():
            setattr(found, name, value)
        s.flush()
        return found, True
    job = AnalysisJobRow(
        assessment_id=assessment_id,
        view_key=view_key,
        view_digest=key,
        revision=revision,
        seed=seed,
        samples=samples,
        **fresh,
    )
    s.add(job)
    s.flush()
    return job, True


def _set(conn: Connection, job_id: int, only: Sequence[str], **values: Any) -> bool:
    """Change a job that is in one of the states ``only``; whether it was."""
    done = conn.execute(
        update(AnalysisJobRow)
        .where(AnalysisJobRow.id == job_id, AnalysisJobRow.status.in_(only))
        .values(version=AnalysisJobRow.version + 1, updated_at=_now(), **values)
    )
    return bool(done.rowcount)


def set_running(conn: Connection, job_id: int) -> bool:
    return _set(conn, job_id, ACTIVE, status=RUNNING, started_at=_now(), progress=0.0)


def set_progress(conn: Connection, job_id: int, stage: str, progress: float) -> bool:
    return _set(conn, job_id, ACTIVE, stage=stage[:40], progress=min(max(progress, 0.0), 1.0))


def set_done(conn: Connection, job_id: int, result: Any) -> bool:
    return _set(conn, job_id, ACTIVE, status=DONE, progress=1.0, result=result, finished_at=_now())


def set_failed(conn: Connection, job_id: int, message: str) -> bool:
    return _set(conn, job_id, ACTIVE, status=FAILED, error=message, finished_at=_now())

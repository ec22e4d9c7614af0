"""Heavy requests as jobs: answered 202 at once, made in a bounded pool of processes, fetched
by polling (issue 12).

A report with its Monte Carlo analyses (``?analysis=true``, up to 20,000 samples) takes
seconds of CPU, and a report as PDF or Word up to a minute for a large assessment; made inside
the request it held a worker thread, and a few of them held the server. Such a request is now
a *job*:

* the request checks everything it can at once (permission, parameters, the assessment's
  results from the cache) and answers **202** with ``{"job": ID, "status": "queued", "poll":
  "/api/jobs/ID"}`` and a ``Location`` header;
* the work runs in a pool of :data:`WORKERS_ENV` processes (default 1 per server worker;
  ``spawn``, so no lock of the threaded server is inherited), never in the server's threads,
  so ordinary requests keep their speed;
* ``GET /api/jobs/{id}`` answers 202 with the status while the job is queued or running, the
  finished document itself (its media type, file name and ``X-Classification``) once done,
  and 422 with the reason if it failed. Only the user who asked sees a job (anyone else: 404).
* Limits, counted in the database so every server worker counts the same: at most
  :data:`PER_USER` unfinished jobs per user (429 with ``Retry-After``) and at most
  :data:`QUEUE` unfinished jobs in all (503 with ``Retry-After``).
* The job's state and document are rows of ``jobs`` (any server worker answers the poll);
  finished jobs older than :data:`KEEP` are removed when a new job is made. A job whose
  server stopped before it finished is failed after :data:`STALE`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from nsra.io.problems import InputError
from nsra.report.formats import MEDIA_TYPES
from nsra.server.api.deps import DB_INT_MAX, UserDep, classified
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import engine_of, write
from nsra.server.db.access import UserRow
from nsra.server.db.jobs import UNFINISHED, JobRow
from nsra.server.settings import positive

log = logging.getLogger("nsra.server")
router = APIRouter()

JOB_DOCUMENTS: dict[str, dict[str, str]] = {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}
"""What a finished job answers: the documents that are made as jobs (the reports)."""
JOB_ANSWER: dict[str, Any] = {
    "description": "Made as a job: poll the address in Location (GET /api/jobs/{id}).",
    "content": {"application/json": {}},
}

WORKERS_ENV = "NSRA_JOB_WORKERS"
PER_USER = 2
QUEUE = 16
KEEP = dt.timedelta(hours=1)
STALE = dt.timedelta(hours=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobPool:
    """The processes heavy work runs in (made at the first job), and the database it reports
    to."""

    def __init__(self, engine: Engine, executor: Executor | None = None) -> None:
        self.engine = engine
        self._executor = executor
        self._lock = threading.Lock()

    def executor(self) -> Executor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=positive(WORKERS_ENV, 1), mp_context=get_context("spawn")
                )
            return self._executor

    def shutdown(self) -> None:
        """Stop the processes (the server stops); unfinished jobs are failed later as stale."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def submit(
        self,
        user: str,
        kind: str,
        assessment_id: int,
        document: tuple[str, str, str],
        work: Callable[..., bytes],
        *args: Any,
    ) -> Response:
        """Queue ``work(*args)`` (a module-level function returning the document's bytes) for
        ``user``; the 202 answer. ``document``: media type, file name, classification."""
        media_type, filename, classification = document

        def claim(w: Session) -> int:
            _forget_old(w)
            mine, everyone = _unfinished(w, user)
            if mine >= PER_USER:
                raise ApiError(
                    429,
                    f"you have {mine} reports being made: fetch one before asking for another",
                    None,
                    headers={"Retry-After": "5"},
                )
            if everyone >= QUEUE:
                raise ApiError(
                    503,
                    "the server is busy making reports: try again shortly",
                    None,
                    headers={"Retry-After": "10"},
                )
            row = JobRow(
                user_name=user,
                kind=kind,
                assessment_id=assessment_id,
                status="queued",
                media_type=media_type,
                filename=filename,
                classification=classification,
            )
            w.add(row)
            w.flush()
            return row.id

        job_id = write(self.engine, claim)
        self._set(job_id, status="running")
        future = self.executor().submit(work, *args)
        future.add_done_callback(lambda done: self._finish(job_id, done))
        poll = f"/api/jobs/{job_id}"
        answer = JSONResponse(
            {"job": job_id, "status": "queued", "poll": poll},
            status_code=202,
            headers={"Location": poll, "Retry-After": "2"},
        )
        classified(answer, classification)
        return answer

    def _finish(self, job_id: int, done: Future[bytes]) -> None:
        try:
            body = done.result()
        except InputError as exc:
            self._set(job_id, status="failed", error=str(exc.problems[0].message)[:2000])
        except Exception:
            log.exception("job %s failed", job_id)
            self._set(job_id, status="failed", error="the server could not make it")
        else:
            self._set(job_id, status="done", body=body)

    def _set(self, job_id: int, **values: Any) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(JobRow, job_id)
            if row is not None:
                for name, value in values.items():
                    setattr(row, name, value)
                if values.get("status") in ("done", "failed"):
                    row.finished_at = _now()


def _unfinished(w: Session, user: str) -> tuple[int, int]:
    """The user's unfinished jobs and everyone's (jobs left by a stopped server are failed)."""
    stale = _now() - STALE
    for row in w.scalars(
        select(JobRow).where(JobRow.status.in_(UNFINISHED), JobRow.created_at < stale)
    ):
        row.status, row.error, row.finished_at = "failed", "the server stopped", _now()
    mine, everyone = w.execute(
        select(func.count().filter(JobRow.user_name == user), func.count()).where(
            JobRow.status.in_(UNFINISHED)
        )
    ).one()
    return int(mine), int(everyone)


def _forget_old(w: Session) -> None:
    w.execute(delete(JobRow).where(JobRow.finished_at < _now() - KEEP))


def pool_of(request: Request) -> JobPool:
    """The application's job pool (made at the first heavy request)."""
    pool: JobPool | None = getattr(request.app.state, "jobs", None)
    if pool is None:
        pool = request.app.state.jobs = JobPool(engine_of(request))
    return pool


@dataclass(frozen=True)
class Heavy:
    """Where a heavy request of a user on an assessment goes: the application's pool."""

    pool: JobPool
    user: str
    assessment_id: int

    def submit(
        self,
        kind: str,
        document: tuple[str, str, str],
        work: Callable[..., bytes],
        *args: Any,
    ) -> Response:
        return self.pool.submit(self.user, kind, self.assessment_id, document, work, *args)


def heavy(request: Request, user: UserRow, assessment_id: int) -> Heavy:
    return Heavy(pool_of(request), user.name, assessment_id)


@router.get(
    "/api/jobs/{job_id}",
    summary="A job's state, or its document once made",
    responses={200: {"content": JOB_DOCUMENTS}, 202: JOB_ANSWER},
)
def get_job(
    job_id: Annotated[int, Path(ge=1, le=DB_INT_MAX, description="The job's id.")],
    user: UserDep,
    request: Request,
) -> Response:
    """202 with ``{"job", "status"}`` while queued or running; the document once done (as the
    request that made the job would have answered it); 422 with the reason if it failed."""
    with Session(engine_of(request)) as s:
        row = s.get(JobRow, job_id)
        if row is None or row.user_name != user.name:
            raise ApiError(404, "not found", None)
        if row.status == "failed":
            raise ApiError(422, row.error or "the job failed", None)
        if row.status != "done" or row.body is None:
            answer: Response = JSONResponse(
                {"job": row.id, "status": row.status, "poll": f"/api/jobs/{row.id}"},
                status_code=202,
                headers={"Retry-After": "2"},
            )
        else:
            answer = Response(row.body, media_type=row.media_type)
            answer.headers["Content-Disposition"] = f'attachment; filename="{row.filename}"'
        classified(answer, row.classification)
        return answer

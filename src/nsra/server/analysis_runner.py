"""Analyses run in a pool of processes, never in a worker of the web server.

* :func:`start` hands a :class:`Task` (plain data: the member's view of the assessment as its
  file, the method's text, the options and the database URL) to a process pool of at most
  :func:`workers` processes (the CPU count, at most :data:`MAX_WORKERS`); the request that
  started it returns at once. Processes are started with ``spawn``: a fork of a threaded
  server may deadlock.
* :func:`run` (in a pool process) checks the assessment again, computes its results, runs the
  analyses (:func:`analysis_document`, ``nsra.analyse``) and writes the state, the progress
  and the result into the job's row (:mod:`nsra.server.db.analysis_jobs`): every web worker
  reads the same. What is computed is exactly what ``GET .../results`` computes for that view
  (the same parse and engine), so the analysis matches the results shown beside it.
* A failure is stored as a plain sentence: nsra's own message for an input that cannot be
  analysed, else :data:`FAILED_KEY` (the page says the analysis failed); the traceback goes to
  the log only. A pool that breaks (a process killed) fails its jobs the same way and is made
  again for the next one.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

from sqlalchemy import Engine

from nsra.analysis.pipeline import AnalysisOptions, Stage
from nsra.engine.compute import Results, compute
from nsra.io.contract import AnalysisDoc
from nsra.io.jsondoc import Json
from nsra.io.methods import parse_method
from nsra.io.problems import InputError
from nsra.io.validate import Loaded, parse_assessment
from nsra.model.method import Method
from nsra.server.api.downloads import analysis_options
from nsra.server.db import analysis_jobs as jobs
from nsra.server.db.engine import make_engine

log = logging.getLogger("nsra.server")

MAX_WORKERS = 4
FAILED_KEY = "web_analyses_failed"
"""Stored as the error of a job that failed for a reason the reader cannot act on."""

Work = Callable[[Loaded, Results, AnalysisOptions, Stage], AnalysisDoc]
"""What a job runs: the analyses of checked input and results, as a document."""

# where each stage of nsra.analysis.pipeline.analyse starts, as a share of the whole
STAGES: dict[str, tuple[str, float, float]] = {
    "Monte Carlo": ("monte_carlo", 0.05, 0.35),
    "Weight profiles": ("profiles", 0.35, 0.4),
    "SMAA": ("smaa", 0.4, 0.55),
    "Sensitivity": ("sensitivity", 0.55, 0.85),
    "Threat network": ("network", 0.85, 0.9),
    "Cascade simulation": ("cascades", 0.9, 0.98),
}


def options(samples: int, seed: int) -> AnalysisOptions:
    """The options of an analysis started from the page: those of the API's report with
    analyses."""
    made = analysis_options(True, samples, seed)
    assert made is not None
    return made


def analysis_document(
    loaded: Loaded, results: Results, opts: AnalysisOptions, progress: Stage
) -> AnalysisDoc:
    """Every analysis of the assessment (``nsra.analyse``) as its ``nsra-analysis/1`` document."""
    import nsra

    analyses = nsra.analyse(loaded, results, opts, progress=progress)
    return nsra.analysis_document(loaded, results, analyses)


@dataclass(frozen=True)
class Task:
    """One job, as plain data that crosses to the pool process."""

    url: str  # the database (with its password: it stays on this machine)
    job_id: int
    data: Json  # the member's view of the assessment, as its file
    source: str  # how problems name it: "assessment 3"
    method_text: str
    method_source: str
    samples: int
    seed: int


# -- in the pool process -------------------------------------------------------------------
_engines: OrderedDict[str, Engine] = OrderedDict()


@functools.lru_cache(maxsize=16)
def _method(text: str, source: str) -> Method:
    return parse_method(text, source)


def _engine(url: str) -> Engine:
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url)
        while len(_engines) > 4:
            _engines.popitem(last=False)[1].dispose()
    _engines.move_to_end(url)
    return engine


class _Reporter:
    """Writes the progress of a job into its row: at each new stage, else at most 4 times a
    second."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine, self.job_id = engine, job_id
        self.stage = ""
        self.written = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        key, start, end = STAGES.get(stage, ("other", 0.0, 0.0))
        now = time.monotonic()
        if key == self.stage and now - self.written < 0.25:
            return
        share = start + (end - start) * (done / total if total else 0.0)
        with self.engine.begin() as conn:
            jobs.set_progress(conn, self.job_id, key, share)
        self.stage, self.written = key, now


def run(task: Task, work: Work = analysis_document) -> None:
    """Run one job (in a pool process) and store what came of it."""
    engine = _engine(task.url)
    with engine.begin() as conn:
        if not jobs.set_running(conn, task.job_id):
            return  # gone, or already finished
    try:
        report = _Reporter(engine, task.job_id)
        report("Checking", 0, 1)
        method = _method(task.method_text, task.method_source)
        loaded = parse_assessment(json.dumps(task.data), task.source, method=method)
        results = compute(loaded.inputs, loaded.method, None)
        doc = work(loaded, results, options(task.samples, task.seed), report)
        stored = json.loads(json.dumps(doc, allow_nan=False))
    except InputError as exc:
        message = str(exc) or FAILED_KEY
    except Exception:
        log.exception("analysis job %s failed", task.job_id)
        message = FAILED_KEY
    else:
        with engine.begin() as conn:
            jobs.set_done(conn, task.job_id, stored)
        return
    with engine.begin() as conn:
        jobs.set_failed(conn, task.job_id, message)


# -- in the web worker ---------------------------------------------------------------------
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def workers() -> int:
    """How many analyses one server process runs at once: its CPUs, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _follow_parent(parent: int) -> None:
    """In each pool process: end when the server process that started it has ended (however
    it ended: a pool process left behind would wait for work forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="nsra-follow-parent", daemon=True).start()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=workers(),
                mp_context=get_context("spawn"),
                initializer=_follow_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def _forget(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _finished(engine: Engine, job_id: int, future: Future[None]) -> None:
    """After the pool is done with a job: a job the pool could not run has failed."""
    if future.cancelled():
        error: BaseException | None = None
        message = FAILED_KEY
    else:
        error = future.exception()
        if error is None:
            return
        message = FAILED_KEY
    log.error("analysis job %s did not run: %r", job_id, error)
    try:
        with engine.begin() as conn:
            jobs.set_failed(conn, job_id, message)
    except Exception:  # the application (and its database) may be gone already
        log.exception("analysis job %s: the failure could not be stored", job_id)


def start(engine: Engine, task: Task, work: Work = analysis_document) -> None:
    """Queue a job in the pool; returns at once. ``work`` must be a module's function (it is
    sent to the pool process by name)."""
    for attempt in range(2):
        pool = _executor()
        try:
            future = pool.submit(run, task, work)
        except (BrokenProcessPool, RuntimeError):
            _forget(pool)
            if attempt:
                raise
            continue
        future.add_done_callback(functools.partial(_after, pool, engine, task.job_id))
        return


def _after(pool: ProcessPoolExecutor, engine: Engine, job_id: int, f: Future[None]) -> None:
    if not f.cancelled() and isinstance(f.exception(), BrokenProcessPool):
        _forget(pool)
    _finished(engine, job_id, f)

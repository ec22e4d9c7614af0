"""The Analyses page: start the analyses of an assessment as a background job, follow its
progress, then read the results as the report shows them (uncertainty intervals, ranks under
the weight profiles, the SMAA heat map, sensitivity, the threat network, cascades).

* The job runs in a pool process (:mod:`nsra.server.analysis_runner`), never in a worker of the
  server; its state, progress and result are in the database
  (:mod:`nsra.server.db.analysis_jobs`), so any worker process answers a poll.
* Every member sees the analyses of their own view of the current revision (the API's
  :class:`~nsra.server.api.views.View`): an analyst in an open round never sees an analysis
  built from estimates hidden from them. Coordinators, administrators and analysts may start
  one; viewers read what was started (the same view as a coordinator's).
* ``GET .../analyses/jobs/{job}`` is the small JSON the page's script polls
  (``static/js/analyses.js``); without the script, the page has a refresh link.
* The sections are the report's (:func:`nsra.report.analyses.analysis_context`, its SVG
  figures), laid out for the page without inline styles (the page's CSP has none).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from nsra import i18n
from nsra.io.contract import AnalysisDoc
from nsra.model.text import tr
from nsra.report.analyses import analysis_context, box_texts, uncertainty_boxes
from nsra.report.panels import diagrams
from nsra.report.view import View as ReportView
from nsra.server import analysis_runner as runner
from nsra.server.api.deps import AssessmentId, Number
from nsra.server.api.downloads import DEFAULT_SAMPLES, DEFAULT_SEED, SAMPLES, SEEDS
from nsra.server.api.errors import ApiError
from nsra.server.api.transaction import SessionDep, engine_of, write
from nsra.server.db import analysis_jobs as jobs
from nsra.server.db.analysis_jobs import AnalysisJobRow
from nsra.server.web.assessment import ESTIMATORS, Here, form, here, one
from nsra.server.web.dashboard import overview
from nsra.server.web.home import to_sign_in
from nsra.server.web.pages import NO_STORE

router = APIRouter(include_in_schema=False)

STAGE_KEYS = ("checking", "monte_carlo", "profiles", "smaa", "sensitivity", "network", "cascades")


def _work(request: Request) -> runner.Work:
    """What a job runs (tests may set ``app.state.analysis_work`` to a module function)."""
    work: runner.Work = getattr(request.app.state, "analysis_work", runner.analysis_document)
    return work


def _view_key(h: Here) -> tuple[str, int]:
    view = h.view()
    return jobs.view_text(view.view_key), view.revision


def _stage(h: Here, stage: str | None) -> str:
    return h.t(f"web_analyses_stage_{stage}") if stage in STAGE_KEYS else ""


def _error(h: Here, job: AnalysisJobRow) -> str:
    if job.status in jobs.ACTIVE:  # stopped moving: its process ended
        return h.t("web_analyses_stopped")
    if not job.error or job.error == runner.FAILED_KEY:
        return h.t("web_analyses_failed")
    return h.t("web_analyses_failed_because", reason=job.error)


def _state(h: Here, job: AnalysisJobRow) -> dict[str, Any]:
    """What the page and the poll say of a job."""
    status = jobs.status_of(job)
    return {
        "id": job.id,
        "status": status,
        "status_label": h.t(f"web_analyses_status_{status}"),
        "progress": round(job.progress, 3),
        "percent": round(job.progress * 100),
        "stage": _stage(h, job.stage),
        "error": _error(h, job) if status == jobs.FAILED else "",
        "samples": job.samples,
        "seed": job.seed,
    }


# -- the results, as the report's sections -------------------------------------------------
def _heat_level(x: Any) -> int:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return 0
    return round(min(max(v, 0.0), 1.0) * 10) if v == v else 0


def sections(h: Here, doc: AnalysisDoc) -> dict[str, Any]:
    """The report's analysis sections of ``doc`` for this member's view, in their language."""
    loaded, _results, _doc = h.results()
    o = overview(h)
    v = ReportView(loaded, o["doc"], h.lang)
    rows = o["rows"]
    ctx = analysis_context(v, rows, doc)
    if ctx["uncertainty"]:
        boxes = uncertainty_boxes(doc["uncertainty"])
        ctx["box_diagram"] = diagrams(v, rows, boxes)
        ctx["box_texts"] = box_texts(v, rows, boxes)
    sm, sm_doc = ctx["smaa"], doc.get("smaa")
    if sm and sm_doc:  # heat-map cells get a class per tenth instead of an inline colour
        shares = {e["id"]: e["rank_acceptability"] for e in sm_doc["scenarios"]}
        for r in sm["rows"]:
            values = shares.get(r["id"], [])
            for k, cell in enumerate(r["cells"]):
                cell["level"] = _heat_level(values[k] if k < len(values) else 0.0)
    return ctx


def _profile_label(h: Here, doc: AnalysisDoc) -> str:
    wanted = doc["options"]["profile"]
    for p in h.method.profiles:
        if p.id == wanted:
            return tr(p.label, h.lang)
    return wanted or ""


# -- the page ------------------------------------------------------------------------------
def _page(
    h: Here,
    fields: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    key, revision = _view_key(h)
    found = jobs.jobs_of(h.s, h.id, key, revision)
    finished = [j for j in found if j.status == jobs.DONE]
    latest_done = max(finished, key=lambda j: j.finished_at or j.updated_at, default=None)
    latest = max(found, key=lambda j: j.updated_at, default=None)
    active = next((j for j in found if jobs.status_of(j) in jobs.ACTIVE), None)
    failed = latest if latest is not None and jobs.status_of(latest) == jobs.FAILED else None
    loaded, _results, _doc = h.results()
    has_scenarios = bool(loaded.assessment.scenarios)
    ctx: dict[str, Any] | None = None
    about = ""
    if latest_done is not None and latest_done.result and has_scenarios:
        doc: AnalysisDoc = latest_done.result
        ctx = sections(h, doc)
        when = latest_done.finished_at or latest_done.updated_at
        about = h.t(
            "web_analyses_about",
            samples=i18n.number(float(latest_done.samples), h.lang),
            seed=latest_done.seed,
            who=latest_done.created_by,
            when=i18n.long_date(when.date(), h.lang),
            profile=_profile_label(h, doc),
        )
    values = fields or {}
    return h.page(
        "analyses.html.j2",
        "analyses",
        h.t("web_tab_analyses"),
        notice=notice,
        may_start=h.estimates and has_scenarios,
        has_scenarios=has_scenarios,
        active=_state(h, active) if active is not None else None,
        failed=_state(h, failed) if failed is not None else None,
        a=ctx,
        about=about,
        hidden_note=bool(h.view().hidden),
        samples=values.get("samples", str(DEFAULT_SAMPLES)),
        seed=values.get("seed", str(DEFAULT_SEED)),
        problems=problems or {},
        limits={"samples": SAMPLES, "seed": SEEDS},
        scenario_base=h.url("/scenarios/"),
    )


@router.get("/a/{assessment_id}/analyses")
def analyses_page(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    said = request.query_params.get("started")
    notice = {"1": h.t("web_analyses_started"), "0": h.t("web_analyses_reused")}.get(said or "")
    return _page(h, notice=notice)


def _number(h: Here, fields: dict[str, list[str]], name: str, bounds: tuple[int, int]) -> int:
    text = one(fields, name).strip()
    low, high = bounds
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(422, h.t(f"web_analyses_bad_{name}", min=low, max=high), name)
    return value


@router.post("/a/{assessment_id}/analyses")
def start_analysis(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id, roles=ESTIMATORS)
    if h is None:
        return to_sign_in(request)
    fields = form(request)
    typed = {name: one(fields, name) for name in ("samples", "seed")}
    problems: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for name, bounds in (("samples", SAMPLES), ("seed", SEEDS)):
        try:
            numbers[name] = _number(h, fields, name, bounds)
        except ApiError as exc:
            problems[name] = str(exc)
    if problems:
        return _page(h, typed, problems)
    loaded, _results, _doc = h.results()
    if not loaded.assessment.scenarios:
        return _page(h, typed)
    view = h.view()
    key, revision = jobs.view_text(view.view_key), view.revision  # the revision first
    data = view.data(s)  # then the content: never older than the revision it is filed under
    samples, seed, user = numbers["samples"], numbers["seed"], h.user.name

    def claim(ws: Any) -> tuple[int, bool]:
        job, fresh = jobs.claim(ws, h.id, key, revision, seed, samples, user)
        return job.id, fresh

    engine = engine_of(request)
    job_id, fresh = write(engine, claim)
    if fresh:
        task = runner.Task(
            url=engine.url.render_as_string(hide_password=False),
            job_id=job_id,
            data=data,
            source=f"assessment {h.id}",
            method_text=json.dumps(h.row.method.content),
            method_source=h.row.method.source,
            samples=samples,
            seed=seed,
        )
        runner.start(engine, task, _work(request))
    target = h.url(f"/analyses?started={int(fresh)}&job={job_id}")
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


@router.get("/a/{assessment_id}/analyses/jobs/{job_id}")
def job_state(
    request: Request, assessment_id: AssessmentId, job_id: Number, s: SessionDep
) -> Response:
    """How far a job is: ``{"status", "progress", "stage", "error"}``; 404 for a job that is
    not of this member's view of the assessment (or a non-member)."""
    h = here(request, s, assessment_id)
    if h is None:
        return JSONResponse({"error": "not signed in", "field": None}, 401, headers=NO_STORE)
    key, _revision = _view_key(h)
    job = jobs.job_of(s, h.id, key, job_id)
    if job is None:
        raise ApiError(404, h.t("web_analyses_no_job"), None)
    state = _state(h, job)
    body = {k: state[k] for k in ("id", "status", "status_label", "progress", "stage", "error")}
    return JSONResponse(body, headers=NO_STORE)

"""What the engine computes from an assessment: its results as JSON (as ``nsra compute --format
json``), its HTML report (as ``nsra report``) and its strategy analysis (as ``nsra strategy
--format json``), from the member's view of it.

Results are computed once per revision of a view and kept in the worker's
:class:`~nsra.server.api.views.ResultsCache`; a change to the assessment (which always has an
audit entry) makes a new revision, so stale results are never served.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from nsra.model.text import DEFAULT_LANG
from nsra.server.api.access import assessment_for
from nsra.server.api.deps import AssessmentId, CacheDep, UserDep, classified
from nsra.server.api.downloads import (
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    REPORT_CONTENT,
    REPORT_MAX_BUDGET,
    SAMPLES,
    SEEDS,
    ReportFormatQuery,
    ReportLang,
    analysis_options,
    report_response,
)
from nsra.server.api.jobs import JOB_ANSWER, heavy
from nsra.server.api.transaction import SessionDep
from nsra.server.api.views import View

router = APIRouter()


@router.get(
    "/api/assessments/{assessment_id}/results",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def get_results(
    assessment_id: AssessmentId, s: SessionDep, user: UserDep, cache: CacheDep
) -> Response:
    """Impact, likelihood, risk and ranking computed by the engine (as ``nsra compute
    --format json``); cached until the assessment changes."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    response = Response(cache.body(s, view), media_type="application/json")
    classified(response, row.classification)
    return response


@router.get(
    "/api/assessments/{assessment_id}/report",
    response_class=HTMLResponse,
    responses={200: {"content": REPORT_CONTENT}, 202: JOB_ANSWER},
)
def get_report(
    assessment_id: AssessmentId,
    request: Request,
    s: SessionDep,
    user: UserDep,
    cache: CacheDep,
    lang: ReportLang = DEFAULT_LANG,
    analysis: Annotated[bool, Query(description="Include the Monte Carlo analyses.")] = False,
    samples: Annotated[int, Query(ge=SAMPLES[0], le=SAMPLES[1])] = DEFAULT_SAMPLES,
    seed: Annotated[int, Query(ge=SEEDS[0], le=SEEDS[1])] = DEFAULT_SEED,
    format: ReportFormatQuery = "html",
    budget: Annotated[
        float | None,
        Query(
            ge=0,
            le=REPORT_MAX_BUDGET,
            description="Yearly budget in euros for the proposed measures: adds which to fund "
            "to the strategy section.",
        ),
    ] = None,
) -> Response:
    """The self-contained HTML report (as ``nsra report``), to save and open offline (or with
    ``format=pdf`` or ``format=docx`` the PDF or Word document); its
    classification is in its banners and in the ``X-Classification`` header. With
    ``analysis=true``, or as PDF or Word, it is made as a job: 202 and the job to poll
    (``GET /api/jobs/{id}``).
    It has the strategy section when the assessment has measures with effects, international
    developments or capabilities."""
    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    loaded, results, _doc = cache.get(s, view)
    return report_response(
        loaded,
        results,
        lang,
        analysis_options(analysis, samples, seed),
        f"nsra-assessment-{assessment_id}-{lang}.html",
        row.classification,
        budget=budget,
        fmt=format,
        heavy=heavy(request, user, assessment_id),
    )


STRATEGY_SAMPLES = (0, 5_000)  # Monte Carlo draws of the strategy analysis on request
MAX_BUDGET = 1e15  # euros a year; more is a typing error


@router.get(
    "/api/assessments/{assessment_id}/strategy",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def get_strategy(
    assessment_id: AssessmentId,
    s: SessionDep,
    user: UserDep,
    cache: CacheDep,
    lang: ReportLang = DEFAULT_LANG,
    budget: Annotated[
        float | None,
        Query(ge=0, le=MAX_BUDGET, description="Yearly budget in euros for proposed measures."),
    ] = None,
    samples: Annotated[
        int,
        Query(
            ge=STRATEGY_SAMPLES[0],
            le=STRATEGY_SAMPLES[1],
            description="Monte Carlo draws for the developments' uncertainty and the "
            "portfolio's robustness (0: none).",
        ),
    ] = 200,
    seed: Annotated[int, Query(ge=SEEDS[0], le=SEEDS[1])] = DEFAULT_SEED,
) -> Response:
    """International developments (what-if, exposure), measures (inherent, current and target
    risk, what each removes and costs), the portfolio under ``budget``, capability gaps and
    coherence flags (as ``nsra strategy --format json``): the ``nsra-strategy/1`` document."""
    from nsra.server.api.strategy import strategy_body

    row, role = assessment_for(s, user, assessment_id)
    view = View(s, user, row, role)
    loaded, results, _doc = cache.get(s, view)
    body = strategy_body(loaded, results, lang, budget, samples, seed)
    response = Response(body, media_type="application/json")
    classified(response, row.classification)
    return response

"""The Strategy page: what international developments add, what measures remove and cost, which
proposals to fund within a budget, capability gaps and the coherence flags, computed for the
member's view of the assessment (:func:`nsra.analysis.strategy.run.strategy_analysis`) and laid
out from the report's own section (:func:`nsra.report.strategy.strategy_section`: the risk
diagram with arrows, the network), without inline styles (the page's CSP has none): bars are
small SVG pictures, as on the Analyses page.

The budget and the number of draws come from a GET form, so a result can be bookmarked; the
analysis runs when the page is asked for and is kept per revision, language, budget and draws
(:class:`~nsra.server.web.dashboard.OverviewCache`). The full section, with the strategy
matrices, is in the report download (``.../report?budget=``), linked from the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from nsra.io.amounts import parse_euros
from nsra.io.strategy_doc import strategy_document
from nsra.report.strategy import has_strategy, strategy_section
from nsra.report.view import View as ReportView
from nsra.server.api.deps import AssessmentId
from nsra.server.api.strategy import analyse_strategy
from nsra.server.api.transaction import SessionDep
from nsra.server.web.assessment import Here, here
from nsra.server.web.dashboard import OverviewCache, overview
from nsra.server.web.home import to_sign_in

router = APIRouter(include_in_schema=False)

TAB = "strategy"
SAMPLES = (0, 1000)  # Monte Carlo draws the page offers
DEFAULT_SAMPLES = 200
SEED = 1


def _samples(text: str | None) -> int | None:
    if text is None or not text.strip():
        return DEFAULT_SAMPLES
    try:
        n = int(text.strip())
    except ValueError:
        return None
    return n if SAMPLES[0] <= n <= SAMPLES[1] else None


def _linked(svg: Any, h: Here) -> Markup:
    """The report's picture with its scenario links pointing at the scenario pages."""
    return Markup(str(svg).replace('href="#sc-', f'href="{h.url("/scenarios/")}'))


def _section(h: Here, budget: float | None, samples: int) -> dict[str, Any] | None:
    cache: OverviewCache = h.request.app.state.strategies
    view = h.view()
    key = (*view.view_key, view.revision, h.lang, budget, samples)
    hit = cache.get(key)
    if hit is not None:
        return hit
    loaded, results, _doc = h.results()
    if not has_strategy(loaded.assessment):
        return None
    sa = analyse_strategy(loaded, results, budget, samples, SEED)
    doc = strategy_document(loaded, sa, h.lang)
    ov = overview(h)
    st = strategy_section(ReportView(loaded, ov["doc"], h.lang), ov["rows"], doc)
    if st is not None:
        for panel in st["states"]["panels"]:
            panel["svg"] = _linked(panel["svg"], h)
        st["coherence"]["network"]["svg"] = _linked(st["coherence"]["network"]["svg"], h)
        cache.put(key, st)
    return st


@router.get("/a/{assessment_id}/strategy")
def strategy_page(request: Request, assessment_id: AssessmentId, s: SessionDep) -> Response:
    h = here(request, s, assessment_id)
    if h is None:
        return to_sign_in(request)
    q = request.query_params
    budget_text = q.get("budget", "").strip()
    samples_text = q.get("samples")
    errors: dict[str, str] = {}
    budget: float | None = None
    if budget_text:
        try:
            budget = parse_euros(budget_text)
        except ValueError as e:
            errors["budget"] = str(e)
    samples = _samples(samples_text)
    if samples is None:
        errors["samples"] = h.t("web_strategy_samples_help", min=SAMPLES[0], max=SAMPLES[1])
        samples = DEFAULT_SAMPLES
    st = None if errors else _section(h, budget, samples)
    report = f"/api/assessments/{h.id}/report?lang={h.lang}"
    if budget is not None and not errors:
        report += f"&budget={budget:.0f}"
    return h.page(
        "strategy_results.html.j2",
        TAB,
        h.t("web_tab_strategy"),
        st=st,
        errors=errors,
        budget=budget_text,
        samples=samples_text if samples_text is not None else str(DEFAULT_SAMPLES),
        samples_range=SAMPLES,
        report_url=report,
    )

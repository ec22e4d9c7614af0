"""Downloads: the HTML report and the assessment file, of the live assessment or of a
published version, each labelled with its classification (in it and in the header).

A report with the Monte Carlo analyses is made as a job (202, then polled): seconds of CPU
never run in the server's threads (:mod:`nsra.server.api.jobs`).

The report's language (:data:`ReportLang`) is any language code (:data:`nsra.model.text.Lang`)
that nsra's own words exist in (:data:`nsra.i18n.LANGS`); the texts of the assessment are
given in that language where the file has it (:func:`nsra.model.text.tr`). Another language is
a 422 like every invalid parameter (``{"error": ..., "field": "query.lang"}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Query, Response
from fastapi.responses import HTMLResponse
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

import nsra
from nsra.analysis.pipeline import AnalysisOptions
from nsra.engine.compute import Results
from nsra.i18n import LANGS
from nsra.io.jsondoc import Json
from nsra.io.validate import Loaded
from nsra.model.text import Lang
from nsra.server.api.deps import classified
from nsra.server.api.jobs import Heavy
from nsra.server.db.exporting import file_text

if TYPE_CHECKING:
    from nsra.analysis.strategy.run import StrategyAnalysis

Format = Literal["yaml", "json"]
REPORT_YEARS = 2_000  # years of cascade simulation in a report made on request
SAMPLES = (100, 20_000)  # the fewest and the most Monte Carlo samples of an analysis on request
SEEDS = (0, 2**31 - 1)  # the seeds it accepts
DEFAULT_SAMPLES, DEFAULT_SEED = 2_000, 1
REPORT_STRATEGY_SAMPLES = 1_000  # the most Monte Carlo draws of a report's strategy section
REPORT_MAX_BUDGET = 1e15  # euros a year; more is a typing error


def _spoken(lang: Lang) -> Lang:
    """``lang`` when the report can be written in it; else the request's 422."""
    if lang not in LANGS:
        raise PydanticCustomError(
            "report_language",
            "the report is written in {langs}: choose one of them (found {found})",
            {"langs": ", ".join(LANGS), "found": repr(lang)[:40]},
        )
    return lang


ReportLang = Annotated[
    Lang,
    AfterValidator(_spoken),
    Query(
        description="The language of the report's own words: " + ", ".join(LANGS) + ".",
        json_schema_extra={"enum": list(LANGS)},
    ),
]
"""The ``lang`` query parameter of a report: one of :data:`nsra.i18n.LANGS`."""


def report_strategy(
    loaded: Loaded, results: Results, budget: float | None, analysis: AnalysisOptions | None
) -> StrategyAnalysis | None:
    """The strategy analysis of the report's strategy section, or None when the assessment has
    no strategy data; Monte Carlo draws only with the analyses (at most
    :data:`REPORT_STRATEGY_SAMPLES`)."""
    from nsra.report.strategy import has_strategy
    from nsra.server.api.strategy import analyse_strategy

    if not has_strategy(loaded.assessment):
        return None
    samples = 0 if analysis is None else min(analysis.samples, REPORT_STRATEGY_SAMPLES)
    seed = DEFAULT_SEED if analysis is None else analysis.seed
    return analyse_strategy(loaded, results, budget, samples, seed)


def report_bytes(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    analysis: AnalysisOptions | None,
    budget: float | None,
) -> bytes:
    """The report's HTML (UTF-8): what :func:`report_response` sends, made here or in a job's
    process."""
    analyses = None if analysis is None else nsra.analyse(loaded, results, analysis)
    plan = report_strategy(loaded, results, budget, analysis)
    return nsra.report_html(loaded, results, analyses, lang, strategy=plan).encode("utf-8")


def report_response(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    analysis: AnalysisOptions | None,
    filename: str,
    classification: str,
    *,
    budget: float | None = None,
    heavy: Heavy | None = None,
) -> Response:
    """The self-contained HTML report (as ``nsra report``), with the analyses when asked, and
    the strategy section when the assessment has strategy data (the portfolio with a
    ``budget``). With the analyses and a ``heavy`` job pool, a job is made instead and the
    answer is its 202 (:mod:`nsra.server.api.jobs`)."""
    if analysis is not None and heavy is not None:
        document = ("text/html; charset=utf-8", filename, classification)
        return heavy.submit(
            "report", document, report_bytes, loaded, results, lang, analysis, budget
        )
    response = HTMLResponse(report_bytes(loaded, results, lang, analysis, budget))
    classified(response, classification)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def analysis_options(wanted: bool, samples: int, seed: int) -> AnalysisOptions | None:
    return AnalysisOptions(seed=seed, samples=samples, years=REPORT_YEARS) if wanted else None


def file_response(data: Json, stem: str, fmt: Format, classification: str) -> Response:
    """The assessment file (as ``nsra db export``) in YAML or JSON."""
    name = f"{stem}.{fmt}"
    media = "application/json" if fmt == "json" else "application/yaml"
    response = Response(file_text(data, name).encode("utf-8"), media_type=f"{media}; charset=utf-8")
    classified(response, classification)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Downloads: the HTML report and the assessment file, of the live assessment or of a
published version, each labelled with its classification (in it and in the header).

A report with the Monte Carlo analyses, and any report as PDF or Word, is made as a job (202,
then polled): seconds of CPU (analyses), up to a minute for the PDF of a large assessment, never
run in the server's threads (:mod:`nsra.server.api.jobs`). The HTML report without analyses is
answered at once: its content is the cached results, laid out.

The report's language (:data:`ReportLang`) is any language code (:data:`nsra.model.text.Lang`)
that nsra's own words exist in (:data:`nsra.i18n.LANGS`); the texts of the assessment are
given in that language where the file has it (:func:`nsra.model.text.tr`). Another language is
a 422 like every invalid parameter (``{"error": ..., "field": "query.lang"}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Query, Response
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

import nsra
from nsra.analysis.pipeline import AnalysisOptions
from nsra.engine.compute import Results
from nsra.i18n import LANGS
from nsra.io.jsondoc import Json
from nsra.io.validate import Loaded
from nsra.model.text import Lang
from nsra.report.formats import MEDIA_TYPES, ReportFormat
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


REPORT_CONTENT: dict[str, dict[str, str]] = {MEDIA_TYPES[f].split(";")[0]: {} for f in MEDIA_TYPES}
"""The report's media types, for the OpenAPI description of its routes."""

ReportFormatQuery = Annotated[
    ReportFormat,
    Query(description="The report as a web page (html), an A4 PDF (pdf) or a Word document "
          "(docx)."),
]  # fmt: skip


def report_bytes(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    analysis: AnalysisOptions | None,
    budget: float | None,
    fmt: ReportFormat = "html",
) -> bytes:
    """The report's HTML (UTF-8), or its PDF or Word document (``fmt``): what
    :func:`report_response` sends, made here or in a job's process."""
    from nsra.report.formats import publish

    analyses = None if analysis is None else nsra.analyse(loaded, results, analysis)
    plan = report_strategy(loaded, results, budget, analysis)
    page = nsra.report_html(loaded, results, analyses, lang, strategy=plan)
    return page.encode("utf-8") if fmt == "html" else publish(page, fmt)


def report_response(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    analysis: AnalysisOptions | None,
    filename: str,
    classification: str,
    *,
    budget: float | None = None,
    fmt: ReportFormat = "html",
    heavy: Heavy | None = None,
) -> Response:
    """The report (as ``nsra report``): the self-contained HTML page, or its PDF or Word
    document (``fmt``), with the analyses when asked, and the strategy section when the
    assessment has strategy data (the portfolio with a ``budget``). ``filename`` ends in
    ``.html``; the suffix follows ``fmt``. With the analyses or as PDF or Word, and a ``heavy``
    job pool, a job is made instead and the answer is its 202 (:mod:`nsra.server.api.jobs`)."""
    name = filename.removesuffix(".html") + f".{fmt}"
    if heavy is not None and (analysis is not None or fmt != "html"):
        document = (MEDIA_TYPES[fmt], name, classification)
        return heavy.submit(
            "report", document, report_bytes, loaded, results, lang, analysis, budget, fmt
        )
    body = report_bytes(loaded, results, lang, analysis, budget, fmt)
    response: Response = Response(body, media_type=MEDIA_TYPES[fmt])
    classified(response, classification)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
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

"""Downloads: the HTML report and the assessment file, of the live assessment or of a
published version, each labelled with its classification (in it and in the header).

The report's language (:data:`ReportLang`) is any language code (:data:`nsra.model.text.Lang`)
that nsra's own words exist in (:data:`nsra.i18n.LANGS`); the texts of the assessment are
given in that language where the file has it (:func:`nsra.model.text.tr`). Another language is
a 422 like every invalid parameter (``{"error": ..., "field": "query.lang"}``).
"""

from __future__ import annotations

from typing import Annotated, Literal

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
from nsra.server.db.exporting import file_text

Format = Literal["yaml", "json"]
REPORT_YEARS = 2_000  # years of cascade simulation in a report made on request
SAMPLES = (100, 20_000)  # the fewest and the most Monte Carlo samples of an analysis on request
SEEDS = (0, 2**31 - 1)  # the seeds it accepts
DEFAULT_SAMPLES, DEFAULT_SEED = 2_000, 1


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


def report_response(
    loaded: Loaded,
    results: Results,
    lang: Lang,
    analysis: AnalysisOptions | None,
    filename: str,
    classification: str,
) -> HTMLResponse:
    """The self-contained HTML report (as ``nsra report``), with the analyses when asked."""
    analyses = None if analysis is None else nsra.analyse(loaded, results, analysis)
    response = HTMLResponse(nsra.report_html(loaded, results, analyses, lang))
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

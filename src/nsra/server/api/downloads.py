"""Downloads: the HTML report and the assessment file, of the live assessment or of a
published version, each labelled with its classification (in it and in the header)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Response
from fastapi.responses import HTMLResponse

import nsra
from nsra.analysis.pipeline import AnalysisOptions
from nsra.engine.compute import Results
from nsra.io.validate import Loaded
from nsra.server.api.deps import classified
from nsra.server.db.exporting import file_text

Lang = Literal["en", "nl"]
Format = Literal["yaml", "json"]
REPORT_YEARS = 2_000  # years of cascade simulation in a report made on request


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


def file_response(data: dict[str, Any], stem: str, fmt: Format, classification: str) -> Response:
    """The assessment file (as ``nsra db export``) in YAML or JSON."""
    name = f"{stem}.{fmt}"
    media = "application/json" if fmt == "json" else "application/yaml"
    response = Response(file_text(data, name).encode("utf-8"), media_type=f"{media}; charset=utf-8")
    classified(response, classification)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

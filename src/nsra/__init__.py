"""nsra: integrated national security risk assessment.

The public pipeline is read -> compute -> analyse, then documents and a report. Every step is a
function of what it is given (analyses also of their explicit seed), returns typed results, and
is what the ``nsra`` command and the server call too::

    import nsra

    assessment = nsra.read("examples/nl-integrated.yaml")  # checked; nsra.InputError if not
    results = nsra.compute(assessment)                      # nsra.engine.compute.Results
    results.risk, results.rank, results.serious             # numpy arrays, one per scenario

    options = nsra.AnalysisOptions(seed=7, samples=2_000)   # the seed is never implicit
    analyses = nsra.analyse(assessment, results, options)   # nsra.analysis.pipeline.Analyses
    analyses.uncertainty.intervals.rank                     # rank quantiles per scenario

    doc = nsra.results_document(assessment, results, lang="nl")      # nsra-results/1
    extra = nsra.analysis_document(assessment, results, analyses)    # nsra-analysis/1
    html = nsra.report_html(assessment, results, analyses, lang="nl")  # one HTML page

Arrays follow the assessment's scenario order (``assessment.assessment.scenarios``); the
documents are ``TypedDict`` shapes (:mod:`nsra.io.contract`) and list scenarios in rank order.
See ``docs/python-api.md`` for a notebook-style walk through.

Layout: methods are data (``nsra.methods``), domain objects are typed (``nsra.model``),
computation is pure (``nsra.engine``, ``nsra.analysis``), file formats live at the edges
(``nsra.io``), then the report (``nsra.report``), the server (``nsra.server``) and the command
(``nsra.cli``). Importing ``nsra`` loads none of them; each function imports what it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nsra.version import __version__

if TYPE_CHECKING:
    from nsra.analysis.pipeline import Analyses, AnalysisOptions, Stage
    from nsra.analysis.strategy.run import StrategyAnalysis
    from nsra.engine.compute import Results
    from nsra.io.contract import AnalysisDoc, ResultsDoc
    from nsra.io.validate import Loaded

__all__ = [
    "AnalysisOptions",
    "InputError",
    "__version__",
    "analyse",
    "analysis_document",
    "compute",
    "parse",
    "read",
    "report_html",
    "results_document",
]


def read(path: str, *, max_size: int | None = None) -> Loaded:
    """Read and check an assessment file (YAML or JSON) and the method it names.

    Returns the checked assessment (``.assessment`` the file's content, ``.method`` the method,
    ``.inputs`` the engine's arrays). Raises :class:`InputError` listing every problem (file,
    line, column, field, and why). ``max_size``: the largest file accepted, in bytes.
    """
    from nsra.io.safeyaml import Limits
    from nsra.io.validate import read_assessment

    return read_assessment(path, Limits() if max_size is None else Limits(max_bytes=max_size))


def parse(text: str, source: str = "<text>") -> Loaded:
    """Check an assessment given as YAML or JSON text; as :func:`read`. ``source`` names it in
    problems (and a method file path in it is relative to the current folder)."""
    from nsra.io.validate import parse_assessment

    return parse_assessment(text, source)


def compute(assessment: Loaded, profile: str | None = None) -> Results:
    """The risk picture: impact, likelihood, risk, rank, classes and serious flags per scenario.

    ``profile``: a weight profile of the method (None: its default). Raises
    :class:`InputError` for a profile the method does not have.
    """
    from nsra.engine.compute import compute as engine_compute
    from nsra.io.problems import InputError, Problem

    known = [p.id for p in assessment.method.profiles]
    if profile is not None and profile not in known:
        allowed = ", ".join(known) if known else "none (this method has no weights)"
        raise InputError([Problem(f"unknown weight profile {profile!r}; profiles: {allowed}")])
    return engine_compute(assessment.inputs, assessment.method, profile)


def analyse(
    assessment: Loaded,
    results: Results,
    options: AnalysisOptions,
    *,
    executor: Any = None,
    progress: Stage | None = None,
) -> Analyses:
    """Every analysis the assessment allows: Monte Carlo intervals, weight profiles, SMAA-2,
    Sobol and Morris sensitivity, the threat network and the cascade simulation.

    ``results``: :func:`compute` of the same assessment; ``options``: sizes and the seed.
    ``executor``: None (this process), a ``concurrent.futures`` executor or a Dask client; the
    result is the same on any of them. ``progress(stage, done, total)`` is told how far it is.
    Raises :class:`InputError` for SMAA weight preferences that do not fit the method.
    """
    from nsra.analysis.pipeline import analyse as run
    from nsra.analysis.smaa_inputs import PreferenceError
    from nsra.io.problems import InputError, Problem

    try:
        if progress is None:
            return run(assessment, results, options, executor)
        return run(assessment, results, options, executor, progress)
    except PreferenceError as exc:
        raise InputError([Problem(str(exc))]) from None


def results_document(assessment: Loaded, results: Results, lang: str = "en") -> ResultsDoc:
    """The results as the ``nsra-results/1`` document (JSON-ready; what ``nsra compute
    --format json`` writes), texts in ``lang``."""
    from nsra.io.results import results_document as document

    return document(assessment, results, lang)


def analysis_document(assessment: Loaded, results: Results, analyses: Analyses) -> AnalysisDoc:
    """The analyses as the ``nsra-analysis/1`` document (what ``nsra analyse`` writes)."""
    from nsra.io.analysis_results import analysis_document as document

    return document(assessment, results, analyses)


def report_html(
    assessment: Loaded,
    results: Results,
    analyses: Analyses | None = None,
    lang: str = "en",
    *,
    previous: Loaded | None = None,
    strategy: StrategyAnalysis | None = None,
) -> str:
    """The self-contained HTML report (what ``nsra report`` writes), with the analyses' sections
    when ``analyses`` is given, the changes since the previous edition when ``previous`` (that
    edition, read with :func:`read`) is given, and the strategy section when ``strategy`` (the
    strategy analysis of the same results, :func:`nsra.analysis.strategy.run.strategy_analysis`)
    is."""
    from nsra.io.analysis_results import analysis_document as document
    from nsra.io.strategy_doc import strategy_document
    from nsra.report.html import render_report

    extra = None if analyses is None else document(assessment, results, analyses)
    plan = None if strategy is None else strategy_document(assessment, strategy, lang)
    return render_report(assessment, results, lang, extra, previous, strategy=plan)


def __getattr__(name: str) -> Any:
    """``nsra.AnalysisOptions`` and ``nsra.InputError``, imported when first used."""
    if name == "AnalysisOptions":
        from nsra.analysis.pipeline import AnalysisOptions

        return AnalysisOptions
    if name == "InputError":
        from nsra.io.problems import InputError

        return InputError
    raise AttributeError(f"module 'nsra' has no attribute {name!r}")

"""``nsra report`` (the report of an assessment: a self-contained HTML page, a PDF or a Word
document, as the output file's suffix says) and ``nsra demo`` (the report of the integrated
Dutch example)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

import nsra
from nsra.cli.analyses import run_analyses
from nsra.cli.console import out
from nsra.cli.files import load, write_atomic
from nsra.cli.options import DEFAULT_SAMPLES, DbUrl, LangOpt, MaxSize
from nsra.cli.strategy import euros, run_strategy
from nsra.io.safeyaml import DEFAULT_MAX_BYTES
from nsra.model.text import DEFAULT_LANG

DEMO_SEED = 1
"""The seed of the demo report's analyses."""

STRATEGY_SAMPLES = 1000
"""Monte Carlo draws of the report's strategy section unless told otherwise."""


def report(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="File to write: report.html (a web page), report.pdf (A4, to print or sign "
            "off) or report.docx (Word, to edit).",
        ),
    ] = Path("report.html"),
    lang: LangOpt = DEFAULT_LANG,
    profile: Annotated[str | None, typer.Option("--profile", help="Weight profile.")] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=100, help="Monte Carlo samples of the analyses.")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed of the analyses.")] = 1,
    years: Annotated[
        int, typer.Option("--years", min=1, help="Years of cascade simulation.")
    ] = 10_000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help='Dask scheduler address, or "local" for a local cluster.'),
    ] = None,
    no_analysis: Annotated[
        bool,
        typer.Option(
            "--no-analysis",
            help="Leave out the analyses (uncertainty, profiles, sensitivity, network, cascades).",
        ),
    ] = False,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="The previous edition (a file, or db:ID/N in the database of --url): adds the "
            "section Changes since the previous edition.",
        ),
    ] = None,
    url: DbUrl = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            help="Yearly budget in euros for the proposed measures (150000000, 150M, 1.5bn): "
            "adds which to fund to the strategy section.",
        ),
    ] = None,
    strategy_samples: Annotated[
        int | None,
        typer.Option(
            "--strategy-samples",
            min=0,
            max=100_000,
            help="Monte Carlo draws of the strategy section (developments' uncertainty, the "
            "portfolio's robustness); 0 for none. Default 1000, or 0 with --no-analysis.",
        ),
    ] = None,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Write the report: a self-contained HTML page (opens offline), a PDF or a Word document
    (by the suffix of -o), with the analyses unless --no-analysis, the changes since the
    previous edition with --previous, and the strategy section when the file has measures with
    effects, international developments or capabilities."""
    from nsra.analysis.pipeline import AnalysisOptions
    from nsra.cli.compare import edition
    from nsra.report.formats import format_of, publish
    from nsra.report.strategy import has_strategy

    fmt = "html" if output.is_dir() else format_of(output)  # a folder: said when writing
    budget_eur = euros(budget)
    loaded = load(file, max_size)
    before = None if previous is None else edition(previous, url, max_size)
    results = nsra.compute(loaded, profile)
    analyses = None
    if not no_analysis:
        options = AnalysisOptions(seed=seed, samples=samples, years=years)
        analyses = run_analyses(loaded, results, options, workers, dask)
    draws = strategy_samples
    if draws is None:
        draws = 0 if no_analysis else STRATEGY_SAMPLES
    plan = None
    if has_strategy(loaded.assessment):
        plan = run_strategy(file, loaded, results, budget_eur, draws, seed, workers)
    html = nsra.report_html(loaded, results, analyses, lang, previous=before, strategy=plan)
    write_atomic(output, publish(html, fmt))
    out.print(f"Report written: {output.resolve()}")


def demo(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write (.html, .pdf or .docx).")
    ] = Path("out/nsra-demo-report.html"),
    lang: LangOpt = DEFAULT_LANG,
) -> None:
    """Build the report of the integrated Dutch example, with its analyses, and say where it is."""
    from nsra.analysis.pipeline import AnalysisOptions
    from nsra.report.formats import format_of, publish

    fmt = "html" if output.is_dir() else format_of(output)  # a folder: said when writing

    res = resources.files("nsra.examples") / "nl-integrated.yaml"
    with resources.as_file(res) as path:
        loaded = nsra.read(str(path))
    results = nsra.compute(loaded)
    analyses = run_analyses(loaded, results, AnalysisOptions(seed=DEMO_SEED), 1, None)
    plan = run_strategy(path, loaded, results, None, STRATEGY_SAMPLES, DEMO_SEED, 1)
    html = nsra.report_html(loaded, results, analyses, lang, strategy=plan)
    write_atomic(output, publish(html, fmt))
    n = len(loaded.assessment.scenarios)
    out.print(f"Integrated example: {n} scenarios, method {loaded.method.id}.")
    out.print(f"Report written: {output.resolve()}")
    if fmt == "html":
        out.print("Open it in a browser; it works offline.")

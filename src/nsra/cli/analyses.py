"""``nsra analyse`` (uncertainty, weight profiles, SMAA, sensitivity, cascades and the threat
network as JSON), and how the commands run the analyses: on this process, on worker processes or
on a Dask cluster, with a progress bar."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

import nsra
from nsra.cli.console import err
from nsra.cli.files import load, write_atomic
from nsra.cli.options import DEFAULT_SAMPLES, MaxSize
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from nsra.analysis.pipeline import Analyses, AnalysisOptions
    from nsra.engine.compute import Results
    from nsra.io.validate import Loaded


def analyse(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    samples: Annotated[
        int, typer.Option("--samples", min=100, help="Monte Carlo samples.")
    ] = DEFAULT_SAMPLES,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help='Dask scheduler address, or "local" for a local cluster.'),
    ] = None,
    distribution: Annotated[
        str, typer.Option("--distribution", help="uniform or triangular within intervals.")
    ] = "uniform",
    profile: Annotated[str | None, typer.Option("--profile", help="Weight profile.")] = None,
    years: Annotated[
        int, typer.Option("--years", min=1, help="Years of cascade simulation.")
    ] = 10_000,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="SMAA weight preferences: uniform; ordinal:2.1>3.1=5.2 (most important "
            "first; '=' groups criteria without ordering them, it does not make them equal); "
            "interval:0.5 (each weight within +-50% of the default profile).",
        ),
    ] = "uniform",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here.")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="Run only these analyses, comma separated: " + ", ".join(ONLY) + ".",
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="json (everything) or table (a summary to read).")
    ] = "json",
    graphs: Annotated[
        int | None,
        typer.Option(
            "--graphs",
            min=1,
            help="Cascade event graphs forced to start at each risk and level (default: the "
            "method's, 1,000 for the BNRA).",
        ),
    ] = None,
    impact_noise: Annotated[
        bool,
        typer.Option(
            "--impact-noise/--no-impact-noise",
            help="Round and noise impacts in the cascade impact statistics as the method says.",
        ),
    ] = True,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Uncertainty, weight profiles, sensitivity, cascade simulation and the threat network
    (JSON output, or a readable summary with --format table)."""
    from nsra.analysis.pipeline import AnalysisOptions
    from nsra.analysis.uncertainty import DISTRIBUTIONS

    chosen = next((d for d in DISTRIBUTIONS if d == distribution), None)
    if chosen is None:
        allowed = ", ".join(DISTRIBUTIONS)
        raise InputError([Problem(f"unknown distribution {distribution!r}; allowed: {allowed}")])
    if fmt not in ("json", "table"):
        raise InputError([Problem(f"unknown format {fmt!r}; allowed: json, table")])
    wanted = parse_only(only)
    loaded = load(file, max_size)
    results = nsra.compute(loaded, profile)
    options = AnalysisOptions(
        seed=seed,
        samples=samples,
        years=years,
        distribution=chosen,
        weights=weights,
        uncertainty="uncertainty" in wanted,
        smaa="smaa" in wanted,
        sensitivity="sensitivity" in wanted,
        network="network" in wanted,
        cascades="cascades" in wanted,
        forced_start_graphs=graphs,
        impact_noise=impact_noise,
    )
    analyses = run_analyses(loaded, results, options, workers, dask)
    doc = nsra.analysis_document(loaded, results, analyses)
    doc["options"]["workers"] = workers
    doc["options"]["dask"] = dask
    if fmt == "table":
        from nsra.cli.analysis_summary import print_summary
        from nsra.model.text import DEFAULT_LANG, tr

        titles = {sc.id: tr(sc.title, DEFAULT_LANG) for sc in loaded.assessment.scenarios}
        print_summary(doc, titles)
        if output is None:
            return
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        write_atomic(output, text)
        err.print(f"Written: {output}")
    else:
        sys.stdout.write(text)


ONLY = ("uncertainty", "smaa", "sensitivity", "network", "cascades")
"""The analyses ``--only`` can pick (uncertainty includes the weight profiles)."""


def parse_only(only: str | None) -> set[str]:
    """The analyses to run: all, or those named in ``--only``."""
    if only is None:
        return set(ONLY)
    names = {n.strip() for n in only.split(",") if n.strip()}
    unknown = sorted(names - set(ONLY))
    if unknown or not names:
        raise InputError(
            [
                Problem(
                    f"--only: unknown analysis {', '.join(unknown) or '(none given)'}; "
                    f"allowed: {', '.join(ONLY)}"
                )
            ]
        )
    return names


def run_analyses(
    loaded: Loaded, results: Results, options: AnalysisOptions, workers: int, dask: str | None
) -> Analyses:
    """All analyses (:func:`nsra.analyse`) on the chosen executor, with a progress bar on
    standard error when it is a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with (
        executor(workers, dask) as pool,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=not sys.stderr.isatty(),
        ) as bar,
    ):
        task = bar.add_task("Analyses", total=None)

        def tick(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        return nsra.analyse(loaded, results, options, executor=pool, progress=tick)


@contextmanager
def executor(workers: int, dask: str | None) -> Iterator[Any]:
    """None (this process), a process pool, or a Dask client ("local" starts a local cluster)."""
    if dask:
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - declared dependency
            raise InputError([Problem("Dask is not installed: pip install distributed")]) from None
        if dask == "local":
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=max(workers, 1), threads_per_worker=1, dashboard_address=None
            )
            client = Client(cluster)  # type: ignore[no-untyped-call]
        else:
            try:
                client = Client(dask, timeout=10)  # type: ignore[no-untyped-call]
            except (OSError, ValueError, TypeError) as exc:
                raise InputError(
                    [Problem(f"cannot reach the Dask scheduler at {dask}: {exc}")]
                ) from None
            cluster = None
        try:
            yield client
        finally:
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()
    elif workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
    else:
        yield None

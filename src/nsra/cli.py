"""The ``nsra`` command. Problems are said in plain words; never a traceback."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import nsra
from nsra.analysis.pipeline import Analyses, AnalysisOptions
from nsra.analysis.uncertainty import DEFAULT_SAMPLES
from nsra.engine.compute import Results
from nsra.engine.scales import ScaleKernel
from nsra.io.contract import ResultsDoc
from nsra.io.methods import load_method, shipped_method_ids
from nsra.io.problems import InputError, Problem
from nsra.io.results import results_csv
from nsra.io.safeyaml import DEFAULT_MAX_BYTES, Limits
from nsra.io.validate import Loaded, read_assessment
from nsra.model.method import Method
from nsra.model.text import tr
from nsra.version import __version__

app = typer.Typer(
    name="nsra",
    help="Integrated national security risk assessment: methods, estimates, risk picture.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
methods_app = typer.Typer(help="List the methods and show what a method contains.")
app.add_typer(methods_app, name="methods")


def _width(stream: Any) -> int | None:
    return None if stream.isatty() else 200


out = Console(highlight=False, soft_wrap=True, width=_width(sys.stdout))
err = Console(stderr=True, highlight=False, soft_wrap=True, width=_width(sys.stderr))


def _amount(x: float) -> str:
    """Euros for people: 1.2 bn, 35.0 M, 12,000."""
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if abs(x) >= size:
            return f"{x / size:,.1f} {word}"
    return f"{x:,.0f}"


def _n(x: float) -> str:
    """A bound or value for people: 2,000,000 rather than 2e+06."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


class Lang(StrEnum):
    en = "en"
    nl = "nl"


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ProblemFmt(StrEnum):
    text = "text"
    json = "json"


MaxSize = Annotated[
    int,
    typer.Option("--max-size", min=1, help="Largest file accepted, in bytes.", show_default=True),
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of labels: en or nl.")]


def _show_problems(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        err.print(f"[{style}]{p}[/{style}]", markup=True, highlight=False)
    if errors:
        n = len(errors)
        err.print(f"{n} problem{'s' if n != 1 else ''} found; nothing was computed or written.")


DEMO_SEED = 1
"""The seed of the demo report's analyses."""


def _load(path: Path, max_size: int) -> Loaded:
    loaded = nsra.read(str(path), max_size=max_size)
    if loaded.warnings:
        _show_problems(loaded.warnings)
    return loaded


def _write_atomic(target: Path, data: str | bytes) -> None:
    """Write a file whole or not at all (temporary file, then rename)."""
    if target.is_dir():
        raise InputError([Problem(f"{target} is a folder; give the name of a file to write")])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot create the folder {target.parent}: {exc.strerror}")]
        ) from None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError([Problem(f"cannot write in {target.parent}: {exc.strerror}")]) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError([Problem(f"cannot write {target}: {exc.strerror}")]) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# -- methods ----------------------------------------------------------------------------------
@methods_app.callback(invoke_without_command=True)
def methods_list(ctx: typer.Context, lang: LangOpt = Lang.en) -> None:
    """List the methods that ship with nsra."""
    if ctx.invoked_subcommand is not None:
        return
    table = Table(title="Methods" if lang == Lang.en else "Methoden")
    for col in ("id", "version", "name", "levels", "aggregation", "illustrative"):
        table.add_column(col)
    for mid in shipped_method_ids():
        m = load_method(mid)
        table.add_row(
            m.id,
            m.version,
            tr(m.name, lang.value),
            ", ".join(lv.id for lv in m.intensity_levels) or "-",
            m.aggregation.kind,
            "yes" if m.illustrative else "no",
        )
    out.print(table)
    out.print("Show one with: nsra methods show ID (or the path of your own method file)")


def _bounds(kernel: ScaleKernel, index: int) -> str:
    c = kernel.scale.classes[index - kernel.first_index]
    if c.lower is None and c.upper is None:
        return ""
    lo = "" if c.lower is None else _n(c.lower)
    hi = "and more" if c.upper is None else _n(c.upper)
    return f"{lo} – {hi}" if lo else f"up to {hi}"


def print_method(m: Method, lang: str) -> None:
    """Everything a method contains, readable."""
    out.print(f"[bold]{tr(m.name, lang)}[/bold]  ({m.id}, version {m.version})", markup=True)
    if m.description:
        out.print(tr(m.description, lang))
    if m.source:
        out.print(f"Source: {tr(m.source, lang)}")
    if m.illustrative:
        out.print(f"[yellow]ILLUSTRATIVE: {tr(m.illustrative, lang)}[/yellow]", markup=True)
    if m.intensity_levels:
        out.print("Intensity levels: " + ", ".join(tr(lv.label, lang) for lv in m.intensity_levels))
    interests = Table(title="Interests")
    interests.add_column("id")
    interests.add_column("interest")
    for i in m.interests:
        interests.add_row(i.id, tr(i.label, lang) + (" (illustrative)" if i.illustrative else ""))
    out.print(interests)
    crit = Table(title="Criteria and class bounds")
    for col in ("id", "interest", "criterion", "unit", "classes"):
        crit.add_column(col)
    for c in m.criteria:
        kernel = ScaleKernel.of(m.scale(c.scale))
        parts = []
        for n, cls in enumerate(kernel.scale.classes):
            b = _bounds(kernel, n + kernel.first_index)
            label = tr(cls.label, lang) if cls.label else ""
            parts.append(f"{cls.code}: {b or label}")
        unit = tr(kernel.scale.unit, lang) if kernel.scale.unit else "qualitative"
        label = tr(c.label, lang) + (" (illustrative)" if c.illustrative else "")
        crit.add_row(c.id, c.interest, label, unit, "; ".join(parts))
    out.print(crit)
    agg = m.aggregation
    line = f"Aggregation: {agg.kind}"
    if agg.scores:
        line += " with class scores " + ", ".join(f"{s:g}" for s in agg.scores)
    if agg.monetisation:
        f = agg.monetisation
        line += f"; EUR(s) = {f.factor:g} x {f.base:g}^s"
        if f.threshold is not None:
            line += f" above s = {f.threshold:g}, linear from 0 to {f.threshold_value:g} below"
    out.print(line)
    lik = Table(title=f"Likelihood (compared over {m.likelihood.time_basis_months:g} months)")
    for col in ("scale", "for", "quantity", "classes"):
        lik.add_column(col)
    for spec in m.likelihood.scales:
        kernel = ScaleKernel.of(m.scale(spec.scale))
        parts = []
        for n, cls in enumerate(kernel.scale.classes):
            idx = n + kernel.first_index
            label = tr(cls.label, lang) if cls.label else ""
            b = _bounds(kernel, idx)
            if not b and kernel.scale.function is not None:
                q = kernel.value([idx - 0.5 if idx > 0 else 0.0, idx + 0.5])
                b = f"{float(q[0]):,.4g} – {float(q[1]):,.4g}"
            parts.append(f"{cls.code}: {label} {b}".strip())
        what = spec.quantity.replace("_", " ")
        if spec.period_months:
            what += f" over {spec.period_months:g} months"
        lik.add_row(spec.scale, spec.applies_to.replace("_", "-"), what, "; ".join(parts))
    out.print(lik)
    if m.profiles:
        prof = Table(title="Weight profiles (normalised to sum 1)")
        prof.add_column("profile")
        prof.add_column("weights")
        for p in m.profiles:
            total = sum(p.weights.values())
            w = ", ".join(f"{c.id} {p.weights.get(c.id, 0) / total:.3f}" for c in m.criteria)
            default = " (default)" if p.id == (agg.default_profile or m.profiles[0].id) else ""
            prof.add_row(f"{p.id}{default}: {tr(p.label, lang)}", w)
        out.print(prof)
    if m.cascades:
        kernel = ScaleKernel.of(m.scale(m.cascades.scale))
        parts = [
            f"{c.code}: {_bounds(kernel, n + kernel.first_index)}"
            for n, c in enumerate(kernel.scale.classes)
        ]
        out.print("Cascades, conditional probability classes: " + "; ".join(parts))


@methods_app.command("show")
def methods_show(
    method: Annotated[str, typer.Argument(help="A shipped method id or a method file.")],
    lang: LangOpt = Lang.en,
) -> None:
    """Print a method: interests, criteria, units, class bounds, likelihood, weight profiles."""
    print_method(load_method(method), lang.value)


# -- schema, validate, compute, report --------------------------------------------------------
@app.command()
def schema(
    kind: Annotated[str, typer.Option("--kind", help="assessment or method")] = "assessment",
) -> None:
    """Print the JSON Schema of assessment (or method) files, for editors."""
    from nsra.model.assessment import Assessment

    if kind not in ("assessment", "method"):
        raise InputError([Problem(f"unknown kind {kind!r}; allowed: assessment, method")])
    model = Assessment if kind == "assessment" else Method
    doc = model.model_json_schema(by_alias=True)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = f"nsra {kind} file"
    out.print(json.dumps(doc, indent=2, ensure_ascii=False), markup=False)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    fmt: Annotated[ProblemFmt, typer.Option("--format", help="text or json")] = ProblemFmt.text,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Check an assessment (or a method) file and report every problem at once."""
    if _is_method_file(file, max_size):
        from nsra.io.methods import load_method as _load_method_file

        m = _load_method_file(str(file.resolve()))
        out.print(
            f"{file}: valid method {m.id} {m.version} ({len(m.criteria)} criteria, "
            f"{len(m.interests)} interests, {len(m.profiles)} weight profiles)"
        )
        return
    try:
        loaded = read_assessment(str(file), Limits(max_bytes=max_size))
    except InputError as exc:
        if fmt == ProblemFmt.json:
            out.print(json.dumps([p.as_dict() for p in exc.problems], indent=2), markup=False)
            raise typer.Exit(1) from None
        raise
    if fmt == ProblemFmt.json:
        out.print(json.dumps([p.as_dict() for p in loaded.warnings], indent=2), markup=False)
        return
    _show_problems(loaded.warnings)
    a = loaded.assessment
    out.print(
        f"{file}: valid ({len(a.scenarios)} scenarios, {len(a.analysts)} analysts, "
        f"{len(loaded.inputs.estimates)} estimates, {len(a.cascades)} cascades, "
        f"method {loaded.method.id} {loaded.method.version})"
    )


def _is_method_file(file: Path, max_size: int) -> bool:
    """True when a file looks like a method definition (criteria and scales, no scenarios)."""
    from nsra.io.safeyaml import load, read_text

    try:
        text = read_text(str(file), Limits(max_bytes=max_size))
        if re.search(r'^(scenarios|"scenarios")\s*:|"scenarios"\s*:', text, re.M):
            return False  # an assessment always has scenarios: no second parse of big files
        data = load(text, str(file))
    except InputError:
        return False  # reported when read as an assessment
    return isinstance(data, dict) and "criteria" in data and "scenarios" not in data


@app.command("compute")
def compute_cmd(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    profile: Annotated[str | None, typer.Option("--profile", help="Weight profile.")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or csv")] = Fmt.table,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
    lang: LangOpt = Lang.en,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Compute impact, likelihood, risk and ranking."""
    loaded = _load(file, max_size)
    results = nsra.compute(loaded, profile)
    doc = nsra.results_document(loaded, results, lang.value)
    if fmt == Fmt.json:
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif fmt == Fmt.csv:
        text = results_csv(doc, [i.id for i in loaded.method.interests])
    else:
        text = ""
    if output is not None:
        if fmt == Fmt.table:
            raise InputError([Problem("--output needs --format json or csv")])
        _write_atomic(output, text)
        out.print(f"Written: {output}")
    elif fmt == Fmt.table:
        _print_table(doc, loaded, lang.value)
    else:
        sys.stdout.write(text)


def _print_table(doc: ResultsDoc, loaded: Loaded, lang: str) -> None:
    m = loaded.method
    unit = doc["method"]["impact_unit"] or "score"
    years = m.likelihood.time_basis_months / 12
    title = f"{doc['assessment']['title']} — {m.id}"
    if doc["method"]["profile"]:
        title += f", profile {doc['method']['profile']}"
    table = Table(title=title, caption=f"classification: {doc['assessment']['classification']}")
    for col, justify in (
        ("rank", "right"),
        ("scenario", "left"),
        ("domain", "left"),
        ("likelihood", "center"),
        (f"P({years:g} y)", "right"),
        ("impact", "center"),
        (f"total ({unit})", "right"),
        ("risk", "right"),
        ("analysts", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for sc in doc["scenarios"]:
        spread = sc["spread"]["likelihood"]
        lvl = f" [{sc['level']}]" if "level" in sc else ""
        p = sc["likelihood"]["probability"]
        total = sc["impact"]["total"]
        risk = sc["risk"]
        money = unit == "EUR"
        table.add_row(
            str(sc["rank"] or "-"),
            escape(f"{sc['title']}{lvl}"),
            sc["domain"],
            f"{sc['likelihood']['class'] or '-'} ({spread['min'] or '-'}..{spread['max'] or '-'})",
            "-" if p is None else f"{p:.3g}",
            sc["impact"]["class"] or "-",
            "-" if total is None else (_amount(total) if money else f"{total:.4g}"),
            "-" if risk is None else (_amount(risk) if money else f"{risk:.4g}"),
            str(spread["analysts"]),
        )
    out.print(table)


def _run_analyses(
    loaded: Loaded, results: Results, options: AnalysisOptions, workers: int, dask: str | None
) -> Analyses:
    """All analyses with a progress bar on the chosen executor."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with (
        _executor(workers, dask) as executor,
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

        return nsra.analyse(loaded, results, options, executor=executor, progress=tick)


@contextmanager
def _executor(workers: int, dask: str | None) -> Iterator[Any]:
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


@app.command()
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
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Uncertainty, weight profiles, sensitivity, cascade simulation and the threat network
    (JSON output)."""
    if distribution not in ("uniform", "triangular"):
        raise InputError(
            [Problem(f"unknown distribution {distribution!r}; allowed: uniform, triangular")]
        )
    loaded = _load(file, max_size)
    results = nsra.compute(loaded, profile)
    options = AnalysisOptions(
        seed=seed,
        samples=samples,
        years=years,
        distribution="triangular" if distribution == "triangular" else "uniform",
        weights=weights,
    )
    analyses = _run_analyses(loaded, results, options, workers, dask)
    doc = nsra.analysis_document(loaded, results, analyses)
    doc["options"]["workers"] = workers
    doc["options"]["dask"] = dask
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if output is not None:
        _write_atomic(output, text)
        err.print(f"Written: {output}")
    else:
        sys.stdout.write(text)


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    lang: LangOpt = Lang.en,
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
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Write a self-contained HTML report (opens offline), with the analyses unless
    --no-analysis."""
    loaded = _load(file, max_size)
    results = nsra.compute(loaded, profile)
    analyses = None
    if not no_analysis:
        options = AnalysisOptions(seed=seed, samples=samples, years=years)
        analyses = _run_analyses(loaded, results, options, workers, dask)
    html = nsra.report_html(loaded, results, analyses, lang.value)
    _write_atomic(output, html)
    out.print(f"Report written: {output.resolve()}")


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "out/nsra-demo-report.html"
    ),
    lang: LangOpt = Lang.en,
) -> None:
    """Build the report of the integrated Dutch example, with its analyses, and say where it is."""
    res = resources.files("nsra.examples") / "nl-integrated.yaml"
    with resources.as_file(res) as path:
        loaded = nsra.read(str(path))
    results = nsra.compute(loaded)
    analyses = _run_analyses(loaded, results, AnalysisOptions(seed=DEMO_SEED), 1, None)
    html = nsra.report_html(loaded, results, analyses, lang.value)
    _write_atomic(output, html)
    n = len(loaded.assessment.scenarios)
    out.print(f"Integrated example: {n} scenarios, method {loaded.method.id}.")
    out.print(f"Report written: {output.resolve()}")
    out.print("Open it in a browser; it works offline.")


# -- db ---------------------------------------------------------------------------------------
db_app = typer.Typer(
    help="The assessment database: create or upgrade it, import and export assessment files.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Database URL (default: NSRA_DATABASE_URL, else sqlite:///nsra.db in this folder).",
    ),
]


@contextmanager
def _database(url: str | None, need_current: bool = True) -> Iterator[Any]:
    """An engine for the database; database errors become plain problems."""
    from sqlalchemy.exc import SQLAlchemyError

    from nsra.server.db import database_url, make_engine
    from nsra.server.db.engine import schema_is_current

    shown = database_url(url)
    engine = make_engine(url)
    try:
        if need_current and not schema_is_current(engine):
            raise InputError(
                [
                    Problem(
                        f"the database {shown} is not up to date (or not created); "
                        "run: nsra db upgrade" + (f" --url {url}" if url else "")
                    )
                ]
            )
        yield engine
    except SQLAlchemyError as exc:
        raise InputError(
            [Problem(f"database {shown}: {type(exc).__name__}: {exc.args[0] if exc.args else exc}")]
        ) from None
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(url: DbUrl = None) -> None:
    """Create the database or bring its tables to the newest version; register shipped methods."""
    from nsra.server.db import upgrade

    with _database(url, need_current=False) as engine:
        upgrade(engine)
        out.print(f"Database up to date: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("import")
def db_import(
    file: Annotated[Path, typer.Argument(help="The assessment file (YAML or JSON).")],
    url: DbUrl = None,
) -> None:
    """Check an assessment file and store it, whole or not at all; prints the new id."""
    from nsra.server.db import import_file

    with _database(url) as engine:
        assessment_id = import_file(engine, str(file))
    out.print(f"Imported {file} as assessment {assessment_id}.")


@db_app.command("export")
def db_export(
    assessment_id: Annotated[int, typer.Argument(help="The assessment's id in the database.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write (.json for JSON, else YAML).")
    ],
    url: DbUrl = None,
) -> None:
    """Write an assessment from the database to an assessment file."""
    from sqlalchemy.orm import Session

    from nsra.server.db.exporting import assessment_data, file_text

    with _database(url) as engine, Session(engine) as session:
        text = file_text(assessment_data(session, assessment_id), str(output))
    _write_atomic(output, text)
    out.print(f"Assessment {assessment_id} written: {output.resolve()}")


# -- users and serve ----------------------------------------------------------------------------
users_app = typer.Typer(help="The users of the server and their API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    analyst = "analyst"
    viewer = "viewer"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (unique).")],
    role: Annotated[Role, typer.Option("--role", help="admin, coordinator, analyst or viewer.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    url: DbUrl = None,
) -> None:
    """Add a user; the password is asked for (not shown) or read from standard input."""
    from sqlalchemy.orm import Session

    from nsra.server.db.access import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError([Problem("the password is empty")])
    with _database(url) as engine, Session(engine) as session, session.begin():
        add_user(session, name, role.value, password)
    out.print(f"User {name} added ({role.value}).")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    url: DbUrl = None,
) -> None:
    """Make a new API token for a user and print it once (it is not stored, only its hash)."""
    from sqlalchemy.orm import Session

    from nsra.server.db.access import new_token, user_by_name

    with _database(url) as engine, Session(engine) as session, session.begin():
        user = user_by_name(session, name)
        if user is None:
            raise InputError([Problem(f"there is no user named {name!r}")])
        token = new_token(session, user)
    sys.stdout.write(token + "\n")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    url: DbUrl = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve a fresh throw-away database (temporary folder) with the integrated "
            "example and one user per role; prints their tokens.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes; each opens its own connections to the database.",
        ),
    ] = 1,
) -> None:
    """Run the web server (REST API at /api, docs at /api/docs) on the database, upgraded first.

    With --workers N > 1 the workers build the application themselves from NSRA_DATABASE_URL
    (set here to the database served), since uvicorn needs an import string to start them.
    """
    import uvicorn

    from nsra.server.api import create_app
    from nsra.server.api.factory import IMPORT_STRING
    from nsra.server.db import ENV_VAR, database_url, upgrade

    def run(engine: Any, served: str) -> None:
        if workers == 1:
            uvicorn.run(create_app(engine), host=host, port=port)
            return
        os.environ[ENV_VAR] = served  # inherited by the worker processes
        uvicorn.run(IMPORT_STRING, factory=True, workers=workers, host=host, port=port)

    if demo:
        if url:
            raise InputError([Problem("--demo makes its own database; leave out --url")])
        from nsra.server.demo import demo_database

        with tempfile.TemporaryDirectory(prefix="nsra-demo-") as folder:
            info = demo_database(Path(folder))
            with _database(info.url) as engine:
                address = f"http://{host}:{port}"
                out.print(
                    f"nsra demo serving {address}/api/docs (database {folder}, deleted at exit)"
                )
                out.print(f"Demo assessment {info.assessment_id}; users (role: name token):")
                for user in info.users:
                    out.print(f"  {user.role:<12} {user.name:<18} {user.token}")
                out.print(
                    f"Every demo user's password (browser sign-in, POST /api/session): "
                    f"{info.password}"
                )
                out.print("Example:")
                out.print(
                    f"  curl -H 'Authorization: Bearer {info.users[0].token}' "
                    f"{address}/api/assessments"
                )
                run(engine, info.url)
        return
    with _database(url, need_current=False) as engine:
        upgrade(engine)
        out.print(f"nsra serving http://{host}:{port}/api/docs")
        run(engine, database_url(url))


# -- audit ----------------------------------------------------------------------------------
audit_app = typer.Typer(help="The audit trail of the database's changes.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    url: DbUrl = None,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="SEQ:HASH printed earlier by nsra audit head: that entry must be unchanged.",
        ),
    ] = None,
) -> None:
    """Recompute the audit trail's hash chain; exit 1 and list the problems when it is broken."""
    from nsra.server.db import audit

    anchor: tuple[int, str] | None = None
    if expect is not None:
        seq_text, _, digest = expect.partition(":")
        if not seq_text.isdigit() or len(digest) != 64:
            raise InputError(
                [
                    Problem(
                        f"--expect must be SEQ:HASH as printed by nsra audit head; got {expect!r}"
                    )
                ]
            )
        anchor = (int(seq_text), digest)
    with _database(url) as engine:
        problems = audit.verify(engine, expect=anchor)
        total = audit.count(engine)
    if problems:
        err.print(f"audit trail broken ({len(problems)} problem(s) in {total} entries):")
        for p in problems:
            err.print(f"  {p}", markup=False, highlight=False)
        raise typer.Exit(1)
    out.print(f"audit trail intact ({total} entries)")


@audit_app.command("head")
def audit_head(url: DbUrl = None) -> None:
    """Print the newest entry as SEQ:HASH; keep it outside the database (e.g. in the minutes)
    and check it later with nsra audit verify --expect SEQ:HASH."""
    from nsra.server.db import audit

    with _database(url) as engine:
        seq, digest = audit.head(engine)
    sys.stdout.write(f"{seq}:{digest}\n")


# -- backup and restore ---------------------------------------------------------------------
@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (JSON).")],
    url: DbUrl = None,
) -> None:
    """Write a consistent copy of the whole database (every table, one transaction) to FILE."""
    from nsra.server.db.backup import backup_text

    with _database(url) as engine:
        data = backup_text(engine)
    _write_atomic(file, data)
    out.print(f"Backup written: {file.resolve()}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A backup file written by nsra backup.")],
    url: DbUrl = None,
) -> None:
    """Load a backup into an empty database (created or upgraded first), whole or not at all."""
    from nsra.server.db.backup import restore_text

    try:
        data = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read {file}: {exc}")]) from None
    with _database(url, need_current=False) as engine:
        n = restore_text(engine, data, str(file))
    out.print(f"Restored {n} rows from {file}.")


def version_callback(value: bool) -> None:
    if value:
        out.print(f"nsra {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Integrated national security risk assessment."""


def main() -> None:
    """Entry point: problems become plain messages and exit codes, never a traceback.

    Exit codes: 0 success, 1 problems in the input, 2 wrong use of the command, 3 internal error.
    """
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)  # numpy's NaN notes: handled
    try:
        app()  # usage errors are reported by typer itself (exit code 2)
    except InputError as exc:
        _show_problems(exc.problems)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # the last line of defence: no traceback for a user
        if os.environ.get("NSRA_DEBUG"):
            raise
        err.print(
            f"nsra stopped on an internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in nsra, not in your file. Run again with NSRA_DEBUG=1 for details "
            "and report it."
        )
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()

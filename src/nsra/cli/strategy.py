"""``nsra strategy``: developments, measures and residual risk, the portfolio under a budget,
capability gaps and coherence flags, as tables, JSON or CSV."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

import nsra
from nsra.cli.console import amount, out
from nsra.cli.files import load, write_atomic
from nsra.cli.options import LangOpt, MaxSize
from nsra.cli.quiet import quiet_native_stdout
from nsra.io.amounts import parse_euros
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import DEFAULT_MAX_BYTES
from nsra.model.text import DEFAULT_LANG

if TYPE_CHECKING:
    from nsra.analysis.strategy.run import StrategyAnalysis
    from nsra.engine.compute import Results
    from nsra.io.validate import Loaded


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class CsvTable(StrEnum):
    scenarios = "scenarios"
    measures = "measures"
    developments = "developments"
    capabilities = "capabilities"
    flags = "flags"
    portfolio = "portfolio"


def euros(text: str | None) -> float | None:
    """The ``--budget`` option in euros (None: no budget); wrong use of the command otherwise."""
    if text is None:
        return None
    try:
        return parse_euros(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


def run_strategy(
    file: Path,
    loaded: Loaded,
    results: Results,
    budget: float | None,
    samples: int,
    seed: int,
    workers: int,
) -> StrategyAnalysis:
    """The strategy analysis of a file (for ``nsra strategy`` and ``nsra report``); a file the
    portfolio cannot weigh (too many proposals on one scenario) is a problem with the file."""
    from nsra.analysis.strategy.run import strategy_analysis

    try:
        with quiet_native_stdout():  # HiGHS's stray debug line off the JSON and CSV
            return strategy_analysis(
                loaded.assessment,
                loaded.inputs,
                loaded.method,
                results,
                budget=budget,
                samples=samples,
                seed=seed,
                workers=workers,
            )
    except ValueError as e:
        raise InputError([Problem(str(e), file=str(file))]) from None


def strategy(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            help="Yearly budget in euros for the proposed measures (150000000, 150M, 1.5bn): "
            "which to fund to remove the most risk.",
        ),
    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table, json or csv")] = Fmt.table,
    table: Annotated[
        CsvTable, typer.Option("--table", help="Which table --format csv writes.")
    ] = CsvTable.measures,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            min=0,
            max=100_000,
            help="Monte Carlo draws for the uncertainty of developments and the robustness of "
            "the portfolio (0: none).",
        ),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 0,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=256, help="Processes for the robustness.")
    ] = 1,
    what_if: Annotated[
        str | None,
        typer.Option(
            "--what-if",
            help="Developments (ids, comma-separated) that materialise together: what moves.",
        ),
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="Weight profile.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file.")
    ] = None,
    lang: LangOpt = DEFAULT_LANG,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Strategy: what international developments add, what measures remove and cost, which
    proposals to fund, capability gaps and where the strategies leave gaps."""
    from nsra.io.strategy_doc import strategy_csv, strategy_document, what_if_document

    budget_eur = euros(budget)
    loaded = load(file, max_size)
    results = nsra.compute(loaded, profile)
    sa = run_strategy(file, loaded, results, budget_eur, samples, seed, workers)
    doc = strategy_document(loaded, sa, lang)
    if what_if is not None:
        chosen = [x.strip() for x in what_if.split(",") if x.strip()]
        try:
            doc["what_if"] = what_if_document(loaded, sa, chosen, lang)
        except ValueError as e:
            raise InputError([Problem(f"--what-if: {e}")]) from None
    if fmt == Fmt.json:
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif fmt == Fmt.csv:
        text = strategy_csv(doc, table.value)
    else:
        text = ""
    if output is not None:
        if fmt == Fmt.table:
            raise InputError([Problem("--output needs --format json or csv")])
        write_atomic(output, text)
        out.print(f"Written: {output}")
    elif fmt == Fmt.table:
        print_strategy(doc)
    else:
        sys.stdout.write(text)


def _r(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _cls(state: dict[str, Any]) -> str:
    return f"{state['likelihood'] or '-'}/{state['impact'] or '-'}"


def print_strategy(doc: dict[str, Any]) -> None:
    """The strategy analysis as tables, most telling first."""
    a, tot = doc["assessment"], doc["totals"]
    out.print(f"{a['title']} — classification: {a['classification']}")
    out.print(
        f"Total risk: inherent {_r(tot['inherent'])}, current {_r(tot['current'])}, target "
        f"{_r(tot['target'])}; with every international development "
        f"{_r(tot['with_all_developments'])}."
    )
    sc = Table(title="Risk without measures, today, and when planned measures are in place")
    for col in ("scenario", "inherent", "current", "target", "class now -> target", "exposure"):
        sc.add_column(col)
    for s in sorted(doc["scenarios"], key=lambda s: s["current"]["rank"] or 10**9):
        c, t = s["current"], s["target"]
        sc.add_row(
            s["title"],
            _r(s["inherent"]["risk"]),
            _r(c["risk"]),
            _r(t["risk"]),
            f"{_cls(c)} -> {_cls(t)}",
            "-" if not s["exposure"] else f"{s['exposure']:.0%}",
        )
    out.print(sc)
    mt = Table(title="What each measure removes (risk; per million euros a year)")
    for col in ("measure", "status", "cost/yr", "marginal", "alone", "alone per M"):
        mt.add_column(col)
    for m in sorted(doc["measures"], key=lambda m: -(m["alone"] or 0)):
        mt.add_row(
            m["title"],
            m["status"].replace("_", " "),
            "-" if m["cost"] is None else amount(m["cost"]),
            _r(m["marginal"]),
            _r(m["alone"]),
            _r(m["alone_per_million"]),
        )
    out.print(mt)
    if doc["developments"]:
        dt = Table(title="International developments: national risks they raise")
        for col in ("development", "raises", "risk added", "rank", "serious"):
            dt.add_column(col)
        for d in doc["developments"]:
            for r in d["raises"]:
                share = r.get("serious_share")
                dt.add_row(
                    d["title"],
                    r["scenario"] + ("" if r["direct"] else " (through a cascade)"),
                    _r(r["risk_added"]),
                    f"{r['before']['rank']} -> {r['after']['rank']}",
                    ("yes" if r["after"]["serious"] else "no")
                    + ("" if share is None else f" ({share:.0%} of draws)"),
                )
        out.print(dt)
    w = doc.get("what_if")
    if w is not None:
        wt = Table(
            title=f"If {', '.join(w['developments'])} materialise together: total risk "
            f"{_r(w['current'])} -> {_r(w['with'])}"
        )
        for col in ("scenario", "risk added", "rank", "classes", "serious"):
            wt.add_column(col)
        for mv in w["moves"]:
            b, a2 = mv["before"], mv["after"]
            wt.add_row(
                mv["title"],
                _r(mv["risk_added"]),
                f"{b['rank']} -> {a2['rank']}",
                f"{_cls(b)} -> {_cls(a2)}",
                "becomes serious" if mv["becomes_serious"] else ("yes" if a2["serious"] else "no"),
            )
        out.print(wt)
    p = doc["portfolio"]
    if p is not None:
        pt = Table(title=f"Proposed measures to fund within {amount(p['budget'])} a year")
        for col in ("measure", "best (exact)", "greedy", "in best portfolio"):
            pt.add_column(col)
        share = (p["robustness"] or {}).get("share", {})
        for mid in p["candidates"]:
            pt.add_row(
                mid,
                "yes" if mid in p["best"]["measures"] else "",
                "yes" if mid in p["greedy"]["measures"] else "",
                "-" if mid not in share else f"{share[mid]:.0%} of draws",
            )
        out.print(pt)
        out.print(
            f"Best: removes {_r(p['best']['risk_removed'])} for {amount(p['best']['cost'] or 0)}; "
            f"greedy: {_r(p['greedy']['risk_removed'])} for {amount(p['greedy']['cost'] or 0)}."
        )
    caps = doc["capabilities"]
    if caps["ranking"]:
        ct = Table(title="Capability gaps, by the risk they leave open")
        for col in ("capability", "risk open", "gaps", "shared internal/external"):
            ct.add_column(col)
        for c in caps["ranking"]:
            ct.add_row(c["id"], _r(c["risk_open"]), str(c["gaps"]), "yes" if c["shared"] else "")
        out.print(ct)
    if doc["flags"]:
        out.print("Coherence of the strategies:")
        for f in doc["flags"]:
            out.print(f"  - {f['message']}")

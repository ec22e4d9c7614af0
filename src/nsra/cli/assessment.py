"""``nsra validate`` (check an assessment or a method file) and ``nsra compute`` (the risk
picture as a table, JSON or CSV)."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

import nsra
from nsra.cli.console import EXIT_PROBLEMS, amount, out, show_problems
from nsra.cli.files import load, write_atomic
from nsra.cli.options import Fmt, FormatOpt, LangOpt, MaxSize, OutputOpt
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import DEFAULT_MAX_BYTES, Limits
from nsra.model.text import DEFAULT_LANG, Lang

if TYPE_CHECKING:
    from nsra.io.contract import ResultsDoc
    from nsra.io.validate import Loaded


class ProblemFmt(StrEnum):
    text = "text"
    json = "json"


def validate(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    fmt: Annotated[ProblemFmt, typer.Option("--format", help="text or json")] = ProblemFmt.text,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Check an assessment (or a method) file and report every problem at once."""
    from nsra.io.validate import read_assessment

    if _is_method_file(file, max_size):
        from nsra.io.methods import load_method

        m = load_method(str(file.resolve()))
        out.print(
            f"{file}: valid method {m.id} {m.version} ({len(m.criteria)} criteria, "
            f"{len(m.interests)} interests, {len(m.profiles)} weight profiles)"
        )
        return
    try:
        loaded = read_assessment(str(file), Limits(max_bytes=max_size))
    except InputError as exc:
        if fmt == ProblemFmt.json:
            out.print(json.dumps([p.as_dict() for p in exc.problems], indent=2))
            raise typer.Exit(EXIT_PROBLEMS) from None
        raise
    if fmt == ProblemFmt.json:
        out.print(json.dumps([p.as_dict() for p in loaded.warnings], indent=2))
        return
    show_problems(loaded.warnings)
    a = loaded.assessment
    out.print(
        f"{file}: valid ({len(a.scenarios)} scenarios, {len(a.analysts)} analysts, "
        f"{len(loaded.inputs.estimates)} estimates, {len(a.cascades)} cascades, "
        f"method {loaded.method.id} {loaded.method.version})"
    )


def _is_method_file(file: Path, max_size: int) -> bool:
    """True when a file looks like a method definition (criteria and scales, no scenarios)."""
    from nsra.io.safeyaml import load as load_yaml
    from nsra.io.safeyaml import read_text

    try:
        text = read_text(str(file), Limits(max_bytes=max_size))
        if re.search(r'^(scenarios|"scenarios")\s*:|"scenarios"\s*:', text, re.M):
            return False  # an assessment always has scenarios: no second parse of big files
        data = load_yaml(text, str(file))
    except InputError:
        return False  # reported when read as an assessment
    return isinstance(data, dict) and "criteria" in data and "scenarios" not in data


def compute(
    file: Annotated[Path, typer.Argument(help="Assessment file (YAML or JSON).")],
    profile: Annotated[str | None, typer.Option("--profile", help="Weight profile.")] = None,
    fmt: FormatOpt = Fmt.table,
    output: OutputOpt = None,
    lang: LangOpt = DEFAULT_LANG,
    max_size: MaxSize = DEFAULT_MAX_BYTES,
) -> None:
    """Compute impact, likelihood, risk and ranking."""
    from nsra.io.results import results_csv

    loaded = load(file, max_size)
    results = nsra.compute(loaded, profile)
    doc = nsra.results_document(loaded, results, lang)
    if fmt == Fmt.json:
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    elif fmt == Fmt.csv:
        text = results_csv(doc, [i.id for i in loaded.method.interests])
    else:
        text = ""
    if output is not None:
        if fmt == Fmt.table:
            raise InputError([Problem("--output needs --format json or csv")])
        write_atomic(output, text)
        out.print(f"Written: {output}")
    elif fmt == Fmt.table:
        print_results_table(doc, loaded, lang)
    else:
        sys.stdout.write(text)


def print_results_table(doc: ResultsDoc, loaded: Loaded, lang: Lang) -> None:
    """The risk picture in rank order: likelihood, impact, risk and the analysts' spread."""
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
            f"{sc['title']}{lvl}",
            sc["domain"],
            f"{sc['likelihood']['class'] or '-'} ({spread['min'] or '-'}..{spread['max'] or '-'})",
            "-" if p is None else f"{p:.3g}",
            sc["impact"]["class"] or "-",
            "-" if total is None else (amount(total) if money else f"{total:.4g}"),
            "-" if risk is None else (amount(risk) if money else f"{risk:.4g}"),
            str(spread["analysts"]),
        )
    out.print(table)

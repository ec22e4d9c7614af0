"""``nsra methods`` (the shipped methods), ``nsra methods show`` (what a method contains) and
``nsra schema`` (the JSON Schema of assessment and method files)."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from nsra.cli.console import number, out
from nsra.cli.options import LangOpt
from nsra.io.problems import InputError, Problem
from nsra.model.text import DEFAULT_LANG, Lang, tr

if TYPE_CHECKING:
    from nsra.engine.scales import ScaleKernel
    from nsra.model.method import Method

methods_app = typer.Typer(help="List the methods and show what a method contains.")


@methods_app.callback(invoke_without_command=True)
def methods_list(ctx: typer.Context, lang: LangOpt = DEFAULT_LANG) -> None:
    """List the methods that ship with nsra."""
    if ctx.invoked_subcommand is not None:
        return
    from nsra.i18n import t
    from nsra.io.methods import load_method, shipped_method_ids

    table = Table(title=t("methods", lang))
    for col in ("id", "version", "name", "levels", "aggregation", "illustrative"):
        table.add_column(col)
    for mid in shipped_method_ids():
        m = load_method(mid)
        table.add_row(
            m.id,
            m.version,
            tr(m.name, lang),
            ", ".join(lv.id for lv in m.intensity_levels) or "-",
            m.aggregation.kind,
            "yes" if m.illustrative else "no",
        )
    out.print(table)
    out.print("Show one with: nsra methods show ID (or the path of your own method file)")


@methods_app.command("show")
def methods_show(
    method: Annotated[str, typer.Argument(help="A shipped method id or a method file.")],
    lang: LangOpt = DEFAULT_LANG,
) -> None:
    """Print a method: interests, criteria, units, class bounds, likelihood, weight profiles."""
    from nsra.io.methods import load_method

    print_method(load_method(method), lang)


@methods_app.command("scale")
def methods_scale(
    method: Annotated[str, typer.Argument(help="A shipped method id or a method file.")],
    scale: Annotated[str, typer.Argument(help="A scale id (dp, cp, m, ti) or a criterion (Ha).")],
    positions: Annotated[
        list[float] | None,
        typer.Argument(help="Positions on the scale (default: every class's centre).", min=0),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    lang: LangOpt = DEFAULT_LANG,
) -> None:
    """What positions on a scale mean: class, quantity in the scale's unit and, for likelihood,
    the daily probability the cascade simulation uses (e.g. nsra methods scale be-bnra-2023 dp
    2.5)."""
    from nsra.engine.scale_reading import find_scale, read_scale
    from nsra.io.methods import load_method

    if fmt not in ("table", "json"):
        raise InputError([Problem(f"unknown format {fmt!r}; allowed: table, json")])
    m = load_method(method)
    try:
        find_scale(m, scale)
    except KeyError:
        names = ", ".join([s.id for s in m.scales] + [c.id for c in m.criteria])
        raise InputError(
            [Problem(f"method {m.id} has no scale or criterion {scale!r}; allowed: {names}")]
        ) from None
    r = read_scale(m, scale, positions or None, lang)
    if fmt == "json":
        doc = {
            "method": r.method,
            "scale": r.scale,
            "role": r.role,
            "unit": r.unit,
            "quantity": r.what,
            "positions": [dataclasses.asdict(x) for x in r.readings],
        }
        out.print(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{r.method}: scale {r.scale} ({r.role.replace('_', ' ')})")
    cols = ["position", "class", "class label", r.what, "interval (position -+ 0.5)"]
    has_euros = any(x.euros is not None for x in r.readings) and r.role == "impact"
    has_daily = any(x.daily_probability is not None for x in r.readings)
    if has_euros:
        cols.append("EUR")
    if has_daily:
        cols.append("daily probability" + (" (from an actor)" if r.role == "cascade" else ""))
    for c in cols:
        table.add_column(c)
    for x in r.readings:
        row = [
            f"{x.position:g}",
            x.class_code,
            x.class_label or "",
            "" if x.quantity is None else _g(x.quantity),
            "" if x.lower is None or x.upper is None else f"{_g(x.lower)} – {_g(x.upper)}",
        ]
        if has_euros:
            row.append("" if x.euros is None else _g(x.euros))
        if has_daily:
            row.append("" if x.daily_probability is None else f"{x.daily_probability:.6g}")
        table.add_row(*row)
    out.print(table)


def _g(x: float) -> str:
    """A quantity readably: 4 significant digits, thousands separated."""
    if x != 0 and (abs(x) >= 1e15 or abs(x) < 1e-4):
        return f"{x:.4g}"
    digits = max(0, 3 - math.floor(math.log10(abs(x)))) if x else 0
    return f"{x:,.{digits}f}"


def _bounds(kernel: ScaleKernel, index: int) -> str:
    c = kernel.scale.classes[index - kernel.first_index]
    if c.lower is None and c.upper is None:
        return ""
    lo = "" if c.lower is None else number(c.lower)
    hi = "and more" if c.upper is None else number(c.upper)
    return f"{lo} – {hi}" if lo else f"up to {hi}"


def print_method(m: Method, lang: Lang) -> None:
    """Everything a method contains, readable."""
    import numpy as np

    from nsra.engine.impact import normalised
    from nsra.engine.scales import ScaleKernel

    out.print(Text.assemble((tr(m.name, lang), "bold"), f"  ({m.id}, version {m.version})"))
    if m.description:
        out.print(tr(m.description, lang))
    if m.source:
        out.print(f"Source: {tr(m.source, lang)}")
    if m.illustrative:
        out.print(f"ILLUSTRATIVE: {tr(m.illustrative, lang)}", style="yellow")
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
        default = m.profile()
        for p in m.profiles:
            weights = normalised(np.array([p.weights.get(c.id, 0.0) for c in m.criteria]))
            w = ", ".join(f"{c.id} {x:.3f}" for c, x in zip(m.criteria, weights, strict=True))
            marker = " (default)" if p is default else ""
            prof.add_row(f"{p.id}{marker}: {tr(p.label, lang)}", w)
        out.print(prof)
    if m.cascades:
        kernel = ScaleKernel.of(m.scale(m.cascades.scale))
        parts = [
            f"{c.code}: {_bounds(kernel, n + kernel.first_index)}"
            for n, c in enumerate(kernel.scale.classes)
        ]
        out.print("Cascades, conditional probability classes: " + "; ".join(parts))


def schema(
    kind: Annotated[str, typer.Option("--kind", help="assessment or method")] = "assessment",
) -> None:
    """Print the JSON Schema of assessment (or method) files, for editors."""
    from nsra.model.assessment import Assessment
    from nsra.model.method import Method

    if kind not in ("assessment", "method"):
        raise InputError([Problem(f"unknown kind {kind!r}; allowed: assessment, method")])
    model = Assessment if kind == "assessment" else Method
    doc = model.model_json_schema(by_alias=True)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = f"nsra {kind} file"
    out.print(json.dumps(doc, indent=2, ensure_ascii=False))

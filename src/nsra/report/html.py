"""The HTML report: one self-contained file (inline CSS and SVG, no requests, no scripts).

:func:`render_report` turns a loaded assessment and its computed results into the report. All
numbers come from :func:`nsra.io.results.results_document` (typed ``nsra-results/1``), read
through :class:`nsra.report.view.View`; this module only arranges them into plain view data for
the Jinja2 template (autoescaped) and the SVG diagram. With an analysis document
(``nsra-analysis/1``, :func:`nsra.io.analysis_results.analysis_document`) the report adds its
sections, arranged by :mod:`nsra.report.analyses`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePath, PureWindowsPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from nsra import i18n
from nsra.analysis.coherence import PHASES, coherence
from nsra.engine.compute import Results
from nsra.io.contract import AnalysisDoc, LevelBlock, ScenarioResult, Spread
from nsra.io.results import results_document
from nsra.io.validate import Loaded
from nsra.model.assessment import Scenario
from nsra.model.text import DEFAULT_LANG, Lang, tr
from nsra.report.analyses import analysis_context, box_texts, uncertainty_boxes
from nsra.report.diagram import (
    DOMAINS,
    Axis,
    AxisClass,
    Box,
    Marker,
    icon,
    marker_of,
    mini_diagram,
    risk_diagram,
)
from nsra.report.view import RankingRow, View
from nsra.version import __version__

# Colour-blind safe qualitative palette (Paul Tol, "muted"), one colour per interest.
INTEREST_COLOURS = (
    "#332288", "#CC6677", "#DDCC77", "#117733", "#88CCEE", "#AA4499", "#44AA99", "#999933",
    "#882255", "#6699CC",
)  # fmt: skip
_DARK_TEXT = {"#DDCC77", "#88CCEE", "#44AA99", "#999933", "#6699CC"}


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nsra.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string that is also safe inside an HTML ``<style>`` element."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " .,:;-_()/":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06X}")
    return Markup('"' + "".join(out) + '"')


def file_name(source: str) -> str:
    """The file name of a source path, never a directory (no absolute paths in reports)."""
    return PurePath(PureWindowsPath(source).name).name or source


def _consensus_state(spread: Spread) -> str:
    flags = [bool(spread["likelihood"]["consensus"])]
    flags += [bool(c["consensus"]) for c in spread["impact"].values()]
    if all(flags):
        return "yes"
    return "partly" if any(flags) else "no"


def _n_analysts(sc: Scenario) -> int:
    return len({e.analyst for e in sc.estimates})


# -- header and summary -----------------------------------------------------------------------
def _header(v: View) -> dict[str, Any]:
    m = v.m
    profile = m.profile(v.doc["method"]["profile"]) if not v.monetised else None
    illustrative: list[str] = []
    if v.a.illustrative:
        illustrative.append(v.t("illustrative_assessment"))
    method_note = tr(m.illustrative, v.lang) if m.illustrative else ""
    return {
        "title": v.doc["assessment"]["title"],
        "description": tr(v.a.description, v.lang) if v.a.description else "",
        "classification": v.a.classification,
        "date": i18n.long_date(v.a.date, v.lang),
        "iso_date": v.a.date.isoformat(),
        "method": tr(m.name, v.lang),
        "method_id": m.id,
        "method_version": m.version,
        "profile": tr(profile.label, v.lang) if profile else v.t("profile_none"),
        "aggregation": v.t(f"agg_{m.aggregation.kind}"),
        "time_basis": v.period(),
        "illustrative": illustrative,
        "method_illustrative": method_note,
        "source": file_name(v.loaded.source),
        "version": __version__,
    }


def _serious_class(v: View) -> tuple[str, str]:
    scale = v.m.scale(v.m.diagram.impact_classes)
    code = scale.code_of(math.ceil(v.m.diagram.serious_from))
    return code, v.class_label(scale.id, code)


def _summary(v: View, rows: list[RankingRow], coh: dict[str, Any]) -> dict[str, Any]:
    doc_sc = v.doc["scenarios"]
    counts = {d: sum(1 for e in doc_sc if e["domain"] == d) for d in DOMAINS}
    n = len(doc_sc)
    malicious = sum(1 for e in doc_sc if e["malicious"])
    serious = sum(1 for e in doc_sc if e["serious"])
    code, label = _serious_class(v)
    key = (
        "summary_serious"
        if serious > 1
        else ("summary_serious_one" if serious == 1 else "summary_serious_none")
    )
    top = []
    for row in rows[:5]:
        if row["rank"] is None:
            continue
        lik = f"{row['lik_label']} ({row['lik_class']})" if row["lik_label"] else row["lik_class"]
        imp = f"{row['imp_label']} ({row['imp_class']})" if row["imp_label"] else row["imp_class"]
        line = v.t("top_line", lik=lik, imp=imp)
        if row["level"]:
            line += "; " + v.t("at_level", level=row["level"].lower())
        top.append({**row, "line": line})
    gaps = coh["gaps"]
    if not coh["has_measures"]:
        gap_text = v.t("gaps_no_measures")
    elif not gaps:
        gap_text = v.t("gaps_none")
    elif len(gaps) == 1:
        gap_text = v.t("gaps_one")
    else:
        gap_text = v.t("gaps_some", n=len(gaps))
    return {
        "n": n,
        "counts": counts,
        "serious": serious,
        "gaps_n": len(gaps) if coh["has_measures"] else None,
        "scope": v.t(
            "summary_scope",
            n=n,
            internal=counts["internal"],
            external=counts["external"],
            both=counts["both"],
            malicious=malicious,
        ),
        "serious_text": v.t(key, n=serious, code=code, label=label),
        "zone_text": v.t("summary_zone") if v.m.diagram.serious_sum_from is not None else "",
        "levels_text": v.t("summary_levels") if v.m.intensity_levels else "",
        "top": top,
        "top_title": v.t("top_risks") if len(top) == 5 else v.t("top_risks_n"),
        "gap_text": gap_text,
        "gaps": gaps,
        "unranked": [r for r in rows if r["rank"] is None],
    }


# -- ranking rows -----------------------------------------------------------------------------
def _rows(v: View) -> list[RankingRow]:
    impact_scale = v.m.diagram.impact_classes
    rows: list[RankingRow] = []
    for e in v.doc["scenarios"]:
        sc = v.scenarios[e["id"]]
        lik_scale = v.lik_scale(sc.malicious)
        lik_class = e["likelihood"]["class"]
        imp_class = e["impact"]["class"]
        spread = e["spread"]["likelihood"]
        state = _consensus_state(e["spread"])
        rows.append(
            {
                "id": e["id"],
                "anchor": f"sc-{e['id']}",
                "rank": e["rank"],
                "title": e["title"],
                "domain": e["domain"],
                "domain_label": v.domain(e["domain"]),
                "domain_short": v.t(f"domain_short_{e['domain']}"),
                "malicious": e["malicious"],
                "icon": Markup(icon(e["domain"], e["malicious"])),
                "owner": v.org(e["owner"]),
                "theme": e["theme"],
                "lik_class": lik_class or "–",
                "lik_label": v.class_label(lik_scale, lik_class),
                "lik_spread": v.spread(spread["min"], spread["max"]),
                "probability": v.prob(e["likelihood"]["probability"]),
                "imp_class": imp_class or "–",
                "imp_label": v.class_label(impact_scale, imp_class),
                "total": v.impact(e["impact"]["total"]),
                "risk": v.risk(e["risk"]),
                "analysts": _n_analysts(sc),
                "consensus": v.t(state),
                "consensus_state": state,
                "serious": e["serious"],
                "level": v.level_label(e.get("level")),
                "level_colour": v.level_colour(e.get("level")),
            }
        )
    return rows


# -- diagram ----------------------------------------------------------------------------------
def _axis(v: View, scale_id: str, title: str, needed_low: float | None) -> Axis:
    scale = v.m.scale(scale_id)
    classes = [
        AxisClass(i + scale.first_index, c.code, tr(c.label, v.lang) if c.label else "")
        for i, c in enumerate(scale.classes)
    ]
    # a class 0 that means "none" is left out unless a scenario lies in it
    first = scale.classes[0]
    means_none = (first.lower is None and first.upper is None) or first.upper == 0
    unused = needed_low is None or needed_low >= 0.5
    if len(classes) > 2 and classes[0].index == 0 and means_none and unused:
        classes = classes[1:]
    return Axis(title, tuple(classes))


def _lowest(markers: Sequence[Marker], axis: str) -> float | None:
    """The lowest position (central or lowest estimate) any marker has on an axis ("x", "y")."""
    values = [
        x
        for m in markers
        for x in ((m.x, m.x_low) if axis == "x" else (m.y, m.y_low))
        if x is not None
    ]
    return min(values) if values else None


def _serious_zone(v: View, x_axis: Axis, y_axis: Axis) -> frozenset[tuple[int, int]]:
    """The (likelihood class, impact class) cells of the diagram that hold serious risks."""
    cells = [(x.index, y.index) for x in x_axis.classes for y in y_axis.classes]
    flags = v.serious_cells([c[0] for c in cells], [c[1] for c in cells])
    return frozenset(c for c, on in zip(cells, flags, strict=True) if on)


def _diagrams(
    v: View,
    rows: list[RankingRow],
    boxes: Mapping[str, Box] | None = None,
) -> dict[str, Any]:
    """The risk diagram panels; with ``boxes`` (per scenario id) the uncertainty diagram."""
    entries = v.doc["scenarios"]
    markers = [
        m
        for e in entries
        for m in [marker_of(e, None if boxes is None else boxes.get(e["id"]))]
        if m is not None
    ]
    y_axis = _axis(
        v, v.m.diagram.impact_classes, tr(v.m.diagram.impact_label, v.lang), _lowest(markers, "y")
    )
    # one diagram, unless malicious and non-malicious threats use scales with other classes
    groups: dict[tuple[str, ...], list[Marker]] = {}
    scale_of: dict[tuple[str, ...], str] = {}
    for e in entries:
        scale_id = v.lik_scale(e["malicious"])
        codes = tuple(v.m.scale(scale_id).codes)
        groups.setdefault(codes, [])
        scale_of.setdefault(codes, scale_id)
    for mk in markers:
        codes = tuple(v.m.scale(v.lik_scale(mk.malicious)).codes)
        groups[codes].append(mk)
    malicious_of = {
        codes: next(e["malicious"] for e in entries if v.lik_scale(e["malicious"]) == sid)
        for codes, sid in scale_of.items()
    }
    panels: list[dict[str, Any]] = []
    minis: list[dict[str, Any]] = []
    split = len(groups) > 1
    for codes, group in groups.items():
        scale_id = scale_of[codes]
        malicious = malicious_of[codes]
        if split:
            scale = v.m.scale(scale_id)
            x_title = tr(scale.label, v.lang) if scale.label else scale_id
            title: str | None = v.t("panel_malicious" if malicious else "panel_non_malicious")
        else:
            x_title = tr(v.m.diagram.likelihood_label, v.lang)
            title = None
        x_axis = _axis(v, scale_id, x_title, _lowest(group, "x"))
        zone = _serious_zone(v, x_axis, y_axis)
        panels.append(
            {
                "svg": Markup(
                    risk_diagram(
                        group, x_axis, y_axis, v.lang, title, zone, boxes=boxes is not None
                    )
                ),
                "title": title,
                "malicious": malicious,
            }
        )
        if boxes is not None:
            minis.extend(_minis(v, group, x_axis, y_axis, zone))
    if split:  # malicious threats second, as in the BNRA
        panels.sort(key=lambda p: bool(p["malicious"]))
    ranked = [r for r in rows if r["rank"] is not None]
    code, _ = _serious_class(v)
    serious = [f"{r['rank']} {r['title']}" for r in ranked if r["serious"]]
    widths = []
    for mk in markers:
        w = 0.0
        if mk.x_low is not None and mk.x_high is not None:
            w = max(w, mk.x_high - mk.x_low)
        if mk.y_low is not None and mk.y_high is not None:
            w = max(w, mk.y_high - mk.y_low)
        widths.append((w, mk.rank, mk.title))
    widths.sort(key=lambda x: (-x[0], x[1]))
    uncertain = [f"{rank} {title}" for w, rank, title in widths[:3] if w >= 1.0]
    minis.sort(key=lambda m: int(m["rank"]))
    return {
        "panels": panels,
        "minis": minis,
        "split_note": v.t("diagram_panels") if split else "",
        "legend": ranked,
        "serious_text": (
            v.t("diagram_serious", code=code, list="; ".join(serious)) if serious else ""
        ),
        "uncertain_text": (
            v.t("diagram_uncertain", list="; ".join(uncertain)) if uncertain else ""
        ),
        "empty": not ranked,
    }


def _class_span(axis: Axis, low: float, high: float) -> str:
    """The class codes a position interval covers: "B–D", or "C"."""
    first, last = axis.classes[0].index, axis.classes[-1].index

    def code(x: float) -> str:
        index = min(max(math.floor(x + 0.5), first), last)
        return next(c.code for c in axis.classes if c.index == index)

    a, b = code(min(low, high)), code(max(low, high))
    return a if a == b else f"{a}–{b}"


def _minis(
    v: View,
    group: Sequence[Marker],
    x_axis: Axis,
    y_axis: Axis,
    zone: frozenset[tuple[int, int]],
) -> list[dict[str, Any]]:
    """Small diagrams, one scenario's uncertainty box each."""
    out = []
    for mk in group:
        if mk.box is None:
            continue
        lik = _class_span(x_axis, mk.box[0], mk.box[1])
        imp = _class_span(y_axis, mk.box[2], mk.box[3])
        text = v.t("mini_span", lik=lik, imp=imp)
        out.append(
            {
                "rank": mk.rank,
                "title": mk.title,
                "anchor": f"sc-{mk.id}",
                "span": text,
                "svg": Markup(
                    mini_diagram(mk, group, x_axis, y_axis, zone, f"{mk.rank}. {mk.title}: {text}")
                ),
            }
        )
    return out


# -- impact per interest ----------------------------------------------------------------------
def _interest_bars(v: View) -> dict[str, Any]:
    interests = [
        {
            "id": i.id,
            "label": tr(i.label, v.lang),
            "colour": INTEREST_COLOURS[n % len(INTEREST_COLOURS)],
            "text": "#1B2430"
            if INTEREST_COLOURS[n % len(INTEREST_COLOURS)] in _DARK_TEXT
            else "#FFFFFF",
        }
        for n, i in enumerate(v.m.interests)
    ]
    any_indirect = False
    counted = v.m.cascades is not None and v.m.cascades.include_in_risk
    bars = []
    for e in v.doc["scenarios"]:
        imp = e["impact"]
        parts: list[tuple[str, str, str, float]] = []
        for i in interests:
            val = imp["interests"].get(i["id"])
            if val is not None and val > 0:
                parts.append((i["label"], i["colour"], i["text"], float(val)))
        indirect = (imp["indirect"] or 0.0) if counted else 0.0
        if indirect > 0:
            any_indirect = True
            parts.append((v.t("indirect_part"), "indirect", "#1B2430", float(indirect)))
        total = sum(p[3] for p in parts)
        segments = []
        for label, colour, text, val in parts:
            share = val / total if total > 0 else 0.0
            segments.append(
                {
                    "label": label,
                    "colour": colour,
                    "text": text,
                    "width": f"{share * 100:.2f}",
                    "share": i18n.percent(share, v.lang) if share >= 0.1 else "",
                    "tip": f"{label}: {v.impact(val)} ({i18n.percent(share, v.lang)})",
                }
            )
        bars.append(
            {
                "rank": e["rank"],
                "title": e["title"],
                "anchor": f"sc-{e['id']}",
                "segments": segments,
                "total": v.impact(imp["total"]) if total > 0 else v.t("no_impact"),
                "level": v.level_label(e.get("level")),
            }
        )
    return {"interests": interests, "bars": bars, "indirect": any_indirect}


# -- scenario sections ------------------------------------------------------------------------
def _given(
    v: View, spec: Any, unit: str, value_text: Callable[[float], str] | None = None
) -> tuple[str, str | None]:
    """What an analyst wrote, for people, and its rationale."""
    if spec is None:
        return "", None
    if isinstance(spec, bool):
        return str(spec), None
    if isinstance(spec, int):
        return str(spec), None
    if isinstance(spec, float):
        return i18n.plain(spec, v.lang), None
    if isinstance(spec, str):
        return spec.replace("..", "–"), None
    if isinstance(spec, Mapping):
        rationale = spec.get("rationale")
        if "class" in spec:
            text = str(spec["class"]).replace("..", "–")
        elif "value" in spec:
            value = float(spec["value"])
            if value_text is not None:
                text = value_text(value)
            elif unit == "EUR":
                text = i18n.euros(value, v.lang)
            else:
                text = i18n.plain(value, v.lang) + (f" {unit}" if unit else "")
        elif "scale" in spec:
            text = v.t("scale_position", value=i18n.plain(float(spec["scale"]), v.lang))
        else:
            text = "?"
        return text, str(rationale) if rationale else None
    return str(spec), None


def _block(v: View, sc: Scenario, entry_block: LevelBlock, level: str | None) -> dict[str, Any]:
    """The criterion table of one scenario at one level (or the scenario without levels)."""
    m = v.m
    lik_spec = m.likelihood.scale_for(sc.malicious)
    lik_unit = ""

    def lik_value(x: float) -> str:
        # as nsra.io.validate reads it: a return period in years, or a probability
        if lik_spec.quantity == "return_period_months":
            return v.t("return_period", n=i18n.plain(x, v.lang))
        period = i18n.period(lik_spec.period_months or v.time_basis, v.lang)
        return f"{i18n.percent(x, v.lang)} ({period})"

    estimates = [e for e in sc.estimates if (e.level or None) == level]
    consensus = next((c for c in sc.consensus if (c.level or None) == level), None)
    analysts = []
    for e in estimates:
        a = v.analysts.get(e.analyst)
        analysts.append(
            {
                "id": e.analyst,
                "name": (a.name if a and a.name else e.analyst),
                "org": v.org(a.organisation) if a else "",
            }
        )
    rationales: list[dict[str, Any]] = []

    def collect(what: str, text: str | None, sink: list[dict[str, str]]) -> None:
        if text:
            sink.append({"what": what, "text": text})

    rows = []
    lik_name = v.t("likelihood")
    spread = entry_block["spread"]
    per_analyst: list[list[dict[str, str]]] = [[] for _ in estimates]
    cons_notes: list[dict[str, str]] = []

    # likelihood row
    lik = entry_block["likelihood"]
    sp = spread["likelihood"]
    cells = []
    for n, e in enumerate(estimates):
        text, why = _given(v, e.likelihood, lik_unit, lik_value)
        cells.append(text + (" *" if why else ""))
        collect(lik_name, why, per_analyst[n])
    ctext, cwhy = _given(v, consensus.likelihood if consensus else None, lik_unit, lik_value)
    if cwhy:
        cons_notes.append({"what": lik_name, "text": cwhy})
    rows.append(
        {
            "code": "",
            "name": lik_name,
            "interest": "",
            "cls": lik["class"],
            "label": v.class_label(lik_spec.scale, lik["class"]),
            "spread": v.spread(sp["min"], sp["max"]),
            "n": sp["analysts"],
            "consensus": sp["consensus"],
            "given": cells,
            "agreed": ctext + (" *" if cwhy else ""),
            "lik": True,
        }
    )
    interests = {i.id: tr(i.label, v.lang) for i in m.interests}
    previous_interest = None
    for c in m.criteria:
        res = entry_block["impact"]["criteria"][c.id]
        sp = spread["impact"][c.id]
        scale = m.scale(c.scale)
        unit = tr(scale.unit, v.lang) if scale.unit and scale.quantitative else ""
        name = tr(c.label, v.lang)
        cells = []
        for n, e in enumerate(estimates):
            text, why = _given(v, e.impact.get(c.id), unit)
            cells.append(text + (" *" if why else ""))
            collect(f"{c.id} {name}", why, per_analyst[n])
        spec = consensus.impact.get(c.id) if consensus else None
        ctext, cwhy = _given(v, spec, unit)
        if cwhy:
            cons_notes.append({"what": f"{c.id} {name}", "text": cwhy})
        rows.append(
            {
                "code": c.id,
                "name": name,
                "interest": interests.get(c.interest, c.interest)
                if c.interest != previous_interest
                else "",
                "cls": res["class"],
                "label": v.class_label(c.scale, res["class"]) if res["class"] else "",
                "spread": v.spread(sp["min"], sp["max"]),
                "n": sp["analysts"],
                "consensus": sp["consensus"],
                "given": cells,
                "agreed": ctext + (" *" if cwhy else ""),
                "lik": False,
            }
        )
        previous_interest = c.interest
    for n, e in enumerate(estimates):
        items = list(per_analyst[n])
        if e.rationale:
            items.insert(0, {"what": v.t("overall"), "text": e.rationale})
        if items:
            rationales.append({**analysts[n], "notes": items})
    cons = None
    if consensus is not None:
        items = list(cons_notes)
        cons = {
            "rationale": consensus.rationale or "",
            "date": i18n.long_date(consensus.date, v.lang) if consensus.date else "",
            "notes": items,
        }
    return {
        "level": v.level_label(level) if level else "",
        "level_colour": v.levels[level].colour if level in v.levels else None,
        "analysts": analysts,
        "rows": rows,
        "has_consensus": consensus is not None,
        "rationales": rationales,
        "consensus": cons,
    }


def _cascade_prob(v: View, spec: Any) -> str:
    if v.m.cascades is None:
        return ""
    text, _ = _given(v, spec, "")
    code = (
        spec
        if isinstance(spec, str)
        else (spec.get("class") if isinstance(spec, Mapping) else None)
    )
    if isinstance(code, str) and ".." not in code:
        label = v.class_label(v.m.cascades.scale, code)
        if label and label != code:
            return f"{text} ({label})"
    if isinstance(spec, Mapping) and "value" in spec:
        return i18n.percent(float(spec["value"]), v.lang)
    return text


def _cascades(v: View, sc: Scenario) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"effects": [], "causes": []}
    for cz in v.a.cascades:
        if sc.id not in (cz.cause, cz.effect):
            continue
        other = cz.effect if cz.cause == sc.id else cz.cause
        if cz.levels:
            parts = []
            for a_id, row in cz.levels.items():
                for b_id, spec in row.items():
                    parts.append(
                        f"{v.level_label(a_id)} → {v.level_label(b_id)}: {_cascade_prob(v, spec)}"
                    )
            prob = "; ".join(parts)
        else:
            prob = _cascade_prob(v, cz.probability)
        entry = v.entries.get(other)
        out["effects" if cz.cause == sc.id else "causes"].append(
            {
                "title": entry["title"] if entry else other,
                "rank": entry["rank"] if entry else None,
                "anchor": f"sc-{other}",
                "prob": prob,
                "rationale": cz.rationale or "",
            }
        )
    return out


def _levels_table(v: View, e: ScenarioResult) -> list[dict[str, Any]]:
    rows = []
    lik_scale = v.lik_scale(e["malicious"])
    for lv in e.get("levels", []):
        imp, lik = lv["impact"], lv["likelihood"]
        rows.append(
            {
                "label": v.level_label(lv["id"]),
                "colour": v.level_colour(lv["id"]),
                "shown": lv["id"] == e.get("level"),
                "lik_class": lik["class"] or "–",
                "lik_label": v.class_label(lik_scale, lik["class"]),
                "p_direct": v.prob(lik["direct_probability"]),
                "p_indirect": v.prob(lik["indirect_probability"]),
                "p_total": v.prob(lik["probability"]),
                "i_direct": v.impact(imp["direct"]),
                "i_indirect": v.impact(imp["indirect"]),
                "i_total": v.impact(imp["total"]),
                "i_class": imp["class"] or "–",
                "risk": v.risk(lv["risk"]),
            }
        )
    return rows


def _scenario_sections(
    v: View, rows: list[RankingRow], coh: dict[str, Any]
) -> list[dict[str, Any]]:
    sections = []
    by_id = {r["id"]: r for r in rows}
    for e in v.doc["scenarios"]:
        sc = v.scenarios[e["id"]]
        if "levels" in e:
            blocks = [_block(v, sc, lv_block, lv_block["id"]) for lv_block in e["levels"]]
        else:
            blocks = [_block(v, sc, e, None)]
        sources = [
            {
                "ref": s.ref,
                "title": s.title or "",
                "url": s.url or "",
                "date": i18n.long_date(s.date, v.lang) if s.date else "",
            }
            for s in sc.sources
        ]
        reinforced_by = [other.id for other in v.a.scenarios if sc.id in other.reinforces]

        def ref(sid: str) -> dict[str, Any]:
            entry = v.entries.get(sid)
            return {
                "title": entry["title"] if entry else sid,
                "rank": entry["rank"] if entry else None,
                "anchor": f"sc-{sid}",
            }

        sections.append(
            {
                **by_id[e["id"]],
                "description": tr(sc.description, v.lang) if sc.description else "",
                "sources": sources,
                "levels": _levels_table(v, e),
                "blocks": blocks,
                "cascades": _cascades(v, sc),
                "reinforces": [ref(x) for x in sc.reinforces],
                "reinforced_by": [ref(x) for x in reinforced_by],
                "gap": e["id"] in coh["gap_ids"],
                "measures": coh["by_scenario"].get(e["id"], []),
            }
        )
    return sections


# -- coherence --------------------------------------------------------------------------------
def _coherence(v: View, rows: list[RankingRow], results: Results) -> dict[str, Any]:
    a = v.a
    c = coherence(a, results.serious)
    strategies = {s.id: s for s in a.strategies}
    measures = {m.id: m for m in a.measures}
    by_rank = {r["id"]: r for r in rows}
    phase_labels = {p: v.t(f"phase_{p}") for p in PHASES}

    def strategy_title(sid: str) -> str:
        s = strategies.get(sid)
        return tr(s.title, v.lang) if s else sid

    columns = [
        {
            "id": s.id,
            "title": tr(s.title, v.lang),
            "scope": v.t(f"scope_{s.scope}"),
            "owner": v.org(s.owner),
        }
        for s in a.strategies
    ]
    matrix = []
    by_scenario: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        cov = c.coverage(r["id"])
        cells = []
        for s in a.strategies:
            groups = []
            for p in PHASES:
                titles = [
                    tr(measures[mid].title, v.lang)
                    for mid in cov.phases.get(p, [])
                    if measures[mid].strategy == s.id
                ]
                if titles:
                    groups.append({"phase": phase_labels[p], "measures": titles})
            cells.append(groups)
        by_scenario[r["id"]] = [
            {
                "title": tr(measures[mid].title, v.lang),
                "phase": phase_labels[measures[mid].phase],
                "strategy": strategy_title(measures[mid].strategy),
            }
            for mid in cov.measures
        ]
        matrix.append(
            {
                **r,
                "gap": cov.gap,
                "any_measure": bool(cov.measures),
                "cells": cells,
                "phases": [
                    {"label": phase_labels[p], "short": str(n + 1), "on": bool(cov.phases[p])}
                    for n, p in enumerate(PHASES)
                ],
            }
        )
    shared = []
    for sid in c.shared:
        cov = c.coverage(sid)
        nat = [
            tr(measures[mid].title, v.lang)
            for mid in cov.measures
            if strategies.get(measures[mid].strategy)
            and strategies[measures[mid].strategy].scope == "national"
        ]
        intl = [
            tr(measures[mid].title, v.lang)
            for mid in cov.measures
            if strategies.get(measures[mid].strategy)
            and strategies[measures[mid].strategy].scope == "international"
        ]
        shared.append({**by_rank[sid], "national": nat, "international": intl})
    shared.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0))
    multi = [
        {
            "title": tr(measures[mid].title, v.lang),
            "owners": [v.org(o) for o in dict.fromkeys(measures[mid].owners)],
            "strategy": strategy_title(measures[mid].strategy),
            "phase": phase_labels[measures[mid].phase],
        }
        for mid in c.multi_owner_measures
    ]
    idle = [
        {"title": strategy_title(sid), "scope": v.t(f"scope_{strategies[sid].scope}")}
        for sid in c.strategies_without_serious
    ]
    gaps = sorted(
        (by_rank[sid] for sid in c.gaps),
        key=lambda x: (x["rank"] is None, x["rank"] or 0),
    )
    return {
        "has_measures": bool(a.strategies or a.measures),
        "columns": columns,
        "matrix": matrix,
        "shared": shared,
        "multi": multi,
        "idle": idle,
        "gaps": gaps,
        "gap_ids": set(c.gaps),
        "by_scenario": by_scenario,
        "phase_names": [phase_labels[p] for p in PHASES],
    }


# -- the report -------------------------------------------------------------------------------
def report_context(
    loaded: Loaded,
    results: Results,
    lang: Lang = DEFAULT_LANG,
    analysis: AnalysisDoc | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain data (useful for tests and other outputs).

    ``analysis``: the ``nsra-analysis/1`` document of the same assessment and results
    (:func:`nsra.io.analysis_results.analysis_document`), or None for a report without
    analyses. A language nsra has no words for falls back to English.
    """
    lang = lang if lang in i18n.LANGS else DEFAULT_LANG
    doc = results_document(loaded, results, lang)
    v = View(loaded, doc, lang)
    rows = _rows(v)
    coh = _coherence(v, rows, results)
    extra = analysis_context(v, rows, analysis)
    if extra["uncertainty"] and analysis is not None:
        boxes = uncertainty_boxes(analysis["uncertainty"])
        extra["box_diagram"] = _diagrams(v, rows, boxes)
        extra["box_texts"] = box_texts(v, rows, boxes)
    risk_how = v.t(f"how_{v.m.level_risk}") if v.m.intensity_levels else ""
    total_header = (
        v.t("col_total_eur") if v.monetised else (
            v.t("col_total_unit", unit=doc["method"]["impact_unit"])
            if doc["method"]["impact_unit"] else v.t("col_total_score")
        )
    )  # fmt: skip
    return {
        "lang": lang,
        "L": i18n.labels(lang),
        "head": _header(v),
        "summary": _summary(v, rows, coh),
        "diagram": _diagrams(v, rows),
        "interests": _interest_bars(v),
        "rows": rows,
        "has_levels": bool(v.m.intensity_levels),
        "cols": {
            "probability": v.t("col_probability", period=v.period()),
            "total": total_header,
            "risk": (
                v.t("col_risk_eur", period=v.period(bare=True))
                if v.monetised
                else v.t("col_risk_score")
            ),
        },
        "risk_note": v.t("risk_mean_note", how=risk_how) if risk_how else "",
        "level_note": v.t("lv_note", period=v.period()),
        "scenarios": _scenario_sections(v, rows, coh),
        "coherence": coh,
        "analysis": extra,
    }


def render_report(
    loaded: Loaded,
    results: Results,
    lang: Lang = DEFAULT_LANG,
    analysis: AnalysisDoc | None = None,
) -> str:
    """The whole report as one self-contained HTML page.

    With ``analysis`` (the ``nsra-analysis/1`` document of the same results) the report adds
    the robustness of the ranking, what drives each risk, the threat network and the cascade
    simulation, each where the document has it.
    """
    context = report_context(loaded, results, lang, analysis)
    return _environment().get_template("report.html.j2").render(**context)

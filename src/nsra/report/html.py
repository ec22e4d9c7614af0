"""The HTML report: one self-contained file (inline CSS and SVG, no requests, no scripts).

:func:`render_report` turns a loaded assessment and its computed results into the report. All
numbers come from :func:`nsra.io.results.results_document` (typed ``nsra-results/1``), read
through :class:`nsra.report.view.View`. This module assembles the page (header, summary, ranking
table, impact per interest) for the Jinja2 template (autoescaped); the other sections have their
own modules: the risk diagram panels (:mod:`nsra.report.panels`), the section per scenario
(:mod:`nsra.report.scenarios`), coherence (:mod:`nsra.report.coherence`) and, with an analysis
document (``nsra-analysis/1``, :func:`nsra.io.analysis_results.analysis_document`), the analyses
(:mod:`nsra.report.analyses`).
"""

from __future__ import annotations

import functools
from pathlib import PurePath, PureWindowsPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from nsra import i18n
from nsra.analysis.editions import compare_editions
from nsra.engine.compute import Results
from nsra.io.contract import AnalysisDoc, Spread
from nsra.io.results import results_document
from nsra.io.validate import Loaded
from nsra.model.assessment import Scenario
from nsra.model.text import DEFAULT_LANG, Lang, tr
from nsra.report.analyses import analysis_context, box_texts, uncertainty_boxes
from nsra.report.annex import annex_section, method_section
from nsra.report.changes import changes_section, previous_results
from nsra.report.chronic import chronic_section
from nsra.report.coherence import coherence_section
from nsra.report.contrast import text_on
from nsra.report.diagram import (
    DOMAINS,
    icon,
)
from nsra.report.horizon import horizon_sections
from nsra.report.key_messages import key_messages, theme_table
from nsra.report.panels import diagrams
from nsra.report.ranking import headline, ranking_groups
from nsra.report.scenarios import scenario_sections
from nsra.report.strategy import StrategyDoc, strategy_section
from nsra.report.view import RankingRow, View
from nsra.version import __version__

# Colour-blind safe qualitative palette (Paul Tol, "muted"), one colour per interest.
INTEREST_COLOURS = (
    "#332288", "#CC6677", "#DDCC77", "#117733", "#88CCEE", "#AA4499", "#44AA99", "#999933",
    "#882255", "#6699CC",
)  # fmt: skip


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
        "method_version": tr(m.version_label, v.lang) if m.version_label else m.version,
        "profile": tr(profile.label, v.lang) if profile else v.t("profile_none"),
        "aggregation": v.t(f"agg_{m.aggregation.kind}"),
        "time_basis": v.period(),
        "illustrative": illustrative,
        "method_illustrative": method_note,
        "source": file_name(v.loaded.source),
        "version": __version__,
    }


def _summary(v: View, rows: list[RankingRow], coh: dict[str, Any]) -> dict[str, Any]:
    doc_sc = v.doc["scenarios"]
    counts = {d: sum(1 for e in doc_sc if e["domain"] == d) for d in DOMAINS}
    n = len(doc_sc)
    malicious = sum(1 for e in doc_sc if e["malicious"])
    serious = sum(1 for e in doc_sc if e["serious"])
    code, label = v.serious_class()
    key = (
        "summary_serious"
        if serious > 1
        else ("summary_serious_one" if serious == 1 else "summary_serious_none")
    )
    top_groups: list[dict[str, Any]] = []
    for g in headline(v, rows):
        top: list[dict[str, Any]] = []
        for row in g["rows"]:
            lik, imp = row["lik_class"], row["imp_class"]
            if row["lik_label"]:
                lik = f"{row['lik_label']} ({lik})"
            if row["imp_label"]:
                imp = f"{row['imp_label']} ({imp})"
            line = v.t("top_line", lik=lik, imp=imp)
            if row["level"]:
                line += "; " + v.t("at_level", level=row["level"].lower())
            top.append({**row, "line": line})
        title = v.t("top_serious") if len(top) == 5 else v.t("top_serious_n")
        top_groups.append(
            {"title": f"{title}: {g['title'].lower()}" if g["split"] else title, "rows": top}
        )
    top = [r for tg in top_groups for r in tg["rows"]]
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
        "top_groups": top_groups,
        "top_order": v.t("top_order", code=code),
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


def _with_own_probability(
    sections: list[dict[str, Any]], ranking: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each scenario section with its probability over its own likelihood scale's period, as
    its ranking table shows it ("7.4% over 3 years")."""
    own = {r["id"]: (r["probability_own"], g["period"]) for g in ranking for r in g["rows"]}
    for s in sections:
        p, period = own.get(s["id"], (s["probability"], ""))
        s["probability_own"] = p
        s["own_period"] = period
    return sections


def total_note(v: View) -> str:
    """What the total impact of a scored method is, in plain words, from the method's own
    class scores and kind of aggregation (empty for a method that sums euros)."""
    agg = v.m.aggregation
    if v.monetised or not agg.scores:
        return ""
    scale = v.m.scale(v.m.diagram.impact_classes)
    # one score per class, in the order of the classes (the criteria share the total's codes)
    pairs = [
        f"{c.code} = {i18n.plain(score, v.lang)}"
        for c, score in zip(scale.classes, agg.scores, strict=False)
    ]
    profile = v.m.profile(v.doc["method"]["profile"])
    return v.t(
        f"total_note_{agg.kind}",
        scores=", ".join(pairs),
        profile=tr(profile.label, v.lang) if profile else v.t("profile_none"),
    )


# -- impact per interest ----------------------------------------------------------------------
def _interest_bars(v: View) -> dict[str, Any]:
    interests = [
        {
            "id": i.id,
            "label": tr(i.label, v.lang),
            "colour": INTEREST_COLOURS[n % len(INTEREST_COLOURS)],
            "text": text_on(INTEREST_COLOURS[n % len(INTEREST_COLOURS)]),
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


# -- the report -------------------------------------------------------------------------------
def report_context(
    loaded: Loaded,
    results: Results,
    lang: Lang = DEFAULT_LANG,
    analysis: AnalysisDoc | None = None,
    previous: Loaded | None = None,
    *,
    strategy: StrategyDoc | None = None,
) -> dict[str, Any]:
    """Everything the template shows, as plain data (useful for tests and other outputs).

    ``analysis``: the ``nsra-analysis/1`` document of the same assessment and results
    (:func:`nsra.io.analysis_results.analysis_document`), or None for a report without
    analyses. ``previous``: the previous edition of the assessment, for the section "Changes
    since the previous edition" (:mod:`nsra.report.changes`), or None for no such section.
    ``strategy``: the ``nsra-strategy/1`` document of the same assessment and results in the
    same language (:func:`nsra.io.strategy_doc.strategy_document`), for the strategy section
    (:mod:`nsra.report.strategy`); the section is left out without it, or when the assessment
    has no strategy data. A language nsra has no words for falls back to English.
    """
    lang = lang if lang in i18n.LANGS else DEFAULT_LANG
    doc = results_document(loaded, results, lang)
    v = View(loaded, doc, lang)
    rows = _rows(v)
    acute = [r for r in rows if not v.chronic(r["id"])]  # chronic risks have their own section
    coh = coherence_section(v, rows, results)
    interests = _interest_bars(v)
    extra = analysis_context(v, rows, analysis)
    if extra["uncertainty"] and analysis is not None:
        boxes = uncertainty_boxes(analysis["uncertainty"])
        extra["box_diagram"] = diagrams(v, rows, boxes)
        extra["box_texts"] = box_texts(v, rows, boxes)
    changes = None
    if previous is not None:
        found = compare_editions(previous, previous_results(previous, results), loaded, results)
        changes = changes_section(v, rows, previous, found)
    risk_how = v.t(f"how_{v.m.level_risk}") if v.m.intensity_levels else ""
    total_header = (
        v.t("col_total_eur") if v.monetised else (
            v.t("col_total_unit", unit=doc["method"]["impact_unit"])
            if doc["method"]["impact_unit"] else v.t("col_total_score")
        )
    )  # fmt: skip
    cols_note = total_note(v)
    ranking = ranking_groups(v, acute)
    return {
        "lang": lang,
        "L": i18n.labels(lang),
        "head": _header(v),
        "summary": _summary(v, acute, coh),
        "key_messages": key_messages(v, rows, coh, analysis),
        "themes": theme_table(v, rows),
        "chronic": chronic_section(v, rows, interests),
        "method": method_section(v),
        "annex": annex_section(v),
        "diagram": diagrams(v, acute),
        "horizons": horizon_sections(v, acute),
        "interests": interests,
        "rows": acute,
        "ranking": ranking,
        "has_levels": bool(v.m.intensity_levels),
        "cols": {
            "total_note": cols_note,
            "period": v.period(bare=True),
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
        "scenarios": _with_own_probability(scenario_sections(v, rows, coh), ranking),
        "coherence": coh,
        "analysis": extra,
        "changes": changes,
        "strategy": strategy_section(v, rows, strategy),
    }


def overview_context(loaded: Loaded, results: Results, lang: Lang = DEFAULT_LANG) -> dict[str, Any]:
    """The report's overview only (header, summary, risk diagram, ranking rows, coherence):
    what the web dashboard shows, without the scenario sections and analyses."""
    lang = lang if lang in i18n.LANGS else DEFAULT_LANG
    doc = results_document(loaded, results, lang)
    v = View(loaded, doc, lang)
    rows = _rows(v)
    acute = [r for r in rows if not v.chronic(r["id"])]
    coh = coherence_section(v, rows, results)
    return {
        "head": _header(v),
        "summary": _summary(v, acute, coh),
        "diagram": diagrams(v, acute),
        "rows": rows,
        "coherence": coh,
        "doc": doc,
    }


def render_report(
    loaded: Loaded,
    results: Results,
    lang: Lang = DEFAULT_LANG,
    analysis: AnalysisDoc | None = None,
    previous: Loaded | None = None,
    *,
    strategy: StrategyDoc | None = None,
) -> str:
    """The whole report as one self-contained HTML page.

    With ``analysis`` (the ``nsra-analysis/1`` document of the same results) the report adds
    the robustness of the ranking, what drives each risk, the threat network and the cascade
    simulation, each where the document has it. With ``previous`` (the previous edition) it
    adds the changes since that edition. With ``strategy`` (the ``nsra-strategy/1`` document
    in the report's language) it adds the section on developments, measures and capabilities.
    """
    context = report_context(loaded, results, lang, analysis, previous, strategy=strategy)
    return _environment().get_template("report.html.j2").render(**context)

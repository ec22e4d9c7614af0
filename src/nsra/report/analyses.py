"""The analysis sections of the report, as plain view data for the template.

Input: the ``nsra-analysis/1`` document (typed :class:`nsra.io.contract.AnalysisDoc`) of
:func:`nsra.io.analysis_results.analysis_document`. The optional parts (``smaa``,
``sensitivity``, ``network``, ``cascades``) each give a section only when the document has them.
Nothing is computed again here; numbers are only arranged, ordered by the ranking and put into
words in the report's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from nsra import i18n
from nsra.io.contract import (
    AnalysisDoc,
    CascadeRisk,
    CascadesSection,
    NetworkSection,
    ProfilesSection,
    SensitivitySection,
    SmaaSection,
    UncertaintySection,
)
from nsra.io.sensitivity_section import input_names, name_of, reading
from nsra.model.text import tr
from nsra.report.charts import (
    NetEdge,
    NetNode,
    network_diagram,
    rank_axis,
    rank_strip,
    shade,
    strip_key,
)
from nsra.report.diagram import Box
from nsra.report.frequency import RARE, once_in, per_year
from nsra.report.view import RankingRow, View, ranked_order, ref

SMAA_FLOOR = 0.05  # rank acceptability below which a cell shows no number


def _f(x: Any) -> float | None:
    """A finite float, or None."""
    if x is None or isinstance(x, bool):
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def _q_index(quantiles: Sequence[float], q: float, default: int) -> int:
    best, gap = default, math.inf
    for i, x in enumerate(quantiles):
        if abs(x - q) < gap:
            best, gap = i, abs(x - q)
    return best if gap < 0.02 else default


def _at(values: Sequence[float | None], i: int) -> float | None:
    return _f(values[i]) if len(values) > i else None


# -- robustness: Monte Carlo rank intervals ----------------------------------------------------
def robustness_state(low: float, high: float, n: int) -> str:
    """firm: the 5-95% interval spans at most 3 places; uncertain: more than half of them."""
    width = high - low
    if width <= 2:
        return "firm"
    if width + 1 > n / 2:
        return "uncertain"
    return "moderate"


def uncertainty_boxes(u: UncertaintySection) -> dict[str, Box]:
    """Per scenario id the 5-95% box of its position: (x_low, x_high, y_low, y_high)."""
    qs = u["quantiles"] or [0.05, 0.5, 0.95]
    lo, hi = _q_index(qs, 0.05, 0), _q_index(qs, 0.95, len(qs) - 1)
    out: dict[str, Box] = {}
    for e in u["scenarios"]:
        lik, imp = e["likelihood_position"], e["impact_position"]
        x0, x1, y0, y1 = _at(lik, lo), _at(lik, hi), _at(imp, lo), _at(imp, hi)
        if x0 is None or x1 is None or y0 is None or y1 is None:
            continue
        out[e["id"]] = (x0, x1, y0, y1)
    return out


def _uncertainty(v: View, rows: list[RankingRow], u: UncertaintySection) -> dict[str, Any]:
    qs = u["quantiles"] or [0.05, 0.5, 0.95]
    lo, mid, hi = _q_index(qs, 0.05, 0), _q_index(qs, 0.5, 1), _q_index(qs, 0.95, len(qs) - 1)
    by_id = {e["id"]: e for e in u["scenarios"]}
    ranked = [r for r in ranked_order(rows) if r["rank"] is not None and r["id"] in by_id]
    n = len(ranked)
    items: list[dict[str, Any]] = []
    for r in ranked:
        e = by_id[r["id"]]
        r_lo, r_mid, r_hi = (_at(e["rank"], i) for i in (lo, mid, hi))
        if r_lo is None or r_mid is None or r_hi is None:
            continue
        state = robustness_state(r_lo, r_hi, n)
        interval = (
            f"{round(r_lo)}" if round(r_lo) == round(r_hi) else f"{round(r_lo)}–{round(r_hi)}"
        )
        share = _f(e["rank_change_share"])
        label = v.t("strip_label", title=r["title"], rank=r["rank"], interval=interval)
        items.append(
            {
                **r,
                "interval": interval,
                "median": i18n.plain(r_mid, v.lang),
                "changed": i18n.percent(share, v.lang) if share is not None else "–",
                "state": state,
                "state_label": v.t(f"robust_{state}"),
                "strip": Markup(rank_strip(r_lo, r_mid, r_hi, r["rank"], n, state, label)),
                "ref": ref(r),
            }
        )
    counts = {
        s: sum(1 for x in items if x["state"] == s) for s in ("firm", "moderate", "uncertain")
    }
    firm = [x["ref"] for x in items if x["state"] == "firm"]
    top_firm = sum(1 for x in items[:5] if x["state"] == "firm")
    if len(items) < 5:
        top_text = ""
    elif top_firm == 0:
        top_text = v.t("rank_top_firm_none")
    elif top_firm == 1:
        top_text = v.t("rank_top_firm_one")
    else:
        top_text = v.t("rank_top_firm", k=top_firm)
    text = v.t(
        "rank_counts_plain",
        firm=counts["firm"],
        moderate=counts["moderate"],
        uncertain=counts["uncertain"],
        n=len(items),
    )
    dist = f"dist_{u['distribution']}"
    return {
        "rows": items,
        "n": n,
        "axis": Markup(rank_axis(n, v.lang)),
        "key": Markup(strip_key(v.lang)),
        "counts": counts,
        "counts_text": text,
        "firm_text": v.t("rank_intervals_firm", list="; ".join(firm)) if firm else "",
        "top_text": top_text,
        "samples": i18n.number(float(u["samples"]), v.lang),
        "seed": u["seed"],
        "distribution": v.t(dist) if i18n.has(dist) else u["distribution"],
    }


def box_texts(v: View, rows: list[RankingRow], boxes: Mapping[str, Box]) -> dict[str, str]:
    """Which scenarios could be serious (box reaches the serious zone) or less serious."""

    def cls(x: float) -> int:
        return math.floor(x + 0.5)

    could, less = [], []
    for r in ranked_order(rows):
        box = boxes.get(r["id"])
        if r["rank"] is None or box is None:
            continue
        x0, x1, y0, y1 = box
        high, low = v.serious_cells([cls(x1), cls(x0)], [cls(y1), cls(y0)])
        if not r["serious"] and high:
            could.append(ref(r))
        if r["serious"] and not low:
            less.append(ref(r))
    return {
        "could": v.t("box_could_be_serious", list="; ".join(could)) if could else "",
        "less": v.t("box_could_be_less", list="; ".join(less)) if less else "",
    }


# -- weight profiles ---------------------------------------------------------------------------
def _profiles(
    v: View, rows: list[RankingRow], p: ProfilesSection, current: str | None
) -> dict[str, Any]:
    ids = [x for x in p["profiles"] if x]
    if len(ids) < 2:
        return {"shown": False, "text": v.t("profiles_none")}
    known = {pr.id: pr for pr in v.m.profiles}
    columns = [
        {
            "id": pid,
            "label": tr(known[pid].label, v.lang) if pid in known else pid,
            "description": (
                tr(known[pid].description, v.lang)
                if pid in known and known[pid].description
                else ""
            ),
            "current": pid == current,
        }
        for pid in ids
    ]
    by_id = {e["id"]: e for e in p["scenarios"]}
    changes = set(p["changes_rank"])
    out_rows = []
    moves: list[tuple[int, RankingRow]] = []
    for r in ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        ranks = e["rank"]
        base = ranks.get(current) if current else r["rank"]
        cells = []
        for pid in ids:
            rank = ranks.get(pid)
            delta = (base - rank) if (rank is not None and base is not None) else 0
            cells.append(
                {
                    "rank": rank if rank is not None else "–",
                    "delta": abs(delta),
                    "dir": "up" if delta > 0 else ("down" if delta < 0 else ""),
                    "current": pid == current,
                }
            )
        spread = e["rank_range"]
        if spread:
            moves.append((spread, r))
        out_rows.append({**r, "cells": cells, "changes": r["id"] in changes, "spread": spread})
    current_label = next((c["label"] for c in columns if c["current"]), current or "")
    moves.sort(key=lambda m: (-m[0], m[1]["rank"] or 0))
    if moves:
        biggest = [ref(r) for spread, r in moves if spread == moves[0][0]]
        text = v.t(
            "profiles_changes",
            n=len(changes),
            total=len(out_rows),
            k=len(ids),
            biggest="; ".join(biggest),
            places=moves[0][0],
        )
    else:
        text = v.t("profiles_stable", k=len(ids))
    return {
        "shown": True,
        "columns": columns,
        "rows": out_rows,
        "current": current_label,
        "text": text,
    }


# -- SMAA rank acceptability -------------------------------------------------------------------
def _smaa(v: View, rows: list[RankingRow], sm: SmaaSection) -> dict[str, Any]:
    entries = {e["id"]: e for e in sm["scenarios"]}
    n = max((len(e["rank_acceptability"]) for e in entries.values()), default=0)
    out_rows: list[dict[str, Any]] = []
    for r in ranked_order(rows):
        e = entries.get(r["id"])
        if e is None:
            continue
        b = [(_f(x) or 0.0) for x in e["rank_acceptability"]]
        b += [0.0] * (n - len(b))
        cells = []
        for k, x in enumerate(b):
            bg, fg = shade(x)
            cells.append(
                {
                    "text": str(round(x * 100)) if x >= SMAA_FLOOR else "",
                    "bg": bg,
                    "fg": fg,
                    "central": r["rank"] == k + 1,
                    "tip": v.t("smaa_cell", rank=k + 1, share=i18n.percent(x, v.lang)),
                }
            )
        conf = _f(e["confidence"])
        hol = _f(e["holistic"])
        best = max(range(n), key=lambda k: b[k]) if n else 0
        out_rows.append(
            {
                **r,
                "cells": cells,
                "confidence": i18n.percent(conf, v.lang) if conf is not None else "–",
                "holistic": i18n.percent(hol, v.lang) if hol is not None else "–",
                "first": b[0] if b else 0.0,
                "mode": best + 1,
                "mode_share": b[best] if b else 0.0,
                "ref": ref(r),
            }
        )
    firsts = sorted(out_rows, key=lambda x: -x["first"])
    leaders = [
        f"{x['ref']} ({i18n.percent(x['first'], v.lang)})" for x in firsts[:3] if x["first"] >= 0.05
    ]
    varies = weights_vary(sm["weights"])
    return {
        "n": n,
        "varies_weights": varies,
        "settled_text": v.t("smaa_settled_weights" if varies else "smaa_settled_estimates"),
        "conf_note": v.t("smaa_conf_note_plain" if varies else "smaa_conf_note_estimates"),
        "ranks": list(range(1, n + 1)),
        "rows": out_rows,
        "samples": i18n.number(float(sm["samples"]), v.lang),
        "seed": sm["seed"],
        "weights_text": _smaa_weights_text(v, sm["weights"]),
        "leaders_text": v.t("smaa_leaders", list="; ".join(leaders)) if leaders else "",
        "small": n > 24,
        "cell_width": f"{min(6.0, 56.0 / max(n, 1)):.2f}",
    }


def weights_vary(weights: str) -> bool:
    """Whether the SMAA draws vary the criteria's weights (uniform, or within stated
    preferences); not when they are fixed or the method has none (it sums euros)."""
    return bool(weights) and not weights.startswith(("fixed", "none"))


def _smaa_weights_text(v: View, weights: str) -> str:
    if weights == "uniform":
        return v.t("smaa_weights_uniform")
    if not weights or weights.startswith(("fixed", "none")):
        return v.t("smaa_weights_other")
    return v.t("smaa_weights_preferences", weights=weights)


# -- sensitivity -------------------------------------------------------------------------------
def _sensitivity(v: View, rows: list[RankingRow], sd: SensitivitySection) -> dict[str, Any]:
    names = input_names(v.m, v.lang)
    titles = {r["id"]: r["title"] for r in rows}
    by_id = {e["id"]: e for e in sd["scenarios"]}
    cards = []
    drivers = {"likelihood": 0, "score": 0, "weight": 0}
    for r in ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        said = reading(e, v.m, titles, v.lang)
        bars = []
        for name, st in said.shown:
            named = name_of(names, name)
            bars.append(
                {
                    "label": named.label,
                    "code": named.code,
                    "kind": named.kind,
                    "width": f"{min(st, 1.0) * 100:.1f}",
                    "value": i18n.percent(min(st, 1.0), v.lang),
                }
            )
        if said.driver in drivers:
            drivers[said.driver] += 1
        total = sum(min(st, 1.0) for _, st in said.shown)
        cards.append(
            {
                **r,
                "bars": bars,
                "sum_note": (
                    v.t("sens_card_sum", total=i18n.percent(total, v.lang)) if total > 1.005 else ""
                ),
                "output": v.t(f"sens_what_{said.output}"),
                "summary": said.position,
                "rank_text": said.rank,
                "fixed": len(e["fixed"]),
            }
        )
    n = sum(drivers.values())
    drivers_text = (
        v.t(
            "sens_drivers_money" if v.monetised else "sens_drivers",
            lik=drivers["likelihood"],
            score=drivers["score"],
            weight=drivers["weight"],
            n=n,
        )
        if n
        else ""
    )
    if n and drivers["likelihood"] * 2 > n:
        advice = v.t("sens_advice_likelihood")
    elif n and drivers["weight"] * 2 > n:
        advice = v.t("sens_advice_weight")
    elif n and drivers["score"] * 2 > n:
        advice = v.t("sens_advice_score")
    else:
        advice = ""
    return {
        "cards": cards,
        "sum_text": v.t("sens_sum") if any(c["sum_note"] for c in cards) else "",
        "drivers_text": drivers_text,
        "advice": advice,
        "monetised": v.monetised,
        "sobol_samples": sd["options"].get("sobol_samples"),
        "trajectories": sd["options"].get("morris_trajectories"),
        "seed": sd["seed"],
        "weights": sd["parameterisation"].get("weights", ""),
    }


# -- threat network ----------------------------------------------------------------------------
def _network(v: View, rows: list[RankingRow], net: NetworkSection) -> dict[str, Any]:
    by_row = {r["id"]: r for r in rows}
    nodes_doc = [n for n in net["nodes"] if n["id"] in by_row]
    summary = net["summary"]
    hub_out = set(summary["hubs"]["out_strength"])
    hub_bet = set(summary["hubs"]["betweenness"])
    nodes = []
    for n in nodes_doc:
        r = by_row[n["id"]]
        nodes.append(
            NetNode(
                id=r["id"],
                label=r["title"],
                rank=r["rank"],
                domain=r["domain"],
                malicious=r["malicious"],
                hub=r["id"] in hub_out or r["id"] in hub_bet,
                tooltip=f"{ref(r)} ({r['domain_label']})",
            )
        )
    edges = []
    crossing: list[dict[str, Any]] = []
    for e in net["edges"]:
        s, t = e["source"], e["target"]
        if s not in by_row or t not in by_row:
            continue
        kind = e["kind"]
        weight = _f(e["weight"]) or 0.0
        a, b = by_row[s], by_row[t]
        if kind == "cascade":
            tip = v.t("net_tip_cascade", a=a["title"], b=b["title"], p=i18n.percent(weight, v.lang))
        else:
            tip = v.t("net_tip_reinforces", a=a["title"], b=b["title"])
        edges.append(
            NetEdge(
                source=s,
                target=t,
                kind=kind,
                weight=weight,
                crossing=e["crossing"],
                tooltip=tip,
            )
        )
        if e["crossing"]:
            crossing.append(
                {
                    "a": a,
                    "b": b,
                    "kind": v.t(f"net_kind_{kind}") if kind in ("cascade", "reinforces") else kind,
                    "prob": i18n.percent(weight, v.lang) if kind == "cascade" else "–",
                    "direction": v.t(
                        "net_direction", a=v.domain(a["domain"]), b=v.domain(b["domain"])
                    ),
                }
            )
    hub_rows: list[dict[str, Any]] = []
    for n in nodes_doc:
        rid = n["id"]
        if rid not in hub_out and rid not in hub_bet:
            continue
        r = by_row[rid]
        why = []
        if rid in hub_out:
            why.append(v.t("net_hub_out"))
        if rid in hub_bet:
            why.append(v.t("net_hub_between"))
        reach = _f(n["reach"])
        hub_rows.append(
            {
                **r,
                "why": "; ".join(why),
                "out": i18n.plain(_f(n["out_strength"]) or 0.0, v.lang, 2),
                "in": i18n.plain(_f(n["in_strength"]) or 0.0, v.lang, 2),
                "reach": i18n.plain(reach, v.lang, 2) if reach is not None else "–",
                "reach_value": reach or 0.0,
                "links": n["reinforces_in"] + n["reinforces_out"],
                "ref": ref(r),
            }
        )
    hub_rows.sort(key=lambda h: (-h["reach_value"], h["rank"] or 0))
    title = v.t("sec_network")
    hub_text = ""
    if hub_rows:
        top = hub_rows[0]
        hub_text = v.t(
            "net_hubs_text",
            list="; ".join(h["ref"] for h in hub_rows),
            top=top["ref"],
            reach=top["reach"],
        )
    if crossing:
        cross_text = v.t(
            "net_crossing_text",
            n=len(crossing),
            list="; ".join(f"{ref(c['a'])} → {ref(c['b'])}" for c in crossing),
        )
    else:
        cross_text = v.t("net_crossing_none")
    bridging = summary["domain_links"].get("bridging", 0)
    return {
        "svg": Markup(network_diagram(nodes, edges, v.lang, title)),
        "hubs": hub_rows,
        "crossing": crossing,
        "hub_text": hub_text,
        "cross_text": cross_text,
        "bridging_text": v.t("net_bridging_text", n=bridging) if bridging else "",
        "cascade_links": summary["cascade_links"],
        "reinforces_links": summary["reinforces_links"],
        "levels": bool(summary["levels"]),
    }


# -- cascade simulation ------------------------------------------------------------------------
def _per_year(v: View, x: float | None) -> str:
    """A yearly frequency for people (see :func:`nsra.report.frequency.per_year`)."""
    return per_year(x, v.lang)


def _once_in(v: View, x: float | None) -> str:
    """ "once in N years" under a frequency written as a number; empty when the frequency is
    already written that way, or is one or more a year."""
    if x is None or x <= 0 or x < RARE or 1 / x < 1.5:
        return ""
    return once_in(x, v.lang)


def _involved(e: CascadeRisk, causes_any: set[str]) -> bool:
    """Whether a risk takes part in any cascade: triggered, triggering, or expected to be."""
    if e["triggered_by"] or e["id"] in causes_any:
        return True
    return any(
        (_f(lv["triggered_per_year"]) or 0.0) > 0
        or (_f(lv["first_order_triggered_per_year"]) or 0.0) > 0
        for lv in e["levels"]
    )


def _cascades(v: View, rows: list[RankingRow], c: CascadesSection) -> dict[str, Any]:
    years = _f(c["years"]) or 0.0
    linked = {x for cz in v.a.cascades for x in (cz.cause, cz.effect)}
    titles = {r["id"]: r for r in rows}
    by_id = {e["id"]: e for e in c["risks"]}
    causes_any = {x["cause"] for e in by_id.values() for x in e["triggered_by"]}
    groups: list[dict[str, Any]] = []
    chains = []
    outside: list[str] = []
    quiet: list[str] = []
    for r in ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        if not _involved(e, causes_any):
            (quiet if r["id"] in linked else outside).append(ref(r))
            continue
        causes = []
        for cause in e["triggered_by"][:3]:
            who = titles.get(cause["cause"])
            if who is None:
                continue
            causes.append({"row": who, "per_year": _per_year(v, _f(cause["per_year"]))})
        more = max(0, len(e["triggered_by"]) - 3)
        levels: list[dict[str, Any]] = []
        chain_levels: list[str] = []
        for lv in e["levels"]:
            root = _f(lv["root_per_year"])
            trig = _f(lv["triggered_per_year"])
            fo = _f(lv["first_order_triggered_per_year"])
            diff = _f(lv["triggered_difference"])
            rel = _f(lv["triggered_relative_difference"])
            count = (trig or 0.0) * years
            if rel is not None:
                sign = "+" if rel > 0 else ("−" if rel < 0 else "")
                diff_text = sign + i18n.percent(abs(rel), v.lang)
            elif diff:
                diff_text = ("+" if diff > 0 else "−") + _per_year(v, abs(diff))
            else:
                diff_text = "–"
            few = bool((trig or fo) and count < 10)
            big = rel is not None and abs(rel) >= 0.25 and not few
            if big and rel is not None and rel > 0:
                chain_levels.append(v.level_label(lv["level"]).lower() if lv["level"] else "")
            imp = lv["impact_of_events_started_here"]
            mean, p5, p95 = _f(imp["mean"]), _f(imp["p5"]), _f(imp["p95"])
            if mean is None:
                impact_range = "–"
            elif p5 is None or p95 is None or v.impact(p5) == v.impact(p95):
                impact_range = v.impact(p5 if p5 is not None else mean)
            else:
                nb = "\u00a0"
                impact_range = f"{v.impact(p5).replace(' ', nb)} – {v.impact(p95).replace(' ', nb)}"
            levels.append(
                {
                    "level": v.level_label(lv["level"]) if lv["level"] else "",
                    "level_colour": v.level_colour(lv["level"]),
                    "root": _per_year(v, root),
                    "root_once": _once_in(v, root),
                    "root_first_order": _per_year(v, _f(lv["first_order_root_per_year"])),
                    "triggered": _per_year(v, trig),
                    "first_order": _per_year(v, fo),
                    "diff": diff_text,
                    "few": few,
                    "big": big,
                    "mean": v.impact(mean) if mean is not None else "–",
                    "range": impact_range,
                }
            )
        if not levels:
            continue
        if chain_levels:
            named = [x for x in chain_levels if x]
            chains.append(ref(r) + (f" ({', '.join(named)})" if named else ""))
        groups.append({**r, "levels": levels, "causes": causes, "more": more})
    annual = _f(c["annual_impact_mean"])
    unit = "EUR" if v.monetised else (v.doc["method"]["impact_unit"] or v.t("unit_score"))
    return {
        "unit": unit,
        "outside_text": " ".join(
            x
            for x in (
                v.t("cas_outside", list="; ".join(outside)) if outside else "",
                v.t("cas_quiet", years=i18n.number(years, v.lang), list="; ".join(quiet))
                if quiet
                else "",
            )
            if x
        ),
        "groups": groups,
        "has_levels": any(lv["level"] for g in groups for lv in g["levels"]),
        "years": i18n.number(years, v.lang),
        "events": i18n.number(float(c["events"]), v.lang),
        "triggered": i18n.number(float(c["triggered_occurrences"]), v.lang),
        "seed": c["seed"],
        "annual": (
            # "€ 24,6 mld." ends a sentence with one full stop, not two
            (v.impact(annual).rstrip(".") + ("" if v.monetised else f" ({unit})"))
            if annual is not None
            else "–"
        ),
        "chains_text": v.t("cas_chains", list="; ".join(chains)) if chains else "",
    }


# -- all of it ---------------------------------------------------------------------------------
SECTIONS = ("uncertainty", "profiles", "smaa", "sensitivity", "network", "cascades")


def analysis_context(
    v: View, rows: list[RankingRow], analysis: AnalysisDoc | None
) -> dict[str, Any]:
    """View data of every analysis section present in ``analysis`` (empty when None)."""
    if not analysis:
        return {"present": False, "robust": False, "meta": "", **dict.fromkeys(SECTIONS)}
    current = analysis["options"]["profile"] or v.doc["method"]["profile"]
    u = analysis["uncertainty"]
    sm = analysis.get("smaa")
    sd = analysis.get("sensitivity")
    net = analysis.get("network")
    cas = analysis.get("cascades")
    ctx: dict[str, Any] = {
        "present": True,
        "uncertainty": _uncertainty(v, rows, u),
        "profiles": _profiles(v, rows, analysis["profiles"], current),
        "smaa": _smaa(v, rows, sm) if sm else None,
        "sensitivity": _sensitivity(v, rows, sd) if sd else None,
        "network": _network(v, rows, net) if net else None,
        "cascades": _cascades(v, rows, cas) if cas else None,
    }
    ctx["robust"] = bool(ctx["uncertainty"] or ctx["profiles"] or ctx["smaa"])
    meta = [v.t("meta_mc", n=i18n.number(float(u["samples"]), v.lang), seed=u["seed"])]
    if sm:
        meta.append(v.t("meta_smaa", n=i18n.number(float(sm["samples"]), v.lang), seed=sm["seed"]))
    if cas:
        meta.append(
            v.t("meta_cascades", n=i18n.number(_f(cas["years"]) or 0.0, v.lang), seed=cas["seed"])
        )
    ctx["meta"] = "; ".join(meta)
    return ctx

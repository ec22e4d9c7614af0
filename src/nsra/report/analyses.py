"""The analysis sections of the report, as plain view data for the template.

Input: the ``nsra-analysis/1`` document of :func:`nsra.io.analysis_results.run_analyses`. Every
part is optional: a section appears only when its part of the document is there (``smaa`` and
``cascades`` often are not). Nothing is computed again here; numbers are only arranged, ordered
by the ranking and put into words, in English or Dutch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from nsra import i18n
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

if TYPE_CHECKING:
    from nsra.report.html import _View

Row = dict[str, Any]

SENS_TOP = 5  # inputs shown per scenario
SENS_FLOOR = 0.01  # total Sobol index below which an input is left out
SMAA_FLOOR = 0.05  # rank acceptability below which a cell shows no number


def _f(x: Any) -> float | None:
    """A finite float, or None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _q_index(quantiles: Sequence[Any], q: float, default: int) -> int:
    values = [_f(x) for x in quantiles]
    best, gap = default, math.inf
    for i, x in enumerate(values):
        if x is not None and abs(x - q) < gap:
            best, gap = i, abs(x - q)
    return best if gap < 0.02 else default


def _listing(v: _View, items: Sequence[str]) -> str:
    items = [x for x in items if x]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " " + v.t("and") + " " + items[-1]


def _ranked_order(rows: Sequence[Row]) -> list[Row]:
    """Rows by rank, unranked last (rows are in assessment order)."""
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))


def _ref(r: Row) -> str:
    return f"{r['rank']}. {r['title']}" if r["rank"] is not None else str(r["title"])


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


# -- robustness: Monte Carlo rank intervals ----------------------------------------------------
def robustness_state(low: float, high: float, n: int) -> str:
    """firm: the 5-95% interval spans at most 3 places; uncertain: more than half of them."""
    width = high - low
    if width <= 2:
        return "firm"
    if width + 1 > n / 2:
        return "uncertain"
    return "moderate"


def uncertainty_boxes(u: Mapping[str, Any]) -> dict[str, tuple[float, float, float, float]]:
    """Per scenario id the 5-95% box of its position: (x_low, x_high, y_low, y_high)."""
    qs = u.get("quantiles") or [0.05, 0.5, 0.95]
    lo, hi = _q_index(qs, 0.05, 0), _q_index(qs, 0.95, len(qs) - 1)
    out: dict[str, tuple[float, float, float, float]] = {}
    for e in u.get("scenarios", []):
        lik, imp = e.get("likelihood_position") or [], e.get("impact_position") or []
        if len(lik) <= hi or len(imp) <= hi:
            continue
        values = (_f(lik[lo]), _f(lik[hi]), _f(imp[lo]), _f(imp[hi]))
        if any(x is None for x in values):
            continue
        x0, x1, y0, y1 = (float(x) for x in values if x is not None)
        out[str(e["id"])] = (x0, x1, y0, y1)
    return out


def _uncertainty(v: _View, rows: Sequence[Row], u: Mapping[str, Any]) -> dict[str, Any]:
    qs = u.get("quantiles") or [0.05, 0.5, 0.95]
    lo, mid, hi = _q_index(qs, 0.05, 0), _q_index(qs, 0.5, 1), _q_index(qs, 0.95, len(qs) - 1)
    by_id = {str(e["id"]): e for e in u.get("scenarios", [])}
    ranked = [r for r in _ranked_order(rows) if r["rank"] is not None and r["id"] in by_id]
    n = len(ranked)
    items = []
    for r in ranked:
        e = by_id[r["id"]]
        rank = e.get("rank") or []
        values = [_f(rank[i]) if len(rank) > i else None for i in (lo, mid, hi)]
        if any(x is None for x in values):
            continue
        r_lo, r_mid, r_hi = (float(x) for x in values if x is not None)
        state = robustness_state(r_lo, r_hi, n)
        interval = (
            f"{round(r_lo)}" if round(r_lo) == round(r_hi) else f"{round(r_lo)}–{round(r_hi)}"
        )
        share = _f(e.get("rank_change_share"))
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
            }
        )
    counts = {
        s: sum(1 for x in items if x["state"] == s) for s in ("firm", "moderate", "uncertain")
    }
    firm = [_ref(x) for x in items if x["state"] == "firm"]
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
        "rank_intervals_counts",
        firm=counts["firm"],
        moderate=counts["moderate"],
        uncertain=counts["uncertain"],
        n=len(items),
    )
    return {
        "rows": items,
        "n": n,
        "axis": Markup(rank_axis(n, v.lang)),
        "key": Markup(strip_key(v.lang)),
        "counts": counts,
        "counts_text": text,
        "firm_text": v.t("rank_intervals_firm", list="; ".join(firm)) if firm else "",
        "top_text": top_text,
        "samples": i18n.number(float(u.get("samples") or 0), v.lang),
        "seed": u.get("seed"),
        "distribution": v.t(f"dist_{u.get('distribution', 'uniform')}")
        if f"dist_{u.get('distribution', 'uniform')}" in i18n.LABELS
        else str(u.get("distribution", "")),
    }


def box_texts(
    v: _View,
    rows: Sequence[Row],
    boxes: Mapping[str, tuple[float, float, float, float]],
) -> dict[str, str]:
    """Which scenarios could be serious (box reaches the serious zone) or less serious."""
    diagram = v.m.diagram
    by_id = {r["id"]: r for r in rows}

    def cls(x: float) -> int:
        return math.floor(x + 0.5)

    could, less = [], []
    for r in _ranked_order(rows):
        box = boxes.get(r["id"])
        if r["rank"] is None or box is None:
            continue
        x0, x1, y0, y1 = box
        if not r["serious"] and diagram.serious(cls(x1), cls(y1)):
            could.append(_ref(by_id[r["id"]]))
        if r["serious"] and not diagram.serious(cls(x0), cls(y0)):
            less.append(_ref(by_id[r["id"]]))
    return {
        "could": v.t("box_could_be_serious", list="; ".join(could)) if could else "",
        "less": v.t("box_could_be_less", list="; ".join(less)) if less else "",
    }


# -- weight profiles ---------------------------------------------------------------------------
def _profiles(
    v: _View, rows: Sequence[Row], p: Mapping[str, Any], current: str | None
) -> dict[str, Any]:
    ids = [str(x) for x in p.get("profiles", []) if x]
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
    by_id = {str(e["id"]): e for e in p.get("scenarios", [])}
    changes = {str(x) for x in p.get("changes_rank", [])}
    out_rows = []
    moves: list[tuple[int, Row]] = []
    for r in _ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        ranks = e.get("rank") or {}
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
        spread = int(e.get("rank_range") or 0)
        if spread:
            moves.append((spread, r))
        out_rows.append({**r, "cells": cells, "changes": r["id"] in changes, "spread": spread})
    current_label = next((c["label"] for c in columns if c["current"]), current or "")
    moves.sort(key=lambda m: (-m[0], m[1]["rank"] or 0))
    if moves:
        biggest = [_ref(r) for spread, r in moves if spread == moves[0][0]]
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
def _smaa(v: _View, rows: Sequence[Row], sm: Mapping[str, Any]) -> dict[str, Any]:
    entries = {str(e["id"]): e for e in sm.get("scenarios", [])}
    n = max((len(e.get("rank_acceptability") or []) for e in entries.values()), default=0)
    out_rows = []
    for r in _ranked_order(rows):
        e = entries.get(r["id"])
        if e is None:
            continue
        b = [(_f(x) or 0.0) for x in (e.get("rank_acceptability") or [])]
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
        conf = _f(e.get("confidence"))
        hol = _f(e.get("holistic"))
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
            }
        )
    firsts = sorted(out_rows, key=lambda x: -x["first"])
    leaders = [
        f"{_ref(x)} ({i18n.percent(x['first'], v.lang)})" for x in firsts[:3] if x["first"] >= 0.05
    ]
    weights = str(sm.get("weights", ""))
    return {
        "n": n,
        "ranks": list(range(1, n + 1)),
        "rows": out_rows,
        "samples": i18n.number(float(sm.get("samples") or 0), v.lang),
        "seed": sm.get("seed"),
        "weights_text": _smaa_weights_text(v, weights),
        "leaders_text": v.t("smaa_leaders", list="; ".join(leaders)) if leaders else "",
        "small": n > 24,
        "cell_width": f"{min(6.0, 56.0 / max(n, 1)):.2f}",
    }


def _smaa_weights_text(v: _View, weights: str) -> str:
    if weights == "uniform":
        return v.t("smaa_weights_uniform")
    if not weights or weights.startswith(("fixed", "none")):
        return v.t("smaa_weights_other")
    return v.t("smaa_weights_preferences", weights=weights)


# -- sensitivity -------------------------------------------------------------------------------
def _input_names(v: _View) -> dict[str, tuple[str, str, str, str]]:
    """Input name -> (kind, label for a bar, words for a sentence, criterion code)."""
    names: dict[str, tuple[str, str, str, str]] = {
        "likelihood": ("likelihood", v.t("sens_likelihood"), v.t("sens_likelihood_words"), "")
    }
    for c in v.m.criteria:
        label = tr(c.label, v.lang)
        names[f"score {c.id}"] = (
            "score",
            v.t("sens_score", crit=label),
            v.t("sens_score_words", crit=_lower_first(label)),
            c.id,
        )
        names[f"weight {c.id}"] = (
            "weight",
            v.t("sens_weight", crit=label),
            v.t("sens_weight_words", crit=_lower_first(label)),
            c.id,
        )
    return names


def _group_words(v: _View, group: str, own: str, titles: Mapping[str, str]) -> str:
    if group == f"scenario {own}":
        return v.t("sens_own")
    if group.startswith("scenario "):
        other = group[len("scenario ") :]
        return v.t("sens_other", title=titles.get(other, other))
    if group.startswith("weight "):
        code = group[len("weight ") :]
        crit = next((c for c in v.m.criteria if c.id == code), None)
        label = _lower_first(tr(crit.label, v.lang)) if crit else code
        return v.t("sens_weight_words", crit=label)
    return group


def _sensitivity(v: _View, rows: Sequence[Row], sd: Mapping[str, Any]) -> dict[str, Any]:
    names = _input_names(v)
    titles = {r["id"]: str(r["title"]) for r in rows}
    by_id = {str(e["id"]): e for e in sd.get("scenarios", [])}
    cards = []
    drivers = {"likelihood": 0, "score": 0, "weight": 0}
    for r in _ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        sobol = e.get("sobol") or {}
        risk = sobol.get("risk") or {}
        out = "risk" if _f(risk.get("variance")) is not None else "impact"
        block = sobol.get(out) or {}
        variance = _f(block.get("variance"))
        indices = [
            (str(i["input"]), st)
            for i in block.get("indices", [])
            for st in [_f(i.get("ST"))]
            if st is not None
        ]
        indices.sort(key=lambda x: -x[1])
        bars = []
        for name, st in indices[:SENS_TOP]:
            if st < SENS_FLOOR:
                break
            kind, label, _, code = names.get(name, ("other", name, name, ""))
            bars.append(
                {
                    "label": label,
                    "code": code,
                    "kind": kind,
                    "width": f"{min(st, 1.0) * 100:.1f}",
                    "value": i18n.percent(min(st, 1.0), v.lang),
                }
            )
        what = v.t(f"sens_what_{out}")
        if variance is None:
            first = v.t("sens_none")
        elif variance == 0 or not bars:
            first = v.t("sens_constant", what=what)
        else:
            # the leading inputs: those at least half as important as the first
            lead = [name for name, st in indices[:3] if st >= max(SENS_FLOOR, indices[0][1] / 2)]
            parts = [names.get(name, ("", name, name, ""))[2] for name in lead]
            first = v.t("sens_depends", what=what, list=_listing(v, parts))
            kind = names.get(indices[0][0], ("other", "", "", ""))[0]
            if kind in drivers:
                drivers[kind] += 1
        morris = [
            m
            for m in e.get("morris_rank", [])
            if (_f(m.get("mu_star")) or 0.0) > 0 and m.get("group")
        ]
        morris.sort(key=lambda m: -(_f(m.get("mu_star")) or 0.0))
        if morris:
            groups = [_group_words(v, str(m["group"]), r["id"], titles) for m in morris[:3]]
            second = v.t("sens_rank_moves", list=_listing(v, groups))
        else:
            second = v.t("sens_rank_fixed")
        fixed = len(e.get("fixed") or [])
        cards.append(
            {
                **r,
                "bars": bars,
                "output": what,
                "summary": first,
                "rank_text": second,
                "fixed": fixed,
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
    opts = sd.get("options") or {}
    return {
        "cards": cards,
        "drivers_text": drivers_text,
        "advice": advice,
        "monetised": v.monetised,
        "sobol_samples": opts.get("sobol_samples"),
        "trajectories": opts.get("morris_trajectories"),
        "seed": sd.get("seed"),
        "weights": str((sd.get("parameterisation") or {}).get("weights", "")),
    }


# -- threat network ----------------------------------------------------------------------------
def _network(v: _View, rows: Sequence[Row], net: Mapping[str, Any]) -> dict[str, Any]:
    by_row = {r["id"]: r for r in rows}
    nodes_doc = [n for n in net.get("nodes", []) if str(n.get("id")) in by_row]
    summary = net.get("summary") or {}
    hubs = summary.get("hubs") or {}
    hub_out = {str(x) for x in hubs.get("out_strength", [])}
    hub_bet = {str(x) for x in hubs.get("betweenness", [])}
    nodes = []
    for n in nodes_doc:
        r = by_row[str(n["id"])]
        nodes.append(
            NetNode(
                id=r["id"],
                label=str(r["title"]),
                rank=r["rank"],
                domain=str(r["domain"]),
                malicious=bool(r["malicious"]),
                hub=r["id"] in hub_out or r["id"] in hub_bet,
                tooltip=f"{_ref(r)} ({r['domain_label']})",
            )
        )
    edges = []
    crossing: list[dict[str, Any]] = []
    for e in net.get("edges", []):
        s, t = str(e.get("source")), str(e.get("target"))
        if s not in by_row or t not in by_row:
            continue
        kind = str(e.get("kind"))
        weight = _f(e.get("weight")) or 0.0
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
                crossing=bool(e.get("crossing")),
                tooltip=tip,
            )
        )
        if e.get("crossing"):
            crossing.append(
                {
                    "a": a,
                    "b": b,
                    "kind": v.t(f"net_kind_{kind}") if kind in ("cascade", "reinforces") else kind,
                    "prob": i18n.percent(weight, v.lang) if kind == "cascade" else "–",
                    "direction": v.t(
                        "net_direction",
                        a=v.domain(str(a["domain"])),
                        b=v.domain(str(b["domain"])),
                    ),
                }
            )
    hub_rows = []
    for n in nodes_doc:
        rid = str(n["id"])
        if rid not in hub_out and rid not in hub_bet:
            continue
        r = by_row[rid]
        why = []
        if rid in hub_out:
            why.append(v.t("net_hub_out"))
        if rid in hub_bet:
            why.append(v.t("net_hub_between"))
        reach = _f(n.get("reach"))
        hub_rows.append(
            {
                **r,
                "why": "; ".join(why),
                "out": i18n.plain(_f(n.get("out_strength")) or 0.0, v.lang, 2),
                "in": i18n.plain(_f(n.get("in_strength")) or 0.0, v.lang, 2),
                "reach": i18n.plain(reach, v.lang, 2) if reach is not None else "–",
                "reach_value": reach or 0.0,
                "links": int(n.get("reinforces_in") or 0) + int(n.get("reinforces_out") or 0),
            }
        )
    hub_rows.sort(key=lambda h: (-h["reach_value"], h["rank"] or 0))
    counts = summary.get("domain_links") or {}
    title = v.t("sec_network")
    hub_text = ""
    if hub_rows:
        top = hub_rows[0]
        hub_text = v.t(
            "net_hubs_text",
            list="; ".join(_ref(h) for h in hub_rows),
            top=_ref(top),
            reach=top["reach"],
        )
    if crossing:
        cross_text = v.t(
            "net_crossing_text",
            n=len(crossing),
            list="; ".join(f"{_ref(c['a'])} → {_ref(c['b'])}" for c in crossing),
        )
    else:
        cross_text = v.t("net_crossing_none")
    bridging = int(counts.get("bridging") or 0)
    return {
        "svg": Markup(network_diagram(nodes, edges, v.lang, title)),
        "hubs": hub_rows,
        "crossing": crossing,
        "hub_text": hub_text,
        "cross_text": cross_text,
        "bridging_text": v.t("net_bridging_text", n=bridging) if bridging else "",
        "cascade_links": int(summary.get("cascade_links") or 0),
        "reinforces_links": int(summary.get("reinforces_links") or 0),
        "levels": bool(summary.get("levels")),
    }


# -- cascade simulation ------------------------------------------------------------------------
def _per_year(v: _View, x: float | None) -> str:
    if x is None:
        return "–"
    if x == 0:
        return "0"
    return i18n.plain(x, v.lang, 2) if x < 1 else i18n.plain(x, v.lang, 3)


def _once_in(v: _View, x: float | None) -> str:
    if x is None or x <= 0:
        return ""
    years = 1 / x
    if years < 1.5:
        return ""
    if years >= 100:
        years = round(years, 1 - math.floor(math.log10(years)))
    return v.t("once_in", n=i18n.number(round(years), v.lang))


def _cascades(v: _View, rows: Sequence[Row], c: Mapping[str, Any]) -> dict[str, Any]:
    years = _f(c.get("years")) or 0.0
    titles = {r["id"]: r for r in rows}
    by_id = {str(e["id"]): e for e in c.get("risks", [])}
    causes_any = {str(x.get("cause")) for e in by_id.values() for x in e.get("triggered_by") or []}

    def involved(e: Mapping[str, Any]) -> bool:
        if e.get("triggered_by") or str(e["id"]) in causes_any:
            return True
        return any(
            (_f(lv.get("triggered_per_year")) or 0.0) > 0
            or (_f(lv.get("first_order_triggered_per_year")) or 0.0) > 0
            for lv in e.get("levels", [])
        )

    groups = []
    chains = []
    outside = []
    for r in _ranked_order(rows):
        e = by_id.get(r["id"])
        if e is None:
            continue
        if not involved(e):
            outside.append(_ref(r))
            continue
        causes = []
        for cause in (e.get("triggered_by") or [])[:3]:
            who = titles.get(str(cause.get("cause")))
            per_year = _f(cause.get("per_year"))
            if who is None:
                continue
            causes.append({"row": who, "per_year": _per_year(v, per_year)})
        more = max(0, len(e.get("triggered_by") or []) - 3)
        levels = []
        chain_levels: list[str] = []
        for lv in e.get("levels", []):
            root = _f(lv.get("root_per_year"))
            trig = _f(lv.get("triggered_per_year"))
            fo = _f(lv.get("first_order_triggered_per_year"))
            diff = _f(lv.get("triggered_difference"))
            rel = _f(lv.get("triggered_relative_difference"))
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
                chain_levels.append(v.level_label(lv["level"]).lower() if lv.get("level") else "")
            imp = lv.get("impact_of_events_started_here") or {}
            mean, p5, p95 = _f(imp.get("mean")), _f(imp.get("p5")), _f(imp.get("p95"))
            if mean is None:
                impact_range = "–"
            elif p5 is None or p95 is None or v.impact(p5) == v.impact(p95):
                impact_range = v.impact(p5 if p5 is not None else mean)
            else:
                nb = "\u00a0"
                impact_range = f"{v.impact(p5).replace(' ', nb)} – {v.impact(p95).replace(' ', nb)}"
            levels.append(
                {
                    "level": v.level_label(lv.get("level")) if lv.get("level") else "",
                    "level_colour": (
                        v.levels[lv["level"]].colour if lv.get("level") in v.levels else None
                    ),
                    "root": _per_year(v, root),
                    "root_once": _once_in(v, root),
                    "root_first_order": _per_year(v, _f(lv.get("first_order_root_per_year"))),
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
            chains.append(_ref(r) + (f" ({', '.join(named)})" if named else ""))
        groups.append({**r, "levels": levels, "causes": causes, "more": more})
    annual = _f(c.get("annual_impact_mean"))
    unit = "EUR" if v.monetised else (v.doc["method"].get("impact_unit") or v.t("unit_score"))
    return {
        "unit": unit,
        "outside_text": v.t("cas_outside", list="; ".join(outside)) if outside else "",
        "groups": groups,
        "has_levels": any(lv["level"] for g in groups for lv in g["levels"]),
        "years": i18n.number(years, v.lang),
        "events": i18n.number(float(c.get("events") or 0), v.lang),
        "triggered": i18n.number(float(c.get("triggered_occurrences") or 0), v.lang),
        "seed": c.get("seed"),
        "annual": (
            (v.impact(annual) + ("" if v.monetised else f" ({unit})"))
            if annual is not None
            else "–"
        ),
        "chains_text": v.t("cas_chains", list="; ".join(chains)) if chains else "",
    }


# -- all of it ---------------------------------------------------------------------------------
def analysis_context(
    v: _View, rows: Sequence[Row], analysis: Mapping[str, Any] | None
) -> dict[str, Any]:
    """View data of every analysis section present in ``analysis`` (empty when None)."""
    if not analysis:
        return {
            "present": False,
            "robust": False,
            "meta": "",
            **dict.fromkeys(
                ("uncertainty", "profiles", "smaa", "sensitivity", "network", "cascades")
            ),
        }
    options = analysis.get("options") or {}
    current = options.get("profile") or v.doc["method"].get("profile")
    ctx: dict[str, Any] = {"present": True}
    u = analysis.get("uncertainty")
    ctx["uncertainty"] = _uncertainty(v, rows, u) if u else None
    p = analysis.get("profiles")
    ctx["profiles"] = _profiles(v, rows, p, current) if p else None
    sm = analysis.get("smaa")
    ctx["smaa"] = _smaa(v, rows, sm) if sm else None
    sd = analysis.get("sensitivity")
    ctx["sensitivity"] = _sensitivity(v, rows, sd) if sd else None
    net = analysis.get("network")
    ctx["network"] = _network(v, rows, net) if net else None
    cas = analysis.get("cascades")
    ctx["cascades"] = _cascades(v, rows, cas) if cas else None
    ctx["robust"] = bool(ctx["uncertainty"] or ctx["profiles"] or ctx["smaa"])
    meta = []
    if u:
        meta.append(
            v.t("meta_mc", n=i18n.number(float(u.get("samples") or 0), v.lang), seed=u.get("seed"))
        )
    if sm:
        meta.append(
            v.t(
                "meta_smaa",
                n=i18n.number(float(sm.get("samples") or 0), v.lang),
                seed=sm.get("seed"),
            )
        )
    if cas:
        meta.append(
            v.t(
                "meta_cascades",
                n=i18n.number(_f(cas.get("years")) or 0.0, v.lang),
                seed=cas.get("seed"),
            )
        )
    ctx["meta"] = "; ".join(meta)
    return ctx

"""The report's strategy section: developments, measures and capabilities.

Input: the ``nsra-strategy/1`` document (:func:`nsra.io.strategy_doc.strategy_document`, in the
report's language) of the same assessment and results. Nothing is computed again here; numbers
are only arranged and put into words. The parts:

* current and target risk: the risk diagram with an arrow per scenario from where it is today
  (measures in place) to where it goes with the planned measures too (target), and a faint ring
  where it would be without any measure (inherent); totals and the measures' values;
* international developments: what each raises (directly or through a cascade), rank and class
  before and after, how sure (5-95% of the risk added, share of draws serious); exposure;
* the portfolio under a budget (when the document has one): exact and greedy, robustness;
* capability gaps: the agenda by risk left open, the gaps, capabilities shared by internal and
  external threats;
* coherence: the flags as plain sentences, the strategy matrix and the strategy network.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from markupsafe import Markup

from nsra import i18n
from nsra.analysis.strategy.flags import FLAG_KINDS, strategy_network
from nsra.model.assessment import Assessment
from nsra.model.text import tr
from nsra.report.charts import shade
from nsra.report.contrast import contrast
from nsra.report.diagram import Marker, Move
from nsra.report.panels import move_diagrams
from nsra.report.strategy_net import NetLink, NetNode, strategy_network_svg
from nsra.report.view import RankingRow, View

StrategyDoc = Mapping[str, Any]
STATES = ("inherent", "current", "target")
KINDS = ("strategy", "measure", "scenario", "development")
DARK = "#1B2430"


def has_strategy(a: Assessment) -> bool:
    """Whether the assessment has anything for the strategy section: measures with effects,
    international developments or capabilities."""
    return bool(a.developments or a.capabilities or any(m.effects for m in a.measures))


def _share(x: float | None, top: float) -> str:
    """A bar's width in percent of the largest value (at least a sliver when above zero)."""
    if x is None or top <= 0 or x <= 0:
        return "0"
    return f"{max(x / top * 100, 0.8):.2f}"


def _classes(state: Mapping[str, Any]) -> str:
    return f"{state['likelihood'] or '–'}/{state['impact'] or '–'}"


def _rank(state: Mapping[str, Any]) -> str:
    return str(state["rank"]) if state["rank"] else "–"


class _Refs:
    """Titles and rows of the things the document names by id."""

    def __init__(self, v: View, rows: list[RankingRow]) -> None:
        a = v.a
        self.rows = {r["id"]: r for r in rows}
        self.measures = {m.id: m for m in a.measures}
        self.strategies = {s.id: s for s in a.strategies}
        self.developments = {d.id: d for d in a.developments}
        self.capabilities = {c.id: c for c in a.capabilities}
        self.lang = v.lang

    def title(self, kind: str, ident: str) -> str:
        tables: dict[str, Mapping[str, Any]] = {
            "measure": self.measures,
            "strategy": self.strategies,
            "development": self.developments,
            "capability": self.capabilities,
        }
        table = tables.get(kind, {})
        if kind == "scenario":
            row = self.rows.get(ident)
            return row["title"] if row else ident
        item = table.get(ident)
        return tr(item.title, self.lang) if item is not None else ident


# -- a. current and target risk ----------------------------------------------------------------
def _states(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any]:
    markers: list[Marker] = []
    moves: list[Move] = []
    malicious: list[bool] = []
    moved: list[str] = []
    for s in doc["scenarios"]:
        sc = v.scenarios[s["id"]]
        malicious.append(sc.malicious)
        now, goal, was = s["current"], s["target"], s["inherent"]
        x, y = now["likelihood_position"], now["impact_position"]
        if not now["rank"] or x is None or y is None:
            continue
        markers.append(Marker(s["id"], s["title"], now["rank"], s["domain"], sc.malicious, x, y))
        tx, ty = goal["likelihood_position"], goal["impact_position"]
        before = None
        if was["likelihood_position"] is not None and was["impact_position"] is not None:
            before = (was["likelihood_position"], was["impact_position"])
        moves.append(Move(s["id"], x if tx is None else tx, y if ty is None else ty, before))
        if goal["risk"] != now["risk"]:
            moved.append(
                v.t(
                    "rep_strategy_moved_item",
                    rank=now["rank"],
                    title=s["title"],
                    before=v.risk(now["risk"]),
                    after=v.risk(goal["risk"]),
                    classes=f"{_classes(now)} → {_classes(goal)}",
                )
            )
    markers.sort(key=lambda m: m.rank)
    serious = {st: sum(1 for s in doc["scenarios"] if s[st]["serious"]) for st in STATES}
    desc = v.t(
        "rep_strategy_diagram_desc",
        n=len(markers),
        moved=len(moved),
        inherent=serious["inherent"],
        current=serious["current"],
        target=serious["target"],
    )
    panels = move_diagrams(v, markers, moves, malicious, ("st-diagram-desc", desc))
    totals = [
        {
            "state": st,
            "label": v.t(f"rep_strategy_state_{st}"),
            "which": v.t(f"rep_strategy_state_{st}_which"),
            "risk": v.risk(doc["totals"][st]),
            "serious": serious[st],
        }
        for st in STATES
    ]
    measures = []
    for ms in sorted(doc["measures"], key=lambda m: -(m["alone"] or 0.0)):
        # one owner leads by itself; several without a lead is a coherence flag
        lead = ms["lead"] or (ms["owners"][0] if len(ms["owners"]) == 1 else None)
        measures.append(
            {
                "id": ms["id"],
                "title": ms["title"],
                "strategy": refs.title("strategy", ms["strategy"]),
                "phase": v.t(f"phase_{ms['phase']}"),
                "status": v.t(f"rep_strategy_status_{ms['status']}"),
                "status_id": ms["status"],
                "lead": v.org(lead) if lead else v.t("rep_strategy_no_lead"),
                "has_lead": lead is not None,
                "cost": "–" if ms["cost"] is None else i18n.euros(ms["cost"], v.lang),
                "marginal": v.risk(ms["marginal"]),
                "alone": v.risk(ms["alone"]),
                "marginal_per_million": v.risk(ms["marginal_per_million"]),
                "alone_per_million": v.risk(ms["alone_per_million"]),
            }
        )
    return {
        "panels": panels,
        "desc": desc,
        "moved": moved,
        "totals": totals,
        "measures": measures,
        "units": v.t("rep_strategy_units_eur" if v.monetised else "rep_strategy_units_score"),
    }


# -- b. international developments ---------------------------------------------------------------
def _developments(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any] | None:
    devs = doc["developments"]
    if not devs:
        return None
    sure = doc["uncertainty"] is not None
    top = max((d["risk_added"] or 0.0 for d in devs), default=0.0)
    groups, bars = [], []
    for d in sorted(devs, key=lambda d: -(d["risk_added"] or 0.0)):
        bars.append(
            {
                "title": d["title"],
                "value": v.risk(d["risk_added"]),
                "width": _share(d["risk_added"], top),
            }
        )
    for d in devs:
        items = []
        for r in sorted(d["raises"], key=lambda r: (not r["direct"], -(r["risk_added"] or 0.0))):
            row = refs.rows.get(r["scenario"])
            interval = r.get("risk_added_interval")
            share = r.get("serious_share")
            items.append(
                {
                    "title": refs.title("scenario", r["scenario"]),
                    "anchor": row["anchor"] if row else "",
                    "icon": row["icon"] if row else "",
                    "how": v.t("rep_strategy_direct" if r["direct"] else "rep_strategy_cascade"),
                    "direct": r["direct"],
                    "rank": f"{_rank(r['before'])} → {_rank(r['after'])}",
                    "classes": f"{_classes(r['before'])} → {_classes(r['after'])}",
                    "serious": r["after"]["serious"],
                    "becomes_serious": r["becomes_serious"],
                    "added": v.risk(r["risk_added"]),
                    "interval": (
                        f"{v.risk(interval[0])} – {v.risk(interval[-1])}" if interval else "–"
                    ),
                    "share": "–" if share is None else i18n.percent(share, v.lang),
                }
            )
        dev = refs.developments.get(d["id"])
        groups.append(
            {
                "title": d["title"],
                "kind": v.t(f"rep_strategy_kind_{d['kind']}"),
                "where": d["where"] or "",
                "horizon": d["horizon"] or "",
                "description": tr(dev.description, v.lang) if dev and dev.description else "",
                "added": v.risk(d["risk_added"]),
                "raised": items,
                "newly_serious": [i["title"] for i in items if i["becomes_serious"]],
            }
        )
    exposed = sorted(
        (s for s in doc["scenarios"] if (s["exposure"] or 0.0) > 0),
        key=lambda s: (-(s["exposure"] or 0.0), s["current"]["rank"] or 10**9),
    )
    exposure = [
        {
            "rank": s["current"]["rank"] or "–",
            "title": s["title"],
            "anchor": f"sc-{s['id']}",
            "value": i18n.percent(s["exposure"], v.lang),
            "width": _share(s["exposure"], 1.0),
            "by": "; ".join(refs.title("development", x) for x in s["raised_by"]),
        }
        for s in exposed
    ]
    unc = doc["uncertainty"]
    return {
        "bars": bars,
        "groups": groups,
        "exposure": exposure,
        "sure": sure,
        "with_all": v.risk(doc["totals"]["with_all_developments"]),
        "current": v.risk(doc["totals"]["current"]),
        "samples": i18n.number(float(unc["samples"]), v.lang) if unc else "",
    }


# -- c. the portfolio ----------------------------------------------------------------------------
def _portfolio(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any] | None:
    p = doc["portfolio"]
    if p is None:
        return None
    values = {m["id"]: m for m in doc["measures"]}
    robust = p["robustness"]
    share = robust["share"] if robust else {}
    rows = []
    for mid in sorted(p["candidates"], key=lambda m: (-(share.get(m) or 0.0), m)):
        ms = values[mid]
        x = share.get(mid)
        rows.append(
            {
                "title": refs.title("measure", mid),
                "cost": "–" if ms["cost"] is None else i18n.euros(ms["cost"], v.lang),
                "alone": v.risk(ms["alone"]),
                "best": mid in p["best"]["measures"],
                "greedy": mid in p["greedy"]["measures"],
                "share": "–" if x is None else i18n.percent(x, v.lang),
                "width": _share(x, 1.0),
                "bar_label": (
                    ""
                    if x is None
                    else v.t("rep_strategy_share_bar", share=i18n.percent(x, v.lang))
                ),
            }
        )
    same = set(p["best"]["measures"]) == set(p["greedy"]["measures"])
    return {
        "budget": i18n.euros(p["budget"], v.lang),
        "rows": rows,
        "best": {
            "cost": i18n.euros(p["best"]["cost"] or 0.0, v.lang),
            "removed": v.risk(p["best"]["risk_removed"]),
            "n": len(p["best"]["measures"]),
        },
        "greedy": {
            "cost": i18n.euros(p["greedy"]["cost"] or 0.0, v.lang),
            "removed": v.risk(p["greedy"]["risk_removed"]),
            "n": len(p["greedy"]["measures"]),
        },
        "same": same,
        "robust": robust is not None,
        "samples": i18n.number(float(robust["samples"]), v.lang) if robust else "",
    }


# -- d. capability gaps --------------------------------------------------------------------------
def _capabilities(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any] | None:
    caps = doc["capabilities"]
    if not caps["ranking"]:
        return None
    top = max((c["risk_open"] or 0.0 for c in caps["ranking"]), default=0.0)
    agenda = []
    for c in caps["ranking"]:
        cap = refs.capabilities.get(c["id"])
        agenda.append(
            {
                "title": refs.title("capability", c["id"]),
                "kind": v.t(f"rep_strategy_cap_{cap.kind}") if cap else "",
                "owners": "; ".join(v.org(o) for o in cap.owners) if cap else "",
                "value": v.risk(c["risk_open"]),
                "width": _share(c["risk_open"], top),
                "gaps": v.t("rep_strategy_gaps_of", gaps=c["gaps"], needs=c["needs"]),
                "shared": c["shared"],
            }
        )
    rationale: dict[tuple[str, str], str] = {}
    for cap in v.a.capabilities:
        for need in cap.needed:
            if need.rationale:
                rationale[(cap.id, need.scenario)] = tr(need.rationale, v.lang)
    gaps = []
    for g in caps["gaps"]:
        row = refs.rows.get(g["scenario"])
        gaps.append(
            {
                "capability": refs.title("capability", g["capability"]),
                "scenario": refs.title("scenario", g["scenario"]),
                "anchor": row["anchor"] if row else "",
                "rank": row["rank"] if row else None,
                "phases": ", ".join(v.t(f"phase_{p}").lower() for p in g["phases"]),
                "adequacy": v.t(f"rep_strategy_adequacy_{g['adequacy']}"),
                "adequacy_id": g["adequacy"],
                "risk": v.risk(g["risk_open"]),
                "rationale": rationale.get((g["capability"], g["scenario"]), ""),
            }
        )
    shared = []
    for cid in caps["shared"]:
        cap = refs.capabilities.get(cid)
        if cap is None:
            continue
        by_domain: dict[str, list[str]] = {}
        for need in cap.needed:
            sc = v.scenarios.get(need.scenario)
            if sc is not None:
                by_domain.setdefault(sc.domain, []).append(refs.title("scenario", sc.id))
        shared.append(
            {
                "title": tr(cap.title, v.lang),
                "parts": [
                    {"domain": v.domain(d), "scenarios": "; ".join(dict.fromkeys(by_domain[d]))}
                    for d in ("internal", "both", "external")
                    if d in by_domain
                ],
            }
        )
    return {"agenda": agenda, "gaps": gaps, "shared": shared}


# -- e. coherence: flags, matrix, network ------------------------------------------------------
def _heat(x: float, top: float) -> dict[str, str]:
    """A heat-map cell: its background, and whichever text colour (dark or white) contrasts
    more with it."""
    share = min(max(x / top, 0.0), 1.0) if top > 0 else 0.0
    # the middle tones contrast too little with dark and with white text: skipped
    tone = 0.76 * share if share <= 0.5 else 0.62 + 0.76 * (share - 0.5)
    background, _ = shade(tone)
    dark_wins = contrast(DARK, background) >= contrast("#FFFFFF", background)
    return {"bg": background, "fg": DARK if dark_wins else "#FFFFFF"}


def _matrix(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any]:
    mx = doc["matrix"]
    strategies = [
        {
            "title": refs.title("strategy", s),
            "scope": v.t(f"scope_{refs.strategies[s].scope}") if s in refs.strategies else "",
        }
        for s in mx["strategies"]
    ]
    interests = {i.id: tr(i.label, v.lang) for i in v.m.interests}
    by_interest = [[x or 0.0 for x in row] for row in mx["risk_addressed_by_interest"]]
    top_i = max((x for row in by_interest for x in row), default=0.0)
    interest_rows = [
        {
            **strategies[k],
            "cells": [
                {"value": v.risk(x) if x > 0 else "–", **_heat(x, top_i)} for x in by_interest[k]
            ],
        }
        for k in range(len(strategies))
    ]
    removed = [[x or 0.0 for x in row] for row in mx["risk_removed"]]
    top_s = max((x for row in removed for x in row), default=0.0)
    scenario_rows = []
    order = sorted(
        range(len(mx["scenarios"])),
        key=lambda j: (
            refs.rows[mx["scenarios"][j]]["rank"] is None,
            refs.rows[mx["scenarios"][j]]["rank"] or 0,
        ),
    )
    for j in order:
        row = refs.rows[mx["scenarios"][j]]
        cells = []
        for k in range(len(strategies)):
            n = mx["measures"][k][j]
            x = removed[k][j]
            cells.append(
                {
                    "value": v.risk(x) if n else "–",
                    "n": n,
                    "count": v.t("rep_strategy_n_measures", n=n) if n else "",
                    **(_heat(x, top_s) if n else {"bg": "#FFFFFF", "fg": DARK}),
                }
            )
        scenario_rows.append({**row, "cells": cells})
    return {
        "strategies": strategies,
        "interests": [interests.get(i, i) for i in mx["interests"]],
        "by_interest": interest_rows,
        "by_scenario": scenario_rows,
    }


def _network(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any]:
    ids = [s.id for s in v.a.scenarios]
    dev_ids = [d.id for d in v.a.developments]
    raised = np.zeros((len(dev_ids), len(ids)), dtype=bool)
    col = {sid: j for j, sid in enumerate(ids)}
    for d in doc["developments"]:
        for r in d["raises"]:
            raised[dev_ids.index(d["id"]), col[r["scenario"]]] = True
    g = strategy_network(v.a, raised)
    kind_label = {k: v.t(f"rep_strategy_net_{k}") for k in KINDS}
    nodes: list[NetNode] = []
    for kind, ident in g.nodes:
        if kind == "scenario":
            row = refs.rows.get(ident)
            title = (
                f"{row['rank']}. {row['title']}" if row and row["rank"] else refs.title(kind, ident)
            )
        else:
            title = refs.title(kind, ident)
        sphere = g.nodes[(kind, ident)]["sphere"]
        nodes.append(
            NetNode(
                key=f"{kind}:{ident}",
                column=KINDS.index(kind),
                label=title,
                sphere=sphere,
                tooltip=f"{kind_label[kind]}: {title} ({v.t(f'rep_strategy_net_sphere_{sphere}')})",
            )
        )
    # strategies, measures, scenarios, developments; unconnected strategies and measures stay
    nodes.sort(key=lambda n: n.column)
    titles = {n.key: n.label for n in nodes}
    links = []
    crossing = []
    for a, b in g.edges:
        crosses = bool(g.edges[a, b]["crosses"])
        ka, kb = f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"
        tip = f"{titles[ka]} → {titles[kb]}"
        if crosses:
            tip += f" ({v.t('rep_strategy_net_link_crosses')})"
            crossing.append(f"{titles[ka]} → {titles[kb]}")
        links.append(NetLink(ka, kb, crosses, tip))
    counts = {k: sum(1 for n in nodes if n.column == KINDS.index(k)) for k in KINDS}
    desc = v.t(
        "rep_strategy_net_desc",
        strategies=counts["strategy"],
        measures=counts["measure"],
        scenarios=counts["scenario"],
        developments=counts["development"],
        links=len(links),
        crossing=len(crossing),
    )
    headers = [v.t(f"rep_strategy_net_col_{k}") for k in KINDS]
    svg = strategy_network_svg(
        nodes, links, headers, v.lang, v.t("rep_strategy_net_title"), ("st-network-desc", desc)
    )
    return {"svg": Markup(svg), "desc": desc, "crossing": crossing}


def _coherence(v: View, refs: _Refs, doc: StrategyDoc) -> dict[str, Any]:
    groups = []
    for kind in FLAG_KINDS:
        found = [f["message"] for f in doc["flags"] if f["kind"] == kind]
        if found:
            groups.append(
                {"kind": kind, "title": v.t(f"rep_strategy_flags_{kind}"), "lines": found}
            )
    return {
        "flags": groups,
        "n_flags": len(doc["flags"]),
        "matrix": _matrix(v, refs, doc),
        "network": _network(v, refs, doc),
    }


def strategy_section(
    v: View, rows: list[RankingRow], doc: StrategyDoc | None
) -> dict[str, Any] | None:
    """The section's view data, or None when there is no strategy document or the assessment
    has no strategy data (no measures with effects, developments or capabilities)."""
    if doc is None or not has_strategy(v.a):
        return None
    refs = _Refs(v, rows)
    return {
        "illustrative": bool(doc["assessment"]["illustrative"]),
        "basis": v.t(f"rep_strategy_basis_{doc['assessment']['measures_basis']}"),
        "states": _states(v, refs, doc),
        "developments": _developments(v, refs, doc),
        "portfolio": _portfolio(v, refs, doc),
        "capabilities": _capabilities(v, refs, doc),
        "coherence": _coherence(v, refs, doc),
    }

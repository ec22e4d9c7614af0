"""The strategy analysis as a plain document (``nsra-strategy/1``) and as CSV tables.

Built from the typed :class:`nsra.analysis.strategy.run.StrategyAnalysis` for ``nsra strategy``,
the API and the report. Risks are in the method's risk unit (probability over the time basis x
impact); costs in euros per year; ``per_million`` is risk removed per million euros a year.
Flags carry a plain sentence in the language asked for.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from nsra.analysis.strategy.flags import Flag
from nsra.analysis.strategy.run import StrategyAnalysis
from nsra.engine.classes import NO_CLASS
from nsra.i18n import t
from nsra.io.jsondoc import num
from nsra.io.validate import Loaded
from nsra.model.method import ClassScale
from nsra.model.text import DEFAULT_LANG, Lang, tr

STRATEGY_FORMAT = "nsra-strategy/1"
StrategyDoc = dict[str, Any]


def _code(scale: ClassScale, index: int) -> str | None:
    return None if index == NO_CLASS else scale.code_of(int(index))


def flag_sentence(flag: Flag, loaded: Loaded, lang: Lang) -> str:
    """A flag said in plain words, with titles rather than ids."""
    a = loaded.assessment
    titles: dict[str, str] = {}
    for group in (a.scenarios, a.measures, a.strategies, a.developments):
        for x in group:
            titles[x.id] = tr(x.title, lang)
    values: dict[str, object] = {}
    for key in ("scenario", "measure", "strategy", "development"):
        ident = getattr(flag, key)
        if ident is not None:
            values[key] = titles.get(ident, ident)
    if flag.phase is not None:
        values["phase"] = t(f"strategy_phase_verb_{flag.phase}", lang)
    if flag.kind == "scope":
        missing = flag.detail["missing"]
        present = "national" if missing == "international" else "international"
        values["domain"] = t(f"strategy_domain_{flag.detail['domain']}", lang)
        values["present"] = t(f"strategy_scope_{present}", lang)
        values["missing"] = t(f"strategy_scope_one_{missing}", lang)
    if flag.kind == "no_lead":
        values["owners"] = flag.detail["owners"]
    return t(f"strategy_flag_{flag.kind}", lang, **values)


def strategy_document(
    loaded: Loaded, sa: StrategyAnalysis, lang: Lang = DEFAULT_LANG
) -> StrategyDoc:
    """The whole strategy analysis as plain data (JSON-ready)."""
    a, m = loaded.assessment, loaded.method
    total_scale = m.scale(m.aggregation.total_scale)
    lik = {f: m.scale(m.likelihood.scale_for(f).scale) for f in (True, False)}
    st = sa.states
    wi = sa.what_if
    ids = [s.id for s in a.scenarios]

    def state(pic: Any, s: int) -> dict[str, Any]:
        mal = a.scenarios[s].malicious
        return {
            "risk": num(pic.risk[s]),
            "rank": int(pic.rank[s]),
            "likelihood": _code(lik[mal], pic.likelihood_class[s]),
            "impact": _code(total_scale, pic.impact_class[s]),
            "likelihood_position": num(pic.likelihood_position[s]),
            "impact_position": num(pic.impact_position[s]),
            "serious": bool(pic.serious[s]),
        }

    d = len(a.developments)
    scenarios = []
    for s, sc in enumerate(a.scenarios):
        scenarios.append(
            {
                "id": sc.id,
                "title": tr(sc.title, lang),
                "domain": sc.domain,
                "inherent": state(st.inherent, s),
                "current": state(st.current, s),
                "target": state(st.target, s),
                "with_developments": state(wi.pictures.at(d), s),
                "exposure": num(wi.exposure[s]),
                "raised_by": [a.developments[i].id for i in np.flatnonzero(sa.raised[:, s])],
            }
        )
    v = sa.values
    measures = []
    for i, ms in enumerate(a.measures):
        measures.append(
            {
                "id": ms.id,
                "title": tr(ms.title, lang),
                "strategy": ms.strategy,
                "phase": ms.phase,
                "status": ms.status,
                "lead": ms.lead,
                "owners": list(ms.owners),
                "cost": num(v.cost[i]),
                "marginal": num(v.marginal[i]),
                "alone": num(v.alone[i]),
                "marginal_per_million": num(v.marginal_per_euro[i] * 1e6),
                "alone_per_million": num(v.alone_per_euro[i] * 1e6),
            }
        )
    developments = []
    unc = sa.uncertainty
    for i, dev in enumerate(a.developments):
        raised = []
        for k in np.flatnonzero(sa.raised[i]):
            s = int(k)
            item: dict[str, Any] = {
                "scenario": ids[s],
                "direct": bool(wi.direct[i, s]),
                "risk_added": num(wi.risk_added[i, s]),
                "before": state(wi.current, s),
                "after": state(wi.pictures.at(i), s),
                "becomes_serious": bool(wi.becomes_serious[i, s]),
            }
            if unc is not None:
                item["risk_added_interval"] = [num(q) for q in unc.risk_added[:, i, s]]
                item["serious_share"] = num(unc.serious[i, s])
            raised.append(item)
        developments.append(
            {
                "id": dev.id,
                "title": tr(dev.title, lang),
                "kind": dev.kind,
                "where": tr(dev.where, lang) if dev.where is not None else None,
                "horizon": dev.horizon,
                "risk_added": num(np.nansum(wi.risk_added[i])),
                "raises": raised,
            }
        )
    caps = sa.capabilities
    doc: StrategyDoc = {
        "format": STRATEGY_FORMAT,
        "assessment": {
            "title": tr(a.title, lang),
            "classification": a.classification,
            "illustrative": a.illustrative,
            "method": m.id,
            "measures_basis": a.measures_basis,
        },
        "totals": {
            "inherent": num(st.inherent.total),
            "current": num(st.current.total),
            "target": num(st.target.total),
            "every_measure": num(st.every.total),
            "with_all_developments": num(np.nansum(wi.pictures.risk[d])),
        },
        "scenarios": scenarios,
        "measures": measures,
        "developments": developments,
        "uncertainty": None
        if unc is None
        else {"samples": unc.samples, "seed": unc.seed, "quantiles": [0.05, 0.5, 0.95]},
        "capabilities": {
            "ranking": [
                {
                    "id": c.capability,
                    "risk_open": num(c.risk_open),
                    "gaps": c.gaps,
                    "needs": c.needs,
                    "shared": c.shared,
                }
                for c in caps.capabilities
            ],
            "gaps": [
                {
                    "capability": g.capability,
                    "scenario": g.scenario,
                    "phases": list(g.phases),
                    "adequacy": g.adequacy,
                    "risk_open": num(g.risk_open),
                }
                for g in caps.gaps
            ],
            "shared": caps.shared,
        },
        "flags": [
            {
                "kind": f.kind,
                "scenario": f.scenario,
                "measure": f.measure,
                "strategy": f.strategy,
                "development": f.development,
                "phase": f.phase,
                "message": flag_sentence(f, loaded, lang),
            }
            for f in sa.flags
        ],
        "matrix": {
            "strategies": sa.matrix.strategies,
            "scenarios": sa.matrix.scenarios,
            "interests": sa.matrix.interests,
            "risk_removed": [[num(x) for x in row] for row in sa.matrix.removed],
            "measures": [[int(x) for x in row] for row in sa.matrix.measures],
            "risk_addressed_by_interest": [[num(x) for x in row] for row in sa.matrix.by_interest],
        },
        "portfolio": None,
    }
    p = sa.portfolio
    if p is not None:
        cand = [a.measures[i].id for i in p.tables.measures]

        def chosen(port: Any) -> dict[str, Any]:
            return {
                "measures": [cand[i] for i in np.flatnonzero(port.selected)],
                "cost": num(port.cost),
                "risk_removed": num(port.value),
            }

        doc["portfolio"] = {
            "budget": num(p.budget),
            "candidates": cand,
            "best": chosen(p.best),
            "greedy": chosen(p.greedy),
            "robustness": None
            if p.robustness is None
            else {
                "samples": p.robustness.draws,
                "share": {cand[i]: num(x) for i, x in enumerate(p.robustness.share)},
            },
        }
    return doc


def what_if_document(
    loaded: Loaded, sa: StrategyAnalysis, developments: list[str], lang: Lang = DEFAULT_LANG
) -> StrategyDoc:
    """The current picture when the named developments materialise together: every scenario
    whose risk, rank or classes move, with before and after. Unknown ids raise ValueError."""
    from nsra.analysis.strategy.developments import what_if

    a, m = loaded.assessment, loaded.method
    known = [d.id for d in a.developments]
    unknown = [d for d in developments if d not in known]
    if unknown:
        raise ValueError(
            f"unknown development {', '.join(map(repr, unknown))}; known: "
            + (", ".join(known) or "none")
        )
    chosen = np.array([[1.0 if d in developments else 0.0 for d in known]])
    wi = what_if(sa.model, chosen)
    total_scale = m.scale(m.aggregation.total_scale)
    lik = {f: m.scale(m.likelihood.scale_for(f).scale) for f in (True, False)}
    after = wi.pictures.at(0)
    moves: list[dict[str, Any]] = []
    for s, sc in enumerate(a.scenarios):
        before = {
            "rank": int(wi.current.rank[s]),
            "likelihood": _code(lik[sc.malicious], wi.current.likelihood_class[s]),
            "impact": _code(total_scale, wi.current.impact_class[s]),
            "serious": bool(wi.current.serious[s]),
        }
        now = {
            "rank": int(after.rank[s]),
            "likelihood": _code(lik[sc.malicious], after.likelihood_class[s]),
            "impact": _code(total_scale, after.impact_class[s]),
            "serious": bool(after.serious[s]),
        }
        added = float(wi.risk_added[0, s])
        if before != now or added != 0:
            moves.append(
                {
                    "scenario": sc.id,
                    "title": tr(sc.title, lang),
                    "risk_added": num(added),
                    "before": before,
                    "after": now,
                    "becomes_serious": bool(now["serious"] and not before["serious"]),
                }
            )
    moves.sort(key=lambda x: -(x["risk_added"] or 0.0))
    return {
        "developments": developments,
        "current": num(wi.current.total),
        "with": num(float(wi.pictures.total[0])),
        "moves": moves,
    }


def strategy_csv(doc: StrategyDoc, table: str) -> str:
    """One table of the document as CSV: scenarios, measures, developments, capabilities, flags
    or portfolio."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if table == "scenarios":
        w.writerow(
            [
                "id",
                "title",
                "domain",
                "inherent_risk",
                "current_risk",
                "target_risk",
                "current_rank",
                "target_rank",
                "current_impact",
                "target_impact",
                "current_likelihood",
                "target_likelihood",
                "exposure",
                "raised_by",
            ]
        )
        for s in doc["scenarios"]:
            w.writerow(
                [
                    s["id"],
                    s["title"],
                    s["domain"],
                    s["inherent"]["risk"],
                    s["current"]["risk"],
                    s["target"]["risk"],
                    s["current"]["rank"],
                    s["target"]["rank"],
                    s["current"]["impact"],
                    s["target"]["impact"],
                    s["current"]["likelihood"],
                    s["target"]["likelihood"],
                    s["exposure"],
                    " ".join(s["raised_by"]),
                ]
            )
    elif table == "measures":
        cols = [
            "id",
            "title",
            "strategy",
            "phase",
            "status",
            "lead",
            "cost",
            "marginal",
            "alone",
            "marginal_per_million",
            "alone_per_million",
        ]
        w.writerow(cols)
        for ms in doc["measures"]:
            w.writerow([ms[c] for c in cols])
    elif table == "developments":
        w.writerow(
            [
                "development",
                "scenario",
                "direct",
                "risk_added",
                "rank_before",
                "rank_after",
                "becomes_serious",
                "serious_share",
            ]
        )
        for d in doc["developments"]:
            for r in d["raises"]:
                w.writerow(
                    [
                        d["id"],
                        r["scenario"],
                        r["direct"],
                        r["risk_added"],
                        r["before"]["rank"],
                        r["after"]["rank"],
                        r["becomes_serious"],
                        r.get("serious_share"),
                    ]
                )
    elif table == "capabilities":
        w.writerow(["capability", "scenario", "phases", "adequacy", "risk_open"])
        for g in doc["capabilities"]["gaps"]:
            w.writerow(
                [
                    g["capability"],
                    g["scenario"],
                    " ".join(g["phases"]),
                    g["adequacy"],
                    g["risk_open"],
                ]
            )
    elif table == "flags":
        w.writerow(["kind", "scenario", "measure", "strategy", "development", "phase", "message"])
        for f in doc["flags"]:
            w.writerow(
                [
                    f["kind"],
                    f["scenario"],
                    f["measure"],
                    f["strategy"],
                    f["development"],
                    f["phase"],
                    f["message"],
                ]
            )
    elif table == "portfolio":
        p = doc["portfolio"]
        w.writerow(["measure", "in_best", "in_greedy", "share_in_best"])
        if p is not None:
            share = (p["robustness"] or {}).get("share", {})
            for mid in p["candidates"]:
                w.writerow(
                    [
                        mid,
                        mid in p["best"]["measures"],
                        mid in p["greedy"]["measures"],
                        share.get(mid),
                    ]
                )
    else:
        raise ValueError(f"unknown table {table!r}")
    return buf.getvalue()

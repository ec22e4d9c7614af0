"""``nsra analyse --format table``: the analysis document read for people, one table per
section that ran (rank intervals, first-rank acceptability, what drives each risk, the hubs of
the threat network, cascade frequencies and impacts)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from nsra.cli.console import amount, out
from nsra.io.contract import AnalysisDoc


def _title(titles: dict[str, str], sid: str) -> str:
    return titles.get(sid, sid)


def _share(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.0f}%"


def _per_year(x: float) -> str:
    if x == 0:
        return "never simulated"
    if x >= 0.1:
        return f"{x:.2f}"
    return f"once in {1 / x:,.0f} years"


def print_summary(doc: AnalysisDoc, titles: dict[str, str]) -> None:
    """Every section of ``doc`` as a readable table (titles: scenario id -> title)."""
    a = doc["assessment"]
    o = doc["options"]
    out.print(f"{a['title']} — method {a['method']['id']} {a['method']['version']}")
    u = doc.get("uncertainty")
    runs = [f"seed {o['seed']}"]
    if u is not None:
        runs.append(f"{o['samples']:,} Monte Carlo samples")
    if doc.get("cascades") is not None:
        runs.append(f"{o['years']:,} simulated years")
    out.print("Ran with " + "; ".join(runs) + ".")
    if u is not None:
        q = u["quantiles"]
        lo, mid, hi = q.index(0.05), q.index(0.5), q.index(0.95)
        t = Table(title="Ranking and its uncertainty (5–95% of the Monte Carlo samples)")
        for c in ("rank", "scenario", "rank 5–95%", "risk (median)", "rank changes in"):
            t.add_column(c)
        for sc in sorted(u["scenarios"], key=lambda s: s["central_rank"] or 10**9):
            rank, risk = sc["rank"], sc["risk"][mid]
            t.add_row(
                str(sc["central_rank"] or "-"),
                _title(titles, sc["id"]),
                f"{rank[lo]:g}–{rank[hi]:g}" if rank[lo] is not None else "",
                "" if risk is None else amount(risk),
                _share(sc["rank_change_share"]) + " of samples",
            )
        out.print(t)
    sm = doc.get("smaa")
    if sm is not None:
        t = Table(title=f"How often each scenario ranks first (SMAA; weights: {sm['weights']})")
        for c in ("scenario", "first rank", "top three"):
            t.add_column(c)
        for ssc in sorted(sm["scenarios"], key=lambda s: -(s["rank_acceptability"][0] or 0.0)):
            ra = [x or 0.0 for x in ssc["rank_acceptability"]]
            t.add_row(_title(titles, ssc["id"]), _share(ra[0]), _share(sum(ra[:3])))
        out.print(t)
    sd: Any = doc.get("sensitivity")
    if sd is not None:
        t = Table(title="What drives each risk (sensitivity)")
        t.add_column("scenario")
        t.add_column("summary")
        for sc in sd["scenarios"]:
            t.add_row(_title(titles, sc["id"]), sc.get("summary", ""))
        out.print(t)
    net: Any = doc.get("network")
    if net is not None:
        t = Table(title="Threat network: the threats that set off most others")
        for c in ("scenario", "sets off (expected)", "is set off by", "hub"):
            t.add_column(c)
        for n in sorted(net["nodes"], key=lambda n: -n["out_strength"])[:10]:
            t.add_row(
                _title(titles, n["id"]),
                f"{n['out_strength']:.2f}",
                f"{n['in_strength']:.2f}",
                "yes" if n["hub_out"] or n["hub_betweenness"] else "",
            )
        out.print(t)
    cas = doc.get("cascades")
    if cas is not None:
        f = cas["forced_start"]
        noise = "with the method's impact noise" if f["impact_noise"] else "without noise"
        t = Table(
            title=f"Cascades over {cas['years']:,.0f} simulated years; total impact of "
            f"{f['graphs']:,} event graphs started at each risk and level ({noise})"
        )
        for c in ("scenario", "level", "as a start", "set off", "impact median", "5–95%"):
            t.add_column(c)
        for r in cas["risks"]:
            for lv in r["levels"]:
                imp = lv["impact_forced_start"]
                t.add_row(
                    _title(titles, r["id"]),
                    lv["level"] or "",
                    _per_year(lv["root_per_year"]),
                    _per_year(lv["triggered_per_year"]),
                    amount(imp["p50"]),
                    f"{amount(imp['p5'])} – {amount(imp['p95'])}",
                )
        out.print(t)

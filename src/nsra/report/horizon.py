"""The report's horizon section: the risk diagram with an arrow from each risk's place today to
its place at the method's horizon year (the BNRA: 2050), and a table of probability and risk
today and then, side by side. Left out when the method has no horizon or no scenario has a
likelihood for it."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from nsra.report.diagram import Marker, Move, marker_of
from nsra.report.panels import move_diagrams
from nsra.report.view import RankingRow, View


def _level_risk(entry: Any) -> float | None:
    """The risk at the level the diagram shows (the scenario's risk without levels)."""
    for block in entry.get("levels", []):
        if block["id"] == entry.get("level"):
            risk: float | None = block["risk"]
            return risk
    scenario_risk: float | None = entry["risk"]
    return scenario_risk


def horizon_sections(v: View, rows: list[RankingRow]) -> list[dict[str, Any]]:
    """One section per horizon of the method with at least one estimated likelihood."""
    out = []
    anchors = {r["id"]: r["anchor"] for r in rows}
    for h in v.m.likelihood.horizons:
        markers: list[Marker] = []
        moves: list[Move] = []
        table = []
        for entry in v.doc["scenarios"]:
            at = entry["likelihood"].get("horizons", {}).get(h.id)
            mk = marker_of(entry)
            if at is None or mk is None:
                continue
            markers.append(mk)
            if at["estimated"] and at["position"] is not None and at["position"] != mk.x:
                moves.append(Move(entry["id"], at["position"], mk.y))
            if at["estimated"] or at["probability"] != entry["likelihood"]["probability"]:
                table.append(
                    {
                        "rank": entry["rank"],
                        "title": entry["title"],
                        "anchor": anchors.get(entry["id"], ""),
                        "prob_now": v.prob(entry["likelihood"]["probability"]),
                        "prob_then": v.prob(at["probability"]),
                        "risk_now": v.risk(_level_risk(entry)),
                        "risk_then": v.risk(at["risk"]),
                        "why": v.t("horizon_estimated", year=h.year)
                        if at["estimated"]
                        else v.t("horizon_through"),
                    }
                )
        if not moves:
            continue
        markers.sort(key=lambda m: m.rank)
        malicious = [s["malicious"] for s in v.doc["scenarios"]]
        desc = v.t("horizon_desc", year=h.year, n=len(moves))
        label = v.t("horizon_arrow", year=h.year)
        panels = move_diagrams(v, markers, moves, malicious, (f"horizon-{h.id}-desc", desc), label)
        for panel in panels:  # a class of its own: told apart from the report's risk diagram
            svg = str(panel["svg"]).replace(
                'class="risk-diagram"', 'class="risk-diagram horizon"', 1
            )
            panel["svg"] = Markup(svg)
        moved = {m.id for m in moves}
        flags = {mk.malicious for mk in markers if mk.id in moved}
        panels = [p for p in panels if p["malicious"] in flags or len(panels) == 1]
        out.append(
            {
                "id": h.id,
                "title": v.t("sec_horizon", year=h.year),
                "caption": v.t("horizon_caption", year=h.year),
                "panels": panels,
                "rows": table,
                "cols": [
                    v.t("col_prob_now"),
                    v.t("col_prob_horizon", year=h.year),
                    v.t("col_risk_now"),
                    v.t("col_risk_horizon", year=h.year),
                ],
            }
        )
    return out

"""The report's section on chronic (slow-onset) risks.

A chronic risk (``kind: chronic``: climate change, demographic shifts) has no likelihood of
occurring on a given day: it is assessed on its impact at a horizon, with a trend. It is kept
off the likelihood axis of the risk diagram and out of the ranking, and shown here instead: one
table row per chronic risk (theme, trend, horizon, impact class and total impact) and its impact
per national security interest as a bar, in the interests' colours of the impact section.
"""

from __future__ import annotations

from typing import Any

from nsra.report.view import RankingRow, View

TREND_ARROWS = {"rising": "↗", "stable": "→", "falling": "↘", "uncertain": "?"}


def chronic_section(
    v: View, rows: list[RankingRow], interests: dict[str, Any]
) -> dict[str, Any] | None:
    """The section's data, or None when the assessment has no chronic risk.

    ``interests``: the impact-per-interest context of the report (its ``bars`` carry each
    scenario's segments, keyed here by the scenario's anchor)."""
    chronic = [r for r in rows if v.chronic(r["id"])]
    if not chronic:
        return None
    bars = {b["anchor"]: b for b in interests["bars"]}
    items = []
    for r in chronic:
        sc = v.scenarios[r["id"]]
        trend = sc.trend or ""
        bar = bars.get(r["anchor"])
        items.append(
            {
                "id": r["id"],
                "anchor": r["anchor"],
                "title": r["title"],
                "icon": r["icon"],
                "theme": r["theme"] or "",
                "theme_colour": _theme_colour(v, sc.theme),
                "trend": v.t(f"trend_{trend}") if trend else v.t("trend_none"),
                "arrow": TREND_ARROWS.get(trend, ""),
                "horizon": str(sc.horizon) if sc.horizon is not None else "–",
                "imp_class": r["imp_class"],
                "imp_label": r["imp_label"],
                "total": r["total"],
                "segments": bar["segments"] if bar else [],
                "owner": r["owner"],
            }
        )
    return {"risks": items, "interests": interests["interests"]}


def _theme_colour(v: View, theme: str) -> str | None:
    found = v.a.theme(theme)
    return found.colour if found is not None else None

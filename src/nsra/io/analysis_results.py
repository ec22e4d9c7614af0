"""Analyses as a JSON document (``format: nsra-analysis/1``).

Each section comes from one analysis and records the options and the seed it ran with, so that
a result can be reproduced.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nsra import __version__
from nsra.analysis.cascade_sim import CascadeStats, FirstOrder, FirstOrderComparison
from nsra.analysis.profiles import ProfileComparison
from nsra.analysis.uncertainty import UncertaintyResult
from nsra.engine.compute import Results
from nsra.io.validate import Loaded
from nsra.model.text import tr

FORMAT = "nsra-analysis/1"


def _list(a: Any) -> Any:
    arr = np.asarray(a, dtype=float)
    out = arr.astype(object)
    out[~np.isfinite(arr)] = None
    return out.tolist()


def uncertainty_section(loaded: Loaded, results: Results, u: UncertaintyResult) -> dict[str, Any]:
    """Per scenario the quantile intervals of risk, rank, impact and likelihood."""
    iv = u.intervals
    fields = {
        "risk": _list(iv.risk.T),
        "rank": _list(iv.rank.T),
        "impact": _list(iv.impact.T),
        "probability": _list(iv.probability.T),
        "impact_position": _list(iv.impact_position.T),
        "likelihood_position": _list(iv.likelihood_position.T),
    }
    scenarios = []
    for i, sc in enumerate(loaded.assessment.scenarios):
        entry: dict[str, Any] = {"id": sc.id, "central_rank": int(results.rank[i]) or None}
        for key, rows in fields.items():
            entry[key] = rows[i]
        entry["rank_change_share"] = float(u.rank_changes[i])
        scenarios.append(entry)
    return {
        "samples": u.samples,
        "seed": u.seed,
        "distribution": u.distribution,
        "quantiles": list(u.quantiles),
        "scenarios": scenarios,
    }


def profiles_section(loaded: Loaded, comparison: ProfileComparison) -> dict[str, Any]:
    """Risk and rank under every weight profile, and which scenarios change rank."""
    ids = [sc.id for sc in loaded.assessment.scenarios]
    ranges = comparison.rank_range.tolist()
    return {
        "profiles": comparison.profiles,
        "scenarios": [
            {
                "id": sid,
                "risk": dict(zip(comparison.profiles, _list(comparison.risk[:, i]), strict=True)),
                "rank": {
                    p: int(r) or None
                    for p, r in zip(comparison.profiles, comparison.rank[:, i], strict=True)
                },
                "rank_range": ranges[i],
            }
            for i, sid in enumerate(ids)
        ],
        "changes_rank": [ids[i] for i in comparison.changes],
    }


def analysis_document(
    loaded: Loaded, results: Results, sections: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    """The whole analysis output."""
    return {
        "format": FORMAT,
        "nsra_version": __version__,
        "assessment": {
            "title": tr(loaded.assessment.title, "en"),
            "classification": loaded.assessment.classification,
            "method": {"id": loaded.method.id, "version": loaded.method.version},
        },
        "options": options,
        **sections,
    }


def cascades_section(
    loaded: Loaded, stats: CascadeStats, comparison: FirstOrderComparison, analytic: FirstOrder
) -> dict[str, Any]:
    """Simulated yearly frequencies, attribution and impact per risk and level, and how far the
    first-order estimate is from the simulation."""
    ids = [sc.id for sc in loaded.assessment.scenarios]
    levels = [lv.id for lv in loaded.method.intensity_levels] or [""]
    root, trig = stats.root_frequency, stats.triggered_frequency
    risks = []
    for r, rid in enumerate(ids):
        per_level = []
        for lv, lid in enumerate(levels):
            per_level.append(
                {
                    "level": lid or None,
                    "root_per_year": float(root[r, lv]),
                    "triggered_per_year": float(trig[r, lv]),
                    "first_order_root_per_year": float(analytic.root_frequency[r, lv]),
                    "first_order_triggered_per_year": float(analytic.triggered_frequency[r, lv]),
                    "triggered_difference": _list(comparison.triggered_abs[r, lv]),
                    "triggered_relative_difference": _list(comparison.triggered_rel[r, lv]),
                    "impact_of_events_started_here": {
                        "mean": _list(stats.impact_mean[r, lv]),
                        "p5": _list(stats.impact_p5[r, lv]),
                        "p50": _list(stats.impact_p50[r, lv]),
                        "p95": _list(stats.impact_p95[r, lv]),
                    },
                }
            )
        causes = [
            {"cause": ids[c], "per_year": float(stats.attribution[c, r])}
            for c in np.argsort(-stats.attribution[:, r], kind="stable")
            if stats.attribution_count[c, r] > 0
        ]
        risks.append({"id": rid, "levels": per_level, "triggered_by": causes})
    return {
        "years": stats.years,
        "seed": stats.seed,
        "events": stats.n_events,
        "triggered_occurrences": stats.n_triggered,
        "annual_impact_mean": _list(stats.annual_impact_mean),
        "options": stats.options,
        "risks": risks,
    }

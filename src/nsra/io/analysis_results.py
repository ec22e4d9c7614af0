"""Analyses as a JSON document (``format: nsra-analysis/1``).

Each section comes from one analysis and records the options and the seed it ran with, so that
a result can be reproduced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nsra import __version__
from nsra.analysis.cascade_sim import CascadeStats, FirstOrder, FirstOrderComparison
from nsra.analysis.profiles import ProfileComparison
from nsra.analysis.uncertainty import DEFAULT_SAMPLES, Distribution, UncertaintyResult
from nsra.engine.compute import Results
from nsra.io.results import json_numbers
from nsra.io.validate import Loaded
from nsra.model.text import tr

FORMAT = "nsra-analysis/1"


def uncertainty_section(loaded: Loaded, results: Results, u: UncertaintyResult) -> dict[str, Any]:
    """Per scenario the quantile intervals of risk, rank, impact and likelihood."""
    iv = u.intervals
    fields = {
        "risk": json_numbers(iv.risk.T),
        "rank": json_numbers(iv.rank.T),
        "impact": json_numbers(iv.impact.T),
        "probability": json_numbers(iv.probability.T),
        "impact_position": json_numbers(iv.impact_position.T),
        "likelihood_position": json_numbers(iv.likelihood_position.T),
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
                "risk": dict(
                    zip(comparison.profiles, json_numbers(comparison.risk[:, i]), strict=True)
                ),
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
                    "triggered_difference": json_numbers(comparison.triggered_abs[r, lv]),
                    "triggered_relative_difference": json_numbers(comparison.triggered_rel[r, lv]),
                    "impact_of_events_started_here": {
                        "mean": json_numbers(stats.impact_mean[r, lv]),
                        "p5": json_numbers(stats.impact_p5[r, lv]),
                        "p50": json_numbers(stats.impact_p50[r, lv]),
                        "p95": json_numbers(stats.impact_p95[r, lv]),
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
        "annual_impact_mean": json_numbers(stats.annual_impact_mean),
        "options": stats.options,
        "risks": risks,
    }


@dataclass(frozen=True)
class AnalysisOptions:
    """What to run and with which sizes and seed."""

    samples: int = DEFAULT_SAMPLES
    seed: int = 1
    years: int = 10_000
    distribution: Distribution = "uniform"
    sensitivity: bool = True
    smaa: bool = True
    weights: str = "uniform"  # SMAA weight preferences: uniform, ordinal:..., interval:...
    sensitivity_top: int = 50  # Sobol indices for this many of the highest ranked scenarios


Stage = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def run_analyses(
    loaded: Loaded,
    results: Results,
    options: AnalysisOptions,
    executor: Any = None,
    progress: Stage = _quiet,
) -> dict[str, Any]:
    """Every analysis the assessment allows, as one ``nsra-analysis/1`` document.

    Monte Carlo uncertainty and weight profiles always; sensitivity (Sobol, Morris) and SMAA
    where asked; the threat network where there are cascades or "reinforces" links; the cascade
    simulation where there are cascades. Each section records its seed and options.
    """
    from nsra.analysis.cascade_sim import (
        CascadeCatalogue,
        compare_first_order,
        first_order,
        simulate,
    )
    from nsra.analysis.network import network_document, threat_network
    from nsra.analysis.profiles import compare_profiles
    from nsra.analysis.sensitivity import sensitivity, sensitivity_document
    from nsra.analysis.uncertainty import position_sampler, propagate
    from nsra.engine.evaluate import RiskModel

    seed = options.seed
    profile = results.profile_id
    model = RiskModel.of(loaded.method, loaded.inputs, profile)
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells, options.distribution)
    sections: dict[str, Any] = {}
    u = propagate(
        model,
        sampler,
        results.level,
        results.rank,
        samples=options.samples,
        seed=seed,
        executor=executor,
        progress=lambda d, t: progress("Monte Carlo", d, t),
    )
    sections["uncertainty"] = uncertainty_section(loaded, results, u)
    progress("Weight profiles", 0, 1)
    sections["profiles"] = profiles_section(
        loaded, compare_profiles(loaded.inputs, loaded.method, results.cells)
    )
    if options.smaa:
        from nsra.io.smaa_section import smaa_section

        progress("SMAA", 0, 1)
        sections["smaa"] = smaa_section(loaded, results, model, sampler, options, executor)
    if options.sensitivity:
        progress("Sensitivity", 0, 1)
        ranked = np.argsort(np.where(results.rank > 0, results.rank, np.iinfo(np.int64).max))
        top = sorted(int(i) for i in ranked[: options.sensitivity_top])
        doc = sensitivity_document(
            sensitivity(
                model,
                sampler,
                results.cells.central,
                results.level,
                scenario_ids=[sc.id for sc in loaded.assessment.scenarios],
                seed=seed,
                only=top,
            )
        )
        doc["scenarios_analysed"] = (
            "all" if len(top) == len(ranked) else f"the {len(top)} highest ranked"
        )
        sections["sensitivity"] = doc
    has_links = any(sc.reinforces for sc in loaded.assessment.scenarios)
    if len(loaded.inputs.cascades) or has_links:
        progress("Threat network", 0, 1)
        sections["network"] = network_document(threat_network(loaded, results, seed=seed))
    if len(loaded.inputs.cascades):
        progress("Cascade simulation", 0, 1)
        catalogue = CascadeCatalogue.from_results(results, loaded.inputs)
        stats = simulate(catalogue, options.years, seed, executor)
        analytic = first_order(catalogue)
        sections["cascades"] = cascades_section(
            loaded, stats, compare_first_order(stats, analytic), analytic
        )
    opts = {
        "samples": options.samples,
        "years": options.years,
        "seed": seed,
        "distribution": options.distribution,
        "profile": profile,
    }
    return analysis_document(loaded, results, sections, opts)

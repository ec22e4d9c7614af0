"""Analyses as a JSON document (``format: nsra-analysis/1``, typed in :mod:`nsra.io.contract`).

:func:`analysis_document` writes the typed results of :func:`nsra.analysis.pipeline.analyse`.
Each section records the options and the seed it ran with, so that a result can be reproduced.
"""

from __future__ import annotations

import numpy as np

from nsra.analysis.pipeline import Analyses, CascadeAnalysis
from nsra.analysis.profiles import ProfileComparison
from nsra.analysis.uncertainty import UncertaintyResult
from nsra.engine.compute import Results
from nsra.io.contract import (
    ANALYSIS_FORMAT,
    AnalysisDoc,
    CascadeCause,
    CascadeLevel,
    CascadeRisk,
    CascadesSection,
    ProfilesSection,
    UncertaintyScenario,
    UncertaintySection,
)
from nsra.io.jsondoc import json_numbers, num
from nsra.io.validate import Loaded
from nsra.model.text import DEFAULT_LANG, tr
from nsra.version import __version__


def uncertainty_section(
    loaded: Loaded, results: Results, u: UncertaintyResult
) -> UncertaintySection:
    """Per scenario the quantile intervals of risk, rank, impact and likelihood."""
    iv = u.intervals
    risk, rank, impact, probability, imp_pos, lik_pos = (
        json_numbers(x.T)
        for x in (
            iv.risk,
            iv.rank,
            iv.impact,
            iv.probability,
            iv.impact_position,
            iv.likelihood_position,
        )
    )
    scenarios: list[UncertaintyScenario] = [
        {
            "id": sc.id,
            "central_rank": int(results.rank[i]) or None,
            "risk": risk[i],
            "rank": rank[i],
            "impact": impact[i],
            "probability": probability[i],
            "impact_position": imp_pos[i],
            "likelihood_position": lik_pos[i],
            "rank_change_share": float(u.rank_changes[i]),
        }
        for i, sc in enumerate(loaded.assessment.scenarios)
    ]
    return {
        "samples": u.samples,
        "seed": u.seed,
        "distribution": u.distribution,
        "quantiles": list(u.quantiles),
        "scenarios": scenarios,
    }


def profiles_section(loaded: Loaded, comparison: ProfileComparison) -> ProfilesSection:
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


def cascades_section(loaded: Loaded, cascades: CascadeAnalysis) -> CascadesSection:
    """Simulated yearly frequencies, attribution and impact per risk and level, and how far the
    first-order estimate is from the simulation."""
    stats, analytic, comparison = cascades.stats, cascades.first_order, cascades.comparison
    forced = cascades.forced
    ids = [sc.id for sc in loaded.assessment.scenarios]
    levels = [lv.id for lv in loaded.method.intensity_levels] or [""]
    root, trig = stats.root_frequency, stats.triggered_frequency
    risks: list[CascadeRisk] = []
    for r, rid in enumerate(ids):
        per_level: list[CascadeLevel] = [
            {
                "level": lid or None,
                "root_per_year": float(root[r, lv]),
                "triggered_per_year": float(trig[r, lv]),
                "first_order_root_per_year": float(analytic.root_frequency[r, lv]),
                "first_order_triggered_per_year": float(analytic.triggered_frequency[r, lv]),
                "triggered_difference": num(comparison.triggered_abs[r, lv]),
                "triggered_relative_difference": num(comparison.triggered_rel[r, lv]),
                "impact_of_events_started_here": {
                    "mean": num(stats.impact_mean[r, lv]),
                    "p5": num(stats.impact_p5[r, lv]),
                    "p50": num(stats.impact_p50[r, lv]),
                    "p95": num(stats.impact_p95[r, lv]),
                },
                "impact_forced_start": {
                    "mean": float(forced.impact_mean[r, lv]),
                    "p5": float(forced.quantile(0.05)[r, lv]),
                    "p25": float(forced.quantile(0.25)[r, lv]),
                    "p50": float(forced.quantile(0.5)[r, lv]),
                    "p75": float(forced.quantile(0.75)[r, lv]),
                    "p95": float(forced.quantile(0.95)[r, lv]),
                    "nodes_mean": float(forced.nodes_mean[r, lv]),
                },
            }
            for lv, lid in enumerate(levels)
        ]
        causes: list[CascadeCause] = [
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
        "annual_impact_mean": num(stats.annual_impact_mean),
        "options": stats.options,
        "forced_start": {
            "graphs": forced.graphs,
            "seed": forced.seed,
            "impact_noise": forced.noise,
        },
        "risks": risks,
    }


def analysis_document(loaded: Loaded, results: Results, analyses: Analyses) -> AnalysisDoc:
    """The whole analysis output of ``analyses`` (computed for ``loaded`` and ``results``)."""
    a, m, opts = loaded.assessment, loaded.method, analyses.options
    doc: AnalysisDoc = {
        "format": ANALYSIS_FORMAT,
        "nsra_version": __version__,
        "assessment": {
            "title": tr(a.title, DEFAULT_LANG),
            "classification": a.classification,
            "method": {"id": m.id, "version": m.version},
        },
        "options": {
            "samples": opts.samples,
            "years": opts.years,
            "seed": opts.seed,
            "distribution": opts.distribution,
            "profile": analyses.profile,
        },
    }
    if analyses.uncertainty is not None:
        doc["uncertainty"] = uncertainty_section(loaded, results, analyses.uncertainty)
    if analyses.profiles is not None:
        doc["profiles"] = profiles_section(loaded, analyses.profiles)
    # the sections of the other analyses are imported where they are written: the analyses
    # they read load scipy.stats, SALib and networkx, seconds a command with --only need not pay
    if analyses.smaa is not None:
        from nsra.io.smaa_section import smaa_section

        doc["smaa"] = smaa_section(a, m, analyses.smaa, opts.weights, analyses.weights_varied)
    if analyses.sensitivity is not None:
        from nsra.io.sensitivity_section import sensitivity_section

        scope, n = analyses.sensitivity_scope, len(a.scenarios)
        titles = {sc.id: tr(sc.title, DEFAULT_LANG) for sc in a.scenarios}
        analysed = "all" if len(scope) == n else f"the {len(scope)} highest ranked"
        doc["sensitivity"] = sensitivity_section(analyses.sensitivity, m, titles, analysed)
    if analyses.network is not None:
        from nsra.io.network_section import network_section

        doc["network"] = network_section(analyses.network)
    if analyses.cascades is not None:
        doc["cascades"] = cascades_section(loaded, analyses.cascades)
    return doc

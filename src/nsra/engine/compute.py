"""The integrated risk picture: one pure function from arrays to arrays.

``compute(inputs, method, profile)`` aggregates the analysts, converts positions into impact and
probability, adds first-order cascades where the method counts them in risk, takes the risk per
intensity level and per scenario, ranks, and places every scenario in the risk diagram.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.aggregate import Cells, aggregate
from nsra.engine.cascade import indirect_impact, indirect_probability
from nsra.engine.impact import ImpactModel
from nsra.engine.inputs import AssessmentInput, FloatArray, IntArray
from nsra.engine.likelihood import LikelihoodModel
from nsra.engine.ranking import competition_rank
from nsra.model.method import Method


@dataclass(frozen=True)
class Results:
    """Computed arrays. S scenarios, L levels, K criteria, I interests."""

    method: Method
    profile_id: str | None
    cells: Cells
    criterion_values: FloatArray  # (S, L, K) score or euros of the central position
    interest_impact: FloatArray  # (S, L, I) direct impact per interest
    direct_impact: FloatArray  # (S, L)
    indirect_impact: FloatArray  # (S, L)
    total_impact: FloatArray  # (S, L) direct + indirect where the method counts cascades
    direct_probability: FloatArray  # (S, L) over the time basis
    indirect_probability: FloatArray  # (S, L)
    total_probability: FloatArray  # (S, L)
    level_risk: FloatArray  # (S, L)
    risk: FloatArray  # (S,)
    rank: IntArray  # (S,) 1 = highest risk; 0 = not ranked
    level: IntArray  # (S,) the level shown in the diagram (highest risk)
    impact_position: FloatArray  # (S, L) on the aggregated impact scale
    impact_low: FloatArray  # (S, L) position with every criterion at its lowest estimate
    impact_high: FloatArray  # (S, L) ... at its highest estimate
    likelihood_position: FloatArray  # (S, L)
    likelihood_low: FloatArray  # (S, L)
    likelihood_high: FloatArray  # (S, L)


def _fill(low: FloatArray, central: FloatArray) -> FloatArray:
    return np.where(np.isnan(low), central, low)


def _level_summary(level_risk: FloatArray, how: str) -> FloatArray:
    assessed = ~np.isnan(level_risk)
    any_level = assessed.any(axis=1)
    filled = np.where(assessed, level_risk, 0.0)
    if how == "sum":
        out = filled.sum(axis=1)
    elif how == "max":
        out = np.where(assessed, level_risk, -np.inf).max(axis=1)
    else:
        counts = np.maximum(assessed.sum(axis=1), 1)
        out = filled.sum(axis=1) / counts
    return np.where(any_level, out, np.nan)


def compute(inputs: AssessmentInput, method: Method, profile: str | None = None) -> Results:
    """The whole computation for one weight profile (None: the method's default)."""
    impact = ImpactModel.of(method, profile)
    likelihood = LikelihoodModel.of(method)
    cells = aggregate(inputs)
    k = inputs.n_criteria

    crit_pos = cells.central[:, :, :k]
    values = impact.criterion_values(crit_pos)
    interest = impact.interests(values)
    direct_i = impact.total(values)
    assessed_impact = ~np.all(np.isnan(crit_pos), axis=2)
    direct_i = np.where(assessed_impact, direct_i, np.nan)
    interest = np.where(assessed_impact[:, :, None], interest, np.nan)

    lik_pos = cells.central[:, :, k]
    direct_p = likelihood.probability(lik_pos, inputs.malicious)

    ind_p = indirect_probability(direct_p, inputs.cascades)
    ind_i = indirect_impact(direct_i, inputs.cascades)
    counts = method.cascades is not None and method.cascades.include_in_risk
    if counts:
        total_p = np.where(np.isnan(direct_p), direct_p, np.minimum(1.0, direct_p + ind_p))
        total_i = np.where(np.isnan(direct_i), direct_i, direct_i + ind_i)
    else:
        total_p, total_i = direct_p, direct_i
    level_risk = total_p * total_i
    risk = _level_summary(level_risk, method.level_risk)
    rank = competition_rank(risk)
    level = np.argmax(np.where(np.isnan(level_risk), -np.inf, level_risk), axis=1)

    low_pos = _fill(cells.low[:, :, :k], crit_pos)
    high_pos = _fill(cells.high[:, :, :k], crit_pos)
    extra = ind_i if counts else 0.0
    impact_low = impact.total_position(impact.total(impact.criterion_values(low_pos)) + extra)
    impact_high = impact.total_position(impact.total(impact.criterion_values(high_pos)) + extra)
    return Results(
        method=method,
        profile_id=impact.profile_id,
        cells=cells,
        criterion_values=values,
        interest_impact=interest,
        direct_impact=direct_i,
        indirect_impact=ind_i,
        total_impact=total_i,
        direct_probability=direct_p,
        indirect_probability=ind_p,
        total_probability=total_p,
        level_risk=level_risk,
        risk=risk,
        rank=rank,
        level=level.astype(np.int64),
        impact_position=impact.total_position(total_i),
        impact_low=np.where(assessed_impact, impact_low, np.nan),
        impact_high=np.where(assessed_impact, impact_high, np.nan),
        likelihood_position=lik_pos,
        likelihood_low=_fill(cells.low[:, :, k], lik_pos),
        likelihood_high=_fill(cells.high[:, :, k], lik_pos),
    )

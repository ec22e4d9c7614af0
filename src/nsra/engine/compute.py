"""The integrated risk picture: one pure function from arrays to arrays.

``compute(inputs, method, profile)`` aggregates the analysts, converts positions into impact and
probability, adds first-order cascades where the method counts them in risk, takes the risk per
intensity level and per scenario, ranks, places every scenario in the risk diagram, reads the
classes of every position, and says which risks are serious.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nsra.engine.aggregate import Cells, aggregate
from nsra.engine.classes import ClassIndices, result_classes, serious
from nsra.engine.evaluate import RiskModel
from nsra.engine.horizon import HorizonResult, horizon_results
from nsra.engine.inputs import AssessmentInput, BoolArray, FloatArray, IntArray
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
    classes: ClassIndices  # class of every central, lowest and highest position
    serious: BoolArray  # (S,) serious risk at the level shown (nsra.engine.classes.serious)
    horizons: dict[str, HorizonResult] = field(default_factory=dict)
    """Likelihood and risk at each horizon year of the method (nsra.engine.horizon)."""

    @property
    def shown(self) -> tuple[IntArray, IntArray]:
        """Index pair ``(scenarios, levels)`` picking each scenario's shown level from an
        (S, L) array: ``results.level_risk[results.shown]``."""
        return np.arange(self.level.shape[0]), self.level


def _fill(low: FloatArray, central: FloatArray) -> FloatArray:
    return np.where(np.isnan(low), central, low)


def compute(inputs: AssessmentInput, method: Method, profile: str | None = None) -> Results:
    """The whole computation for one weight profile (None: the method's default)."""
    model = RiskModel.of(method, inputs, profile)
    cells = aggregate(inputs)
    ev = model.evaluate(cells.central)
    k = inputs.n_criteria
    impact = model.impact
    level_risk = ev.level_risk
    rank = competition_rank(ev.risk)
    level = np.argmax(np.where(np.isnan(level_risk), -np.inf, level_risk), axis=1)

    crit_pos = cells.central[:, :, :k]
    assessed_impact = ~np.isnan(ev.direct_impact)
    low_pos = _fill(cells.low[:, :, :k], crit_pos)
    high_pos = _fill(cells.high[:, :, :k], crit_pos)
    extra = ev.indirect_impact if model.cascades_in_risk else 0.0
    impact_low = impact.total_position(impact.total(impact.criterion_values(low_pos)) + extra)
    impact_high = impact.total_position(impact.total(impact.criterion_values(high_pos)) + extra)
    lik_pos = cells.central[:, :, k]
    impact_position = impact.total_position(ev.total_impact)
    classes = result_classes(
        method,
        inputs.malicious,
        (crit_pos, cells.low[:, :, :k], cells.high[:, :, :k]),
        (lik_pos, cells.low[:, :, k], cells.high[:, :, k]),
        impact_position,
    )
    at = np.arange(level.shape[0])
    diagram = method.diagram
    return Results(
        method=method,
        profile_id=impact.profile_id,
        cells=cells,
        criterion_values=ev.criterion_values,
        interest_impact=ev.interest_impact,
        direct_impact=ev.direct_impact,
        indirect_impact=ev.indirect_impact,
        total_impact=ev.total_impact,
        direct_probability=ev.direct_probability,
        indirect_probability=ev.indirect_probability,
        total_probability=ev.total_probability,
        level_risk=level_risk,
        risk=ev.risk,
        rank=rank,
        level=level.astype(np.int64),
        impact_position=impact_position,
        impact_low=np.where(assessed_impact, impact_low, np.nan),
        impact_high=np.where(assessed_impact, impact_high, np.nan),
        likelihood_position=lik_pos,
        likelihood_low=_fill(cells.low[:, :, k], lik_pos),
        likelihood_high=_fill(cells.high[:, :, k], lik_pos),
        classes=classes,
        serious=serious(
            classes.likelihood[at, level],
            classes.impact[at, level],
            diagram.serious_from,
            diagram.serious_sum_from,
        ),
        horizons=horizon_results(inputs, method, model, cells.central),
    )

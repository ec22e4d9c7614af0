"""From scale positions to impact, probability and risk: one evaluator for every analysis.

:class:`RiskModel` compiles a method once (impact aggregation, likelihood scales, the cascade
matrix) and :meth:`RiskModel.evaluate` maps positions shaped ``(..., S, L, K + 1)`` (any leading
sample axes; slot ``K`` is likelihood) to arrays shaped ``(..., S, L)`` and ``(..., S)``. The
deterministic computation evaluates the central positions; Monte Carlo, SMAA and sensitivity
analyses evaluate sampled positions with the very same code.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from nsra.engine.cascade import cascade_matrix, through
from nsra.engine.impact import ImpactModel
from nsra.engine.inputs import AssessmentInput, BoolArray, FloatArray, IntArray
from nsra.engine.likelihood import LikelihoodModel
from nsra.engine.scales import ScaleKernel
from nsra.model.method import Method


def slot_limits(method: Method, malicious: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest position per (scenario, slot) on the method's scales: arrays
    (S, K + 1), slot K being the likelihood scale of each scenario (malicious or not)."""
    crit = [ScaleKernel.of(method.scale(c.scale)) for c in method.criteria]
    lik = {
        f: ScaleKernel.of(method.scale(method.likelihood.scale_for(f).scale)) for f in (False, True)
    }
    s = malicious.shape[0]
    lo = np.empty((s, len(crit) + 1))
    hi = np.empty((s, len(crit) + 1))
    lo[:, :-1] = [k.min_position for k in crit]
    hi[:, :-1] = [k.max_position for k in crit]
    lo[:, -1] = np.where(malicious, lik[True].min_position, lik[False].min_position)
    hi[:, -1] = np.where(malicious, lik[True].max_position, lik[False].max_position)
    return lo, hi


@dataclass(frozen=True)
class PositionShift:
    """A change applied before evaluation, shaped like the positions (..., S, L, K + 1).

    ``steps`` are added to the positions (class steps; the result kept on the scale, between
    ``limits``); ``log_factor`` multiplies the numbers read from them: slot ``k < K`` the
    criterion's value (score or euros), slot ``K`` the probability (kept at most 1). Zero
    everywhere changes nothing.
    """

    steps: FloatArray
    log_factor: FloatArray

    def positions(self, positions: FloatArray, limits: tuple[FloatArray, FloatArray]) -> FloatArray:
        lo, hi = limits
        moved = np.clip(positions + self.steps, lo[:, None, :], hi[:, None, :])
        out: FloatArray = np.where(self.steps != 0, moved, positions)
        return out


def level_summary(level_risk: FloatArray, how: str) -> FloatArray:
    """Risk of a scenario from its levels' risks (last axis): mean, sum or max of assessed."""
    assessed = ~np.isnan(level_risk)
    any_level = assessed.any(axis=-1)
    filled = np.where(assessed, level_risk, 0.0)
    if how == "sum":
        out = filled.sum(axis=-1)
    elif how == "max":
        out = np.where(assessed, level_risk, -np.inf).max(axis=-1)
    else:
        out = filled.sum(axis=-1) / np.maximum(assessed.sum(axis=-1), 1)
    result: FloatArray = np.where(any_level, out, np.nan)
    return result


@dataclass(frozen=True)
class Evaluation:
    """Everything evaluated from one set of positions; shapes (..., S, L[, K or I])."""

    criterion_values: FloatArray
    interest_impact: FloatArray
    direct_impact: FloatArray
    indirect_impact: FloatArray
    total_impact: FloatArray
    direct_probability: FloatArray
    indirect_probability: FloatArray
    total_probability: FloatArray
    level_risk: FloatArray
    risk: FloatArray  # (..., S)


@dataclass(frozen=True)
class RiskModel:
    """A method and an assessment's fixed structure, compiled for evaluation."""

    method: Method
    impact: ImpactModel
    likelihood: LikelihoodModel
    malicious: BoolArray  # (S,)
    cascades: sp.csr_array  # [cause cell, effect cell]
    cascades_t: sp.csr_array  # its transpose, for indirect impact
    n_criteria: int

    @classmethod
    def of(cls, method: Method, inputs: AssessmentInput, profile: str | None = None) -> RiskModel:
        matrix = cascade_matrix(inputs.cascades, inputs.n_scenarios, inputs.n_levels)
        return cls(
            method=method,
            impact=ImpactModel.of(method, profile),
            likelihood=LikelihoodModel.of(method),
            malicious=inputs.malicious,
            cascades=matrix,
            cascades_t=matrix.T.tocsr(),
            n_criteria=inputs.n_criteria,
        )

    @property
    def cascades_in_risk(self) -> bool:
        return self.method.cascades is not None and self.method.cascades.include_in_risk

    def with_weights(self, weights: FloatArray) -> RiskModel:
        """The same model with other (normalised) criterion weights."""
        impact = dataclasses.replace(
            self.impact, weights=np.asarray(weights, dtype=float), profile_id=None
        )
        return dataclasses.replace(self, impact=impact)

    def probability(self, positions: FloatArray) -> FloatArray:
        """Probability over the time basis of likelihood positions shaped (..., S, L)."""
        lik = self.likelihood
        mal = lik.probability_on(True, positions)
        non = lik.probability_on(False, positions)
        chosen: FloatArray = np.where(self.malicious[:, None], mal, non)
        return chosen

    def restricted(self, scenarios: IntArray) -> RiskModel:
        """The model over some scenarios only (in that order), with the cascades among them."""
        n_levels = self.cascades.shape[0] // max(self.malicious.shape[0], 1)
        cells = (scenarios[:, None] * n_levels + np.arange(n_levels)).ravel()
        sub = self.cascades[cells][:, cells].tocsr()
        return dataclasses.replace(
            self, malicious=self.malicious[scenarios], cascades=sub, cascades_t=sub.T.tocsr()
        )

    @functools.cached_property
    def limits(self) -> tuple[FloatArray, FloatArray]:
        """Lowest and highest position per (scenario, slot), arrays (S, K + 1)."""
        return slot_limits(self.method, self.malicious)

    def evaluate(
        self,
        positions: FloatArray,
        weights: FloatArray | None = None,
        shift: PositionShift | None = None,
        indirect: tuple[FloatArray, FloatArray] | None = None,
    ) -> Evaluation:
        """Impact, probability and risk of positions shaped (..., S, L, K + 1).

        ``weights``: None for the model's weights, or one normalised weight vector per sample,
        shaped like the leading sample axes plus (K,): (N, K) for positions (N, S, L, K + 1).
        ``shift``: class steps and factors applied first (developments, measures).
        ``indirect``: the cascades' indirect probability and impact (S, L) to use instead of
        computing them from these positions (a scenario judged with its own changes only).
        """
        k = self.n_criteria
        if shift is not None:
            positions = shift.positions(positions, self.limits)
        crit = positions[..., :k]
        values = self.impact.criterion_values(crit)
        if shift is not None:
            values = values * np.exp(shift.log_factor[..., :k])
        w = None if weights is None else weights[..., None, None, :]
        assessed = ~np.all(np.isnan(crit), axis=-1)
        direct_i = np.where(assessed, self.impact.total(values, w), np.nan)
        interests = np.where(assessed[..., None], self.impact.interests(values, w), np.nan)
        direct_p = self.probability(positions[..., k])
        if shift is not None:
            direct_p = np.minimum(1.0, direct_p * np.exp(shift.log_factor[..., k]))
        if indirect is None:
            ind_p = through(self.cascades, direct_p)
            ind_i = through(self.cascades_t, direct_i)
        else:
            ind_p = np.broadcast_to(indirect[0], direct_p.shape)
            ind_i = np.broadcast_to(indirect[1], direct_i.shape)
        return self.combine(direct_p, direct_i, ind_p, ind_i, values, interests)

    def combine(
        self,
        direct_p: FloatArray,
        direct_i: FloatArray,
        ind_p: FloatArray,
        ind_i: FloatArray,
        values: FloatArray | None = None,
        interests: FloatArray | None = None,
    ) -> Evaluation:
        """Total probability, impact and risk from the direct and the cascades' indirect ones
        (all shaped (..., S, L)); ``values`` and ``interests`` are carried along (empty when
        None: a caller that combined direct quantities itself has none)."""
        if self.cascades_in_risk:
            total_p = np.where(np.isnan(direct_p), direct_p, np.minimum(1.0, direct_p + ind_p))
            total_i = np.where(np.isnan(direct_i), direct_i, direct_i + ind_i)
        else:
            total_p, total_i = direct_p, direct_i
        level_risk = total_p * total_i
        empty = np.zeros((*direct_p.shape, 0))
        return Evaluation(
            criterion_values=empty if values is None else values,
            interest_impact=empty if interests is None else interests,
            direct_impact=direct_i,
            indirect_impact=ind_i,
            total_impact=total_i,
            direct_probability=direct_p,
            indirect_probability=ind_p,
            total_probability=total_p,
            level_risk=level_risk,
            risk=level_summary(level_risk, self.method.level_risk),
        )

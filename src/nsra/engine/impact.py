"""Impact: criterion positions -> numbers -> per interest -> total, by the method's aggregation.

Kernels take positions shaped (..., K) and return arrays; :class:`ImpactModel` compiles a method
once (weights, membership of criteria in interests, scale functions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.inputs import FloatArray
from nsra.engine.scales import ScaleKernel, exponential_value
from nsra.model.method import Method


def normalised(weights: FloatArray) -> FloatArray:
    """Weights scaled to sum to one."""
    total = float(np.sum(weights))
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    return np.asarray(weights, dtype=float) / total


def scores_of_positions(positions: FloatArray, scores: FloatArray, first_index: int) -> FloatArray:
    """Class scores, interpolated linearly between classes; NaN stays NaN."""
    xs = np.arange(first_index, first_index + scores.shape[0], dtype=float)
    out = np.interp(positions, xs, scores)
    return np.where(np.isnan(positions), np.nan, out)


def positions_of_scores(values: FloatArray, scores: FloatArray, first_index: int) -> FloatArray:
    """Inverse of :func:`scores_of_positions` for a strictly rising score list."""
    xs = np.arange(first_index, first_index + scores.shape[0], dtype=float)
    return np.interp(values, scores, xs)


def weighted_total(values: FloatArray, weights: FloatArray, renormalise: bool) -> FloatArray:
    """Sum of weight x value over the last axis; NaN (not assessed) counts as 0.

    ``weights`` is one vector (K,) or one per row, broadcastable against ``values`` (..., K).
    With ``renormalise`` the weights are rescaled over the assessed criteria of each row
    (a weighted average of what was assessed).
    """
    assessed = ~np.isnan(values)
    filled = np.where(assessed, values, 0.0)
    one = weights.ndim == 1
    total = filled @ weights if one else (filled * weights).sum(axis=-1)
    if not renormalise:
        return total
    mass = assessed @ weights if one else (assessed * weights).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mass > 0, total / np.where(mass > 0, mass, 1.0), 0.0)


@dataclass(frozen=True)
class ImpactModel:
    """A method's impact aggregation, compiled."""

    method: Method
    weights: FloatArray  # (K,), normalised; ones for a monetised method
    membership: FloatArray  # (K, I): 1 where criterion k belongs to interest i
    total_scale: ScaleKernel
    profile_id: str | None

    @classmethod
    def of(cls, method: Method, profile_id: str | None = None) -> ImpactModel:
        criteria = method.criteria
        interests = [i.id for i in method.interests]
        membership = np.zeros((len(criteria), len(interests)))
        for k, c in enumerate(criteria):
            membership[k, interests.index(c.interest)] = 1.0
        profile = method.profile(profile_id)
        if method.aggregation.kind == "monetised" or profile is None:
            weights = np.ones(len(criteria))
        else:
            weights = normalised(np.array([profile.weights.get(c.id, 0.0) for c in criteria]))
        return cls(
            method=method,
            weights=weights,
            membership=membership,
            total_scale=ScaleKernel.of(method.scale(method.aggregation.total_scale)),
            profile_id=profile.id if profile is not None else None,
        )

    @property
    def monetised(self) -> bool:
        return self.method.aggregation.kind == "monetised"

    def criterion_values(self, positions: FloatArray) -> FloatArray:
        """Number of each criterion (score or euros) at positions shaped (..., K)."""
        agg = self.method.aggregation
        if agg.monetisation is not None and self.monetised:
            f = agg.monetisation
            out = exponential_value(positions, f.factor, f.base, f.threshold, f.threshold_value)
            return np.where(np.isnan(positions), np.nan, out)
        assert agg.scores is not None
        first = self.method.scale(self.method.criteria[0].scale).first_index
        return scores_of_positions(positions, np.asarray(agg.scores, dtype=float), first)

    def contributions(self, values: FloatArray, weights: FloatArray | None = None) -> FloatArray:
        """Weighted contribution of each criterion to the total, NaN -> 0, shape (..., K).

        ``weights``: None for the model's own, or per-row weights broadcastable to (..., K).
        """
        w = self.weights if weights is None else weights
        assessed = ~np.isnan(values)
        filled = np.where(assessed, values, 0.0) * w
        if self.method.aggregation.kind != "weighted_average":
            return filled
        mass = (assessed * w).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(mass > 0, 1.0 / np.where(mass > 0, mass, 1.0), 0.0)
        return filled * scale[..., None]

    def interests(self, values: FloatArray, weights: FloatArray | None = None) -> FloatArray:
        """Impact per interest, shape (..., I); interests sum to the total."""
        return self.contributions(values, weights) @ self.membership

    def total(self, values: FloatArray, weights: FloatArray | None = None) -> FloatArray:
        """Total impact, shape (...); ``weights`` as in :meth:`contributions`."""
        return weighted_total(
            values,
            self.weights if weights is None else weights,
            self.method.aggregation.kind == "weighted_average",
        )

    def total_position(self, total: FloatArray) -> FloatArray:
        """Position of a total impact on the method's aggregated impact scale."""
        if self.monetised:
            pos = self.total_scale.position(np.maximum(total, 0.0))
            return np.clip(pos, 0.0, self.total_scale.max_position)
        scores = self.method.aggregation.scores
        assert scores is not None
        return positions_of_scores(
            total, np.asarray(scores, dtype=float), self.total_scale.first_index
        )

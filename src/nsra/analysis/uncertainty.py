"""Uncertainty propagation by Monte Carlo: class ranges and the analysts' disagreement.

Sampling, evaluation and summarising are separate steps (SALib, R ``smaa``):

1. :func:`position_sampler` describes the uncertain inputs once: for every cell (scenario,
   level, criterion or likelihood) the interval on the continuous class scale from the lowest
   estimate any analyst gave to the highest (a class ``k`` stands for any position in
   ``[k - 0.5, k + 0.5]``; a range ``C..D`` for both classes; a value or a scale position on a
   continuous method stands for itself; a consensus widens the interval if it lies outside).
   Drawing uniformly on positions is log-uniform inside a class on logarithmic
   scales (each class a factor 10) and uniform on linear ones; ``triangular`` puts the mode on
   the central value (the consensus or the analysts' median).
2. :meth:`nsra.engine.evaluate.RiskModel.evaluate` turns sampled positions into impact,
   probability and risk - the same code as the deterministic computation.
3. :func:`propagate` runs both in seeded blocks (:mod:`nsra.analysis.chunks`) and summarises:
   per scenario the 5/50/95% intervals of impact, likelihood, risk and rank.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from nsra.analysis.chunks import Plan, Progress, run_blocks
from nsra.engine.aggregate import Cells
from nsra.engine.evaluate import RiskModel, slot_limits
from nsra.engine.inputs import AssessmentInput, FloatArray, IntArray
from nsra.engine.ranking import competition_ranks
from nsra.model.method import Method

Distribution = Literal["uniform", "triangular"]
DISTRIBUTIONS: tuple[Distribution, ...] = get_args(Distribution)
"""How a value is drawn within its interval: uniformly, or triangular around the central one."""
QUANTILES = (0.05, 0.5, 0.95)
DEFAULT_SAMPLES = 10_000


@dataclass(frozen=True)
class PositionSampler:
    """Independent draws per cell between ``low`` and ``high`` (arrays (S, L, K + 1))."""

    low: FloatArray
    high: FloatArray
    mode: FloatArray
    distribution: Distribution = "uniform"

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        """Positions shaped (n, S, L, K + 1); cells nobody estimated stay NaN."""
        u = rng.random((n, *self.low.shape))
        width = self.high - self.low
        if self.distribution == "uniform":
            out: FloatArray = self.low + u * width
            return out
        # inverse CDF of the triangular distribution on [low, high] with the given mode
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.where(width > 0, (self.mode - self.low) / np.where(width > 0, width, 1), 0.5)
        left = self.low + np.sqrt(u * c) * width
        right = self.high - np.sqrt((1 - u) * (1 - c)) * width
        tri: FloatArray = np.where(u < c, left, right)
        return tri


def position_sampler(
    inputs: AssessmentInput,
    method: Method,
    cells: Cells,
    distribution: Distribution = "uniform",
) -> PositionSampler:
    """The uncertain inputs of an assessment: class intervals of the analysts' spread."""
    lo_lim, hi_lim = slot_limits(method, inputs.malicious)
    lo_lim, hi_lim = lo_lim[:, None, :], hi_lim[:, None, :]
    low = np.clip(cells.edge_low, lo_lim, hi_lim)
    high = np.clip(cells.edge_high, lo_lim, hi_lim)
    mode = np.clip(cells.central, low, high)
    return PositionSampler(low=low, high=high, mode=mode, distribution=distribution)


@dataclass(frozen=True)
class Intervals:
    """Quantiles per scenario, shape (Q, S), for the quantile levels of the analysis."""

    risk: FloatArray
    rank: FloatArray
    impact: FloatArray
    probability: FloatArray
    impact_position: FloatArray
    likelihood_position: FloatArray


@dataclass(frozen=True)
class UncertaintyResult:
    """Monte Carlo intervals, with the options and the seed the analysis ran with."""

    samples: int
    seed: int
    distribution: Distribution
    quantiles: tuple[float, ...]
    intervals: Intervals
    rank_changes: FloatArray  # (S,) share of samples whose rank differs from the central rank
    options: dict[str, Any] = field(default_factory=dict)


def _block(
    model: RiskModel,
    sampler: PositionSampler,
    level: IntArray,
    b: int,
    n: int,
    rng: np.random.Generator,
) -> dict[str, FloatArray]:
    """Evaluate one block of samples; keep per-sample values at each scenario's shown level."""
    del b
    positions = sampler.sample(n, rng)
    ev = model.evaluate(positions)
    idx = np.arange(level.shape[0])
    impact = ev.total_impact[:, idx, level]
    return {
        "risk": ev.risk,
        "rank": competition_ranks(ev.risk).astype(float),
        "impact": impact,
        "probability": ev.total_probability[:, idx, level],
        "impact_position": model.impact.total_position(impact),
        "likelihood_position": positions[:, idx, level, model.n_criteria],
    }


def propagate(
    model: RiskModel,
    sampler: PositionSampler,
    level: IntArray,
    central_rank: IntArray,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    quantiles: tuple[float, ...] = QUANTILES,
    executor: Any = None,
    progress: Progress | None = None,
) -> UncertaintyResult:
    """Monte Carlo intervals of impact, likelihood, risk and rank per scenario.

    ``level`` (S,) is the intensity level shown per scenario (the deterministic result's);
    ``central_rank`` (S,) the deterministic rank, to count how often a scenario changes rank.
    """
    work = functools.partial(_block, model, sampler, level)
    kwargs: dict[str, Any] = {"executor": executor}
    if progress is not None:
        kwargs["progress"] = progress
    parts = run_blocks(work, Plan(samples, block=_block_size(sampler)), seed, **kwargs)
    joined = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    q = np.asarray(quantiles)

    def qs(a: FloatArray) -> FloatArray:
        out: FloatArray = np.nanquantile(a, q, axis=0) if a.size else np.zeros((len(q), 0))
        return out

    ranks = joined["rank"]
    changed = np.mean(ranks != central_rank[None, :], axis=0)
    return UncertaintyResult(
        samples=samples,
        seed=seed,
        distribution=sampler.distribution,
        quantiles=tuple(quantiles),
        intervals=Intervals(
            risk=qs(joined["risk"]),
            rank=qs(ranks),
            impact=qs(joined["impact"]),
            probability=qs(joined["probability"]),
            impact_position=qs(joined["impact_position"]),
            likelihood_position=qs(joined["likelihood_position"]),
        ),
        rank_changes=changed,
    )


def _block_size(sampler: PositionSampler) -> int:
    """Samples per block: about 4 million cells at most, so memory stays bounded."""
    cells = max(int(np.prod(sampler.low.shape)), 1)
    return int(max(16, min(4096, 4_000_000 // cells)))

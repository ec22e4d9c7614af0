"""Cascade impact statistics as the BNRA defines them: event graphs forced to start at each
risk and level (the BNRA application's ``simulateRiskScenario`` and impact statistics).

For every risk ``r`` and level ``l`` (every cell), ``N`` event graphs start at ``(r, l)`` and
grow under the same rules as the year simulation (:func:`nsra.analysis.cascade_sim.grow`: the
cap on graph size, the pass rules); a graph rooted at an actor is drawn on the condition that
it triggers at least one effect (the application redraws until it does). The total impact of a
graph is the direct impact of every node summed; with the method's impact noise
(:class:`nsra.model.method.ImpactNoise`) each node's impact per indicator is first rounded and
noised (:func:`nsra.engine.impact_noise.noisy_euros`). Every cell gets a figure, unlike the
impacts of the year simulation, which exist only where an event happened to start.

Cells are processed in blocks of :data:`CELLS_PER_BLOCK` with the seeded streams of
:mod:`nsra.analysis.chunks`: a seeded result is the same on any executor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from nsra.analysis.cascade_sim import CascadeCatalogue, grow
from nsra.analysis.chunks import Plan, Progress, run_blocks
from nsra.engine.impact_noise import rounded_position
from nsra.engine.inputs import FloatArray
from nsra.engine.scales import exponential_value
from nsra.model.method import ExponentialFunction, ImpactNoise, Method

CELLS_PER_BLOCK = 16
"""Cells (risk, level) per block. Part of the definition of a seeded result."""

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantiles of total impact per cell (numpy's default, linear interpolation; the median
of an even sample is the mean of the two middle values, as in the application)."""

SEED_OFFSET = 1
"""Forced-start graphs draw from the streams of ``seed + SEED_OFFSET``, apart from the year
simulation's streams of ``seed``."""


@dataclass(frozen=True)
class Noise:
    """The impact noise with the scale it works on."""

    rule: ImpactNoise
    function: ExponentialFunction


@dataclass(frozen=True)
class ForcedStartStats:
    """Total impact of ``graphs`` forced-start event graphs per cell: ``R`` risks, ``L``
    levels, ``Q`` quantiles."""

    graphs: int
    seed: int
    noise: bool
    quantiles: tuple[float, ...]
    impact_mean: FloatArray  # (R, L)
    impact_quantiles: FloatArray  # (Q, R, L)
    nodes_mean: FloatArray  # (R, L) mean number of nodes of a graph
    nodes_max: np.ndarray[Any, np.dtype[np.int64]]  # (R, L) largest graph

    def quantile(self, q: float) -> FloatArray:
        """The (R, L) impact quantile ``q`` (one of :attr:`quantiles`)."""
        out: FloatArray = self.impact_quantiles[self.quantiles.index(q)]
        return out

    @property
    def impact_median(self) -> FloatArray:
        return self.quantile(0.5)


@dataclass(frozen=True)
class _Part:
    cells: np.ndarray[Any, np.dtype[np.int64]]
    mean: FloatArray  # (C,)
    quantiles: FloatArray  # (Q, C)
    nodes_mean: FloatArray
    nodes_max: np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class _Positions:
    """The rounded positions of every positive indicator impact, grouped by cell (risk x
    levels + level): those of cell ``c`` are ``at[start[c]:start[c] + count[c]]`` in indicator
    order. They depend on the estimates only: computed once per analysis."""

    at: FloatArray
    start: np.ndarray[Any, np.dtype[np.int64]]
    count: np.ndarray[Any, np.dtype[np.int64]]

    @classmethod
    def of(cls, per_indicator: FloatArray, noise: Noise) -> _Positions:
        flat = per_indicator.reshape(per_indicator.shape[0] * per_indicator.shape[1], -1)
        positive = flat > 0
        at = rounded_position(flat[positive], noise.function, noise.rule.round_to)
        count = positive.sum(axis=1).astype(np.int64)
        return cls(at, np.cumsum(count) - count, count)


def _noisy_node_impact(
    cell: np.ndarray[Any, np.dtype[np.int64]],
    positions: _Positions,
    noise: Noise,
    rng: np.random.Generator,
) -> FloatArray:
    """Per node (of cell ``cell``) the sum over its indicators of the rounded, noised impact:
    one normal draw per (node, positive indicator), in node then indicator order, all at
    once."""
    n = positions.count[cell]
    ends = np.cumsum(n)
    total = int(ends[-1]) if ends.size else 0
    pair = np.repeat(positions.start[cell] - ends + n, n)
    pair += np.arange(total)
    s = np.maximum(
        positions.at[pair] + noise.rule.sd * rng.standard_normal(total), noise.rule.floor
    )
    f = noise.function
    euros = exponential_value(s, f.factor, f.base, f.threshold, f.threshold_value)
    node = np.repeat(np.arange(cell.size), n)
    return cast(FloatArray, np.bincount(node, weights=euros, minlength=cell.size))


def _block(
    catalogue: CascadeCatalogue,
    graphs: int,
    noise: Noise | None,
    positions: _Positions | None,
    b: int,
    n_cells: int,
    rng: np.random.Generator,
) -> _Part:
    n_levels = catalogue.n_levels
    cells = np.arange(b * CELLS_PER_BLOCK, b * CELLS_PER_BLOCK + n_cells, dtype=np.int64)
    root = np.repeat(cells, graphs)
    risk, level = root // n_levels, root % n_levels
    event, node_risk, node_level, _ = grow(catalogue, risk, level, catalogue.actor[risk], rng)
    cell = node_risk * n_levels + node_level
    if noise is None or positions is None:
        impact = catalogue.direct_impact.reshape(-1)[cell]
    else:
        impact = _noisy_node_impact(cell, positions, noise, rng)
    total = np.bincount(event, weights=impact, minlength=root.shape[0]).reshape(n_cells, graphs)
    size = np.bincount(event, minlength=root.shape[0]).reshape(n_cells, graphs)
    qs = np.quantile(total, QUANTILES, axis=1)
    return _Part(cells, total.mean(axis=1), qs, size.mean(axis=1), size.max(axis=1))


def _quiet(done: int, total: int) -> None:
    return None


def forced_start(
    catalogue: CascadeCatalogue,
    graphs: int,
    seed: int,
    noise: Noise | None = None,
    executor: Any = None,
    *,
    progress: Progress = _quiet,
) -> ForcedStartStats:
    """``graphs`` forced-start event graphs per risk and level; ``noise``: the BNRA's impact
    noise (None: the direct impacts as estimated)."""
    if graphs < 1:
        raise ValueError(f"draw at least one graph per cell, got {graphs}")
    n_risks, n_levels = catalogue.n_risks, catalogue.n_levels
    catalogue.links  # compile once, before the catalogue is shipped to workers  # noqa: B018
    catalogue.triggers  # noqa: B018
    positions = None
    if noise is not None and catalogue.indicator_impact is not None:
        positions = _Positions.of(catalogue.indicator_impact, noise)
    plan = Plan(n_risks * n_levels, CELLS_PER_BLOCK)
    work = functools.partial(_block, catalogue, graphs, noise, positions)
    parts = run_blocks(work, plan, seed + SEED_OFFSET, executor=executor, progress=progress)
    shape = (n_risks, n_levels)
    return ForcedStartStats(
        graphs=graphs,
        seed=seed,
        noise=noise is not None,
        quantiles=QUANTILES,
        impact_mean=np.concatenate([p.mean for p in parts]).reshape(shape),
        impact_quantiles=np.concatenate([p.quantiles for p in parts], axis=1).reshape(
            len(QUANTILES), *shape
        ),
        nodes_mean=np.concatenate([p.nodes_mean for p in parts]).reshape(shape),
        nodes_max=np.concatenate([p.nodes_max for p in parts]).reshape(shape),
    )


def method_noise(m: Method) -> Noise | None:
    """The impact noise of a method (None where it has none)."""
    rule = m.cascades.simulation.impact_noise if m.cascades else None
    if rule is None:
        return None
    f = m.scale(rule.scale).function
    if not isinstance(f, ExponentialFunction):
        return None
    return Noise(rule, f)

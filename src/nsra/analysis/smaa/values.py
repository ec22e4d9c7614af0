"""A sampler of uncertain values for SMAA: uniform draws between bounds, then a transform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nsra.engine.inputs import BoolArray, FloatArray


@dataclass(frozen=True, eq=False)
class RangeValues:
    """Values drawn uniformly between ``low`` and ``high`` per cell, then ``transform``-ed.

    ``low`` and ``high`` have any shape (scenarios x criteria for values, scenarios for
    probabilities); ``sample(n, rng)`` returns (n, *shape). Only cells with ``low < high`` take
    draws, unless at least a third of the cells do: then every cell takes one (faster than
    scattering), and a fixed cell stays exactly at its value. In nsra the bounds are class
    *positions* (a class range ``C..D`` is 3..4) and the transform is the method's scale, e.g.
    ``ImpactModel.criterion_values``, so that a logarithmic scale gives a log-uniform value, as in
    the Monte Carlo of class ranges.
    """

    low: FloatArray
    high: FloatArray
    transform: Callable[[FloatArray], FloatArray] | None = None
    _cells: BoolArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lo = np.asarray(self.low, dtype=float)
        hi = np.asarray(self.high, dtype=float)
        if lo.shape != hi.shape:
            raise ValueError(f"low {lo.shape} and high {hi.shape} must have the same shape")
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)) or np.any(hi < lo):
            raise ValueError("every range needs low <= high, without NaN")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)
        object.__setattr__(self, "_cells", hi > lo)

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        lo, hi = self.low.ravel(), self.high.ravel()
        size = lo.shape[0]
        m = int(self._cells.sum())
        if 3 * m >= size:  # mostly uncertain: one draw per cell is faster than scattering
            out = rng.random((n, size))
            out *= hi - lo
            out += lo
        else:
            out = np.empty((n, size))
            out[:] = lo
            if m:
                cells = np.flatnonzero(self._cells.ravel())
                u = rng.random((n, m))
                u *= hi[cells] - lo[cells]
                u += lo[cells]
                out[:, cells] = u
        out = out.reshape(n, *self.low.shape)
        return out if self.transform is None else np.asarray(self.transform(out), dtype=float)

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


# -- streaming driver --------------------------------------------------------------------------

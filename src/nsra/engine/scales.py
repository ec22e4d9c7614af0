"""Where a class scale position becomes a number, and a number becomes a position.

Kernels are vectorised numpy functions; :class:`ScaleKernel` compiles a
:class:`~nsra.model.method.ClassScale` once and wraps them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nsra.model.method import ClassScale, ExponentialFunction, IntervalFunction

FloatArray = NDArray[np.float64]


# -- kernels ----------------------------------------------------------------------------------
def class_of_position(s: ArrayLike, first_index: int, n_classes: int) -> NDArray[np.int64]:
    """Class index of positions: ``floor(s + 0.5)``, clamped to the scale."""
    k = np.floor(np.asarray(s, dtype=float) + 0.5)
    return np.clip(k, first_index, first_index + n_classes - 1).astype(np.int64)


def exponential_value(
    s: ArrayLike, factor: float, base: float, threshold: float | None, at_threshold: float
) -> FloatArray:
    """``factor * base ** s`` above the threshold, linear from 0 to ``at_threshold`` below."""
    x = np.asarray(s, dtype=float)
    q: FloatArray = factor * np.power(base, x)
    if threshold is None or threshold == 0:
        return q
    out: FloatArray = np.where(x > threshold, q, at_threshold * np.clip(x, 0.0, None) / threshold)
    return out


def exponential_position(
    q: ArrayLike, factor: float, base: float, threshold: float | None, at_threshold: float
) -> FloatArray:
    """Inverse of :func:`exponential_value`."""
    v = np.asarray(q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s: FloatArray = np.log(v / factor) / np.log(base)
        if threshold is None or threshold == 0:
            return s
        if base > 1:  # values in the jump between the linear part and the curve: on the threshold
            s = np.maximum(s, threshold)
        out: FloatArray = np.where(v > at_threshold, s, threshold * v / at_threshold)
        return out


def interval_breakpoints(first_index: int, n_classes: int) -> FloatArray:
    """Positions where classes start and end: class k spans [k-0.5, k+0.5], never below 0."""
    ks = np.arange(first_index, first_index + n_classes + 1, dtype=float) - 0.5
    out: FloatArray = np.clip(ks, 0.0, None)
    return out


def interval_value(s: ArrayLike, xs: FloatArray, qs: FloatArray, log: bool) -> FloatArray:
    """Quantity at positions ``s``: piecewise between bounds ``qs`` at breakpoints ``xs``.

    Inside a segment the quantity is linear in ``s``, or linear in ``log(q)`` when ``log`` and
    the segment's lower bound is positive.
    """
    x = np.clip(np.asarray(s, dtype=float), xs[0], xs[-1])
    j = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
    lo, hi = qs[j], qs[j + 1]
    t = (x - xs[j]) / (xs[j + 1] - xs[j])
    linear: FloatArray = lo + (hi - lo) * t
    if not log:
        return linear
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = lo * np.power(hi / lo, t)
    out: FloatArray = np.where(lo > 0, geometric, linear)
    return out


def interval_position(q: ArrayLike, xs: FloatArray, qs: FloatArray, log: bool) -> FloatArray:
    """Inverse of :func:`interval_value`; a quantity on a bound belongs to the lower class."""
    v = np.clip(np.asarray(q, dtype=float), qs[0], qs[-1])
    j = np.clip(np.searchsorted(qs[1:], v, side="left"), 0, len(xs) - 2)
    lo, hi = qs[j], qs[j + 1]
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(width > 0, (v - lo) / np.where(width > 0, width, 1.0), 0.0)
        if log:
            t_log = np.log(v / lo) / np.log(hi / lo)
            t = np.where((lo > 0) & (width > 0), t_log, t)
    out: FloatArray = xs[j] + t * (xs[j + 1] - xs[j])
    return out


# -- thin object ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScaleKernel:
    """A compiled class scale: positions <-> quantities, values -> classes."""

    scale: ClassScale
    breakpoints: FloatArray
    bounds: FloatArray | None

    @classmethod
    def of(cls, scale: ClassScale) -> ScaleKernel:
        xs = interval_breakpoints(scale.first_index, len(scale.classes))
        bounds: FloatArray | None = None
        if isinstance(scale.function, IntervalFunction):
            lowers = [c.lower for c in scale.classes]
            uppers = [c.upper for c in scale.classes]
            bounds = np.array([lowers[0], *uppers], dtype=float)
        return cls(scale=scale, breakpoints=xs, bounds=bounds)

    @property
    def first_index(self) -> int:
        return self.scale.first_index

    @property
    def n_classes(self) -> int:
        return len(self.scale.classes)

    @property
    def min_position(self) -> float:
        """Lowest position: 0 on exponential scales (which run on below the first class)."""
        if isinstance(self.scale.function, ExponentialFunction):
            return 0.0
        return float(self.breakpoints[0])

    @property
    def max_position(self) -> float:
        return float(self.scale.top_position)

    def classes(self, s: ArrayLike) -> NDArray[np.int64]:
        return class_of_position(s, self.first_index, self.n_classes)

    def value(self, s: ArrayLike) -> FloatArray:
        """The scale function's quantity at positions ``s``."""
        f = self.scale.function
        if isinstance(f, ExponentialFunction):
            return exponential_value(s, f.factor, f.base, f.threshold, f.threshold_value)
        if isinstance(f, IntervalFunction) and self.bounds is not None:
            return interval_value(s, self.breakpoints, self.bounds, f.interpolation == "log")
        raise ValueError(f"scale {self.scale.id} has no function to read positions with")

    def position(self, q: ArrayLike) -> FloatArray:
        """Inverse of :meth:`value`."""
        f = self.scale.function
        if isinstance(f, ExponentialFunction):
            return exponential_position(q, f.factor, f.base, f.threshold, f.threshold_value)
        if isinstance(f, IntervalFunction) and self.bounds is not None:
            return interval_position(q, self.breakpoints, self.bounds, f.interpolation == "log")
        raise ValueError(f"scale {self.scale.id} has no function to read positions with")

    def class_of_value(self, v: float) -> int | None:
        """Index of the class whose bounds hold ``v`` (lower bound exclusive except for the
        first class, upper inclusive), or None when ``v`` lies outside every class."""
        for i, c in enumerate(self.scale.classes):
            lower = -np.inf if c.lower is None else c.lower
            upper = np.inf if c.upper is None else c.upper
            if (lower < v or (i == 0 and v == lower)) and v <= upper:
                return i + self.first_index
            if i == 0 and lower == upper == v:
                return i + self.first_index
        return None

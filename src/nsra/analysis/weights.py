"""Samplers of criterion weights on the simplex, for SMAA and other robustness analyses.

A weight vector has ``k`` non-negative entries that add up to one. Every sampler here is a small
frozen dataclass with one method, ``sample(n, rng) -> (n, k)``, also available as a plain call
(``sampler(n, rng)``), so it can be handed to :func:`nsra.analysis.smaa.smaa` or to any Monte
Carlo loop. All draws come from the generator passed in: the same generator state gives the same
weights. Each sampler is *exact*: it draws uniformly from its region of the simplex.

* :class:`UniformWeights`: no preference information; Dirichlet(1, ..., 1), drawn as normalised
  standard exponentials.
* :class:`OrdinalWeights`: a ranking of the criteria, possibly with groups of equally ranked
  criteria (``[[2], [0, 3], [1]]``: criterion 2 weighs at least as much as 0 and 3, which each
  weigh at least as much as 1; 0 and 3 in either order). The standard trick: draw uniform
  weights, sort them in decreasing order and hand them out in ranking order, shuffling within a
  group.
* :class:`PartialOrderWeights`: any set of "at least as important as" statements between pairs
  of criteria (a partial order). Uniform over the region by drawing a uniformly random ranking
  that is consistent with the statements (dynamic programming over the sets of criteria already
  placed, up to 20 criteria) and handing out sorted uniform weights in that order.
* :class:`IntervalWeights`: a lower and an upper bound per weight. Exact uniform sampling by
  rejection: the acceptance rate is computed exactly beforehand (inclusion-exclusion), and a
  region too small to sample by rejection is refused with a clear message.
* :class:`FixedWeights`: one weight vector, repeated (a degenerate sampler, handy in tests and to
  run SMAA code paths for a single weight profile).

Criteria are referred to by their index ``0 .. k-1`` (the order of ``method.criteria``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from nsra.engine.inputs import FloatArray, IntArray

MAX_PARTIAL_ORDER_CRITERIA = 20
"""Most criteria :class:`PartialOrderWeights` accepts (its table has up to 2^k rows)."""


class WeightSampler(Protocol):
    """Anything that draws ``n`` weight vectors of ``k`` criteria from a generator."""

    @property
    def k(self) -> int: ...

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray: ...

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray: ...


def uniform_simplex(n: int, k: int, rng: np.random.Generator) -> FloatArray:
    """``n`` points drawn uniformly on the simplex of ``k`` weights (Dirichlet(1)), shape (n, k)."""
    _check_n(n)
    e = rng.standard_exponential((n, k))
    e /= e.sum(axis=1, keepdims=True)
    return e


def sorted_uniform_simplex(n: int, k: int, rng: np.random.Generator) -> FloatArray:
    """Uniform simplex points with each row sorted in decreasing order, shape (n, k)."""
    w = uniform_simplex(n, k, rng)
    w.sort(axis=1)
    return np.ascontiguousarray(w[:, ::-1])


@dataclass(frozen=True)
class UniformWeights:
    """Uniform weights over the whole simplex: no preference information at all."""

    k: int

    def __post_init__(self) -> None:
        _check_k(self.k)

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        return uniform_simplex(n, self.k, rng)

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


@dataclass(frozen=True)
class FixedWeights:
    """The same weight vector in every sample (normalised to sum to one)."""

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        _check_k(w.shape[0])
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(
                f"fixed weights must be finite, non-negative and not all zero; got {list(w)}"
            )
        object.__setattr__(self, "weights", tuple(float(x) for x in w / w.sum()))

    @property
    def k(self) -> int:
        return len(self.weights)

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        _check_n(n)
        return np.tile(np.asarray(self.weights, dtype=float), (n, 1))

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


@dataclass(frozen=True)
class OrdinalWeights:
    """Uniform weights that respect a ranking of the criteria, with ties allowed.

    ``ranking`` lists groups from the most to the least important; every criterion appears in
    exactly one group. A criterion weighs at least as much as every criterion of a later group;
    the criteria of one group are not ordered among themselves (any order is allowed, not equal
    weights). ``OrdinalWeights.of([2, [0, 3], 1], k=4)`` accepts plain indices for single groups.

    Sampling: sorted uniform weights (decreasing) handed out in ranking order, with a fresh random
    order inside each group. The region is the union of the orderings consistent with the
    ranking, all of equal volume, so this is uniform on it.
    """

    k: int
    ranking: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, ranking: Sequence[int | Sequence[int]], k: int | None = None) -> OrdinalWeights:
        groups = tuple(
            (int(g),) if isinstance(g, int | np.integer) else tuple(int(c) for c in g)
            for g in ranking
        )
        size = sum(len(g) for g in groups) if k is None else k
        return cls(k=size, ranking=groups)

    def __post_init__(self) -> None:
        _check_k(self.k)
        seen: list[int] = []
        for g, group in enumerate(self.ranking):
            if not group:
                raise ValueError(f"group {g + 1} of the ranking of criteria is empty")
            for c in group:
                _check_index(c, self.k, "the ranking of criteria")
                if c in seen:
                    raise ValueError(f"the ranking of criteria names criterion {c} twice")
                seen.append(c)
        missing = sorted(set(range(self.k)) - set(seen))
        if missing:
            raise ValueError(
                f"criteria {missing} are missing from the ranking: every criterion needs a "
                "place (use PartialOrderWeights to rank only some of them)"
            )

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        s = sorted_uniform_simplex(n, self.k, rng)
        target = np.empty((n, self.k), dtype=np.int64)
        start = 0
        for group in self.ranking:
            members = np.asarray(group, dtype=np.int64)
            m = members.shape[0]
            if m == 1:
                target[:, start] = members[0]
            else:
                target[:, start : start + m] = members[np.argsort(rng.random((n, m)), axis=1)]
            start += m
        w = np.empty_like(s)
        np.put_along_axis(w, target, s, axis=1)
        return w

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


@dataclass(frozen=True)
class PartialOrderWeights:
    """Uniform weights subject to statements "criterion a weighs at least as much as b".

    ``at_least`` holds pairs ``(a, b)`` meaning ``w_a >= w_b``; criteria in no pair are free.
    The statements must not contradict each other (no cycle such as a >= b >= a).

    Sampling: every ordering of the criteria that is consistent with the statements (a *linear
    extension* of the partial order) is an ordered cone of the simplex, all of the same volume,
    so a uniformly random consistent ordering followed by sorted uniform weights is uniform on
    the region. Consistent orderings are drawn exactly: a table counts, for every set of criteria
    that can be placed first, the orderings of the rest, and each next criterion is chosen with
    probability proportional to that count.
    """

    k: int
    at_least: tuple[tuple[int, int], ...]
    _keys: IntArray = field(init=False, repr=False, compare=False)
    _counts: FloatArray = field(init=False, repr=False, compare=False)
    _preds: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_k(self.k)
        pairs = tuple((int(a), int(b)) for a, b in self.at_least)
        object.__setattr__(self, "at_least", pairs)
        for a, b in pairs:
            _check_index(a, self.k, "the statements of importance")
            _check_index(b, self.k, "the statements of importance")
            if a == b:
                raise ValueError(f"a statement compares criterion {a} with itself")
        if self.k > MAX_PARTIAL_ORDER_CRITERIA:
            raise ValueError(
                f"a partial order of {self.k} criteria is more than this sampler handles "
                f"({MAX_PARTIAL_ORDER_CRITERIA} at most); group criteria into a ranking "
                "(OrdinalWeights) instead"
            )
        preds = np.zeros(self.k, dtype=np.int64)
        for a, b in pairs:
            preds[b] |= np.int64(1) << np.int64(a)
        keys, counts = _linear_extension_table(self.k, preds)
        if counts[0] == 0:
            raise ValueError(
                "the statements of importance contradict each other (they contain a cycle, "
                "such as a >= b and b >= a with a different weight implied)"
            )
        object.__setattr__(self, "_preds", preds)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(self, "_counts", counts)

    @property
    def orderings(self) -> int:
        """How many orderings of the criteria are consistent with the statements."""
        return round(float(self._counts[0]))

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        s = sorted_uniform_simplex(n, self.k, rng)
        if not self.at_least:
            target = np.argsort(rng.random((n, self.k)), axis=1)
        else:
            target = self._orderings(n, rng)
        w = np.empty_like(s)
        np.put_along_axis(w, target, s, axis=1)
        return w

    def _orderings(self, n: int, rng: np.random.Generator) -> IntArray:
        k = self.k
        bits = np.int64(1) << np.arange(k, dtype=np.int64)
        placed = np.zeros(n, dtype=np.int64)
        target = np.empty((n, k), dtype=np.int64)
        last = self._keys.shape[0] - 1
        for t in range(k):
            child = placed[:, None] | bits[None, :]
            free = (placed[:, None] & bits[None, :]) == 0
            ready = (self._preds[None, :] & ~placed[:, None]) == 0
            pos = np.minimum(np.searchsorted(self._keys, child), last)
            weight = np.where(free & ready, self._counts[pos], 0.0)
            cum = np.cumsum(weight, axis=1)
            u = rng.random(n) * cum[:, -1]
            choice = np.minimum((cum <= u[:, None]).sum(axis=1), k - 1)
            target[:, t] = choice
            placed |= bits[choice]
        return target

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


def _linear_extension_table(k: int, preds: IntArray) -> tuple[IntArray, FloatArray]:
    """Sets of criteria that can be placed first (as bit masks, sorted) and, for each, the
    number of consistent orderings of the remaining criteria."""
    bits = np.int64(1) << np.arange(k, dtype=np.int64)
    layers = [np.zeros(1, dtype=np.int64)]
    for _ in range(k):
        m = layers[-1]
        if m.shape[0] == 0:
            layers.append(m)
            continue
        child = m[:, None] | bits[None, :]
        ok = ((m[:, None] & bits[None, :]) == 0) & ((preds[None, :] & ~m[:, None]) == 0)
        layers.append(np.unique(child[ok]))
    counts = [np.ones(layers[k].shape[0])]
    for t in range(k - 1, -1, -1):
        m = layers[t]
        nxt, nxt_counts = layers[t + 1], counts[0]
        total = np.zeros(m.shape[0])
        if nxt.shape[0] > 0:
            child = m[:, None] | bits[None, :]
            ok = ((m[:, None] & bits[None, :]) == 0) & ((preds[None, :] & ~m[:, None]) == 0)
            pos = np.minimum(np.searchsorted(nxt, child), nxt.shape[0] - 1)
            total = np.where(ok & (nxt[pos] == child), nxt_counts[pos], 0.0).sum(axis=1)
        counts.insert(0, total)
    keys = np.concatenate(layers)
    values = np.concatenate(counts)
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


@dataclass(frozen=True)
class IntervalWeights:
    """Uniform weights within a lower and an upper bound per weight.

    The region ``{w on the simplex : lower <= w <= upper}`` is sampled exactly, by rejection:
    ``w = lower + (1 - sum(lower)) * v`` maps the uniform simplex ``v`` onto the weights above the
    lower bounds (an affine map keeps uniformity), and a draw is kept when every weight is within
    its upper bound. The acceptance rate is computed exactly when the sampler is made
    (:attr:`acceptance`); below ``min_acceptance`` the sampler refuses to be made, since rejection
    would waste too many draws: narrow intervals call for a Markov chain (hit-and-run) instead.

    A weight with ``lower == upper`` is fixed at that value.
    """

    lower: tuple[float, ...]
    upper: tuple[float, ...]
    min_acceptance: float = 1e-3
    acceptance: float = field(init=False, compare=False)
    _slack: float = field(init=False, repr=False, compare=False)
    _cap: FloatArray = field(init=False, repr=False, compare=False)
    _free: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lo = np.asarray(self.lower, dtype=float)
        hi = np.asarray(self.upper, dtype=float)
        if lo.ndim != 1 or hi.shape != lo.shape:
            raise ValueError(
                f"weight intervals need one lower and one upper bound per criterion; got "
                f"{lo.shape[0] if lo.ndim == 1 else lo.shape} lower and "
                f"{hi.shape[0] if hi.ndim == 1 else hi.shape} upper bounds"
            )
        _check_k(lo.shape[0])
        for c in range(lo.shape[0]):
            if not (np.isfinite(lo[c]) and np.isfinite(hi[c]) and 0 <= lo[c] <= hi[c]):
                raise ValueError(
                    f"the interval of criterion {c} is [{lo[c]:g}, {hi[c]:g}]; each interval "
                    "must satisfy 0 <= lower <= upper"
                )
        tol = 1e-12
        if lo.sum() > 1 + tol:
            raise ValueError(
                f"the lower bounds of the weights add up to {lo.sum():g}; weights sum to one, "
                "so the lower bounds may add up to at most 1"
            )
        if hi.sum() < 1 - tol:
            raise ValueError(
                f"the upper bounds of the weights add up to {hi.sum():g}; weights sum to one, "
                "so the upper bounds must add up to at least 1"
            )
        object.__setattr__(self, "lower", tuple(float(x) for x in lo))
        object.__setattr__(self, "upper", tuple(float(x) for x in hi))
        slack = max(0.0, 1.0 - float(lo.sum()))
        cap = np.zeros_like(lo) if slack <= tol else (hi - lo) / slack
        free = np.flatnonzero(cap > 0)
        object.__setattr__(self, "_slack", slack if slack > tol else 0.0)
        object.__setattr__(self, "_cap", np.minimum(cap[free], 1.0))
        object.__setattr__(self, "_free", free)
        acceptance = _simplex_box_probability(self._cap)
        object.__setattr__(self, "acceptance", acceptance)
        if acceptance < self.min_acceptance:
            raise ValueError(
                f"the weight intervals are too narrow to sample by rejection: only "
                f"{acceptance:.2e} of uniformly drawn weight vectors fall inside them (at least "
                f"{self.min_acceptance:g} needed). Widen the intervals, fix the weights that "
                "barely move, or lower min_acceptance if the wait is acceptable"
            )

    @property
    def k(self) -> int:
        return len(self.lower)

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        _check_n(n)
        lo = np.asarray(self.lower, dtype=float)
        out = np.tile(lo, (n, 1))
        if self._slack == 0.0 or self._free.shape[0] == 0:
            return np.asarray(out / out.sum(axis=1, keepdims=True), dtype=float)
        m = self._free.shape[0]
        parts: list[FloatArray] = []
        got = 0
        while got < n:
            need = n - got
            draw = min(1_000_000, math.ceil(need / self.acceptance * 1.1) + 16)
            v = uniform_simplex(draw, m, rng)
            keep = v[np.all(v <= self._cap, axis=1)][:need]
            parts.append(keep)
            got += keep.shape[0]
        v = np.concatenate(parts) if len(parts) > 1 else parts[0]
        out[:, self._free] += self._slack * v
        return out

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.sample(n, rng)


def _simplex_box_probability(cap: FloatArray) -> float:
    """P(v_j <= cap_j for all j) for v uniform on the simplex of ``len(cap)`` weights.

    Inclusion-exclusion with P(v_j > c_j for j in J) = (1 - sum_J c_j)_+^(m-1); caps of 1 or more
    never bind. Beyond 20 binding caps the rate is estimated from 200,000 draws of a fixed seed.
    """
    m = cap.shape[0]
    if m <= 1:
        return 1.0
    binding = cap[cap < 1.0]
    if binding.shape[0] == 0:
        return 1.0
    if binding.shape[0] > 20:
        v = uniform_simplex(200_000, m, np.random.default_rng(0))
        return float(np.mean(np.all(v <= cap, axis=1)))
    sums = np.zeros(1)
    signs = np.ones(1)
    for c in binding:
        sums = np.concatenate([sums, sums + c])
        signs = np.concatenate([signs, -signs])
    terms = np.clip(1.0 - sums, 0.0, None) ** (m - 1)
    return float(min(1.0, max(0.0, float(np.sum(signs * terms)))))


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"weights need at least one criterion; got {k}")


def _check_n(n: int) -> None:
    if n < 0:
        raise ValueError(f"the number of samples must be zero or more; got {n}")


def _check_index(c: int, k: int, where: str) -> None:
    if not 0 <= c < k:
        raise ValueError(
            f"{where} names criterion {c}, but there are {k} criteria (numbered 0 to {k - 1})"
        )

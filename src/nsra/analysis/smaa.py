"""SMAA-2: how robust is the ranking of scenarios over the weight space and the uncertainty?

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen, 2001) explores the weights
and the uncertain inputs instead of fixing them. In nsra a scenario's risk is its probability
times its weighted total impact, ``scale * (values @ weights)``. Over samples of the weights (and
of the criterion values and probabilities) it reports, per scenario ``i``:

* rank acceptability ``b_i^r``: the share of samples in which ``i`` gets rank ``r`` (1 = highest
  risk);
* central weight vector ``w_i^c``: the mean weights of the samples in which ``i`` is first;
* confidence factor ``p_i^c``: the share of value samples in which ``i`` is first when the
  weights are fixed at its own central weights;
* holistic acceptability ``a_i = sum_r alpha_r b_i^r`` with meta-weights ``alpha`` (linear
  ``(m - r) / (m - 1)``, or inverse ``1 / r``);
* pairwise winning index ``c_ij``: the share of samples in which ``i`` ranks above ``j``.

Ties are explicit and never decided by list order. Two totals are equal when they differ by at
most ``rtol`` times the larger magnitude, chained over the sorted totals exactly as in
:func:`nsra.engine.ranking.competition_rank`. A tie over ``t`` positions gives each member ``1/t``
of each of those ranks (so two identical scenarios get 0.5 on rank 1 and 0.5 on rank 2), ``1/t``
of a first place (central weights, confidence factors), and ``1/2`` of a pairwise win.

Standard errors: ``sqrt(b (1 - b) / N)`` for shares; for central weights the standard deviation of
the weights among the samples where the scenario is first over the square root of their (tie
weighted) count; for holistic acceptability the standard deviation of the per-sample meta-weight
(exact without ties, slightly conservative with them). The default ``N = 10,000`` gives +-0.01 at
95% for any share: ``1.96^2 * 0.25 / 0.01^2 = 9,604``, rounded up.

Layout (after the R ``smaa`` package): kernels over pre-sampled arrays, each a plain function -

* evaluation: :func:`smaa_values` (samples of values and weights -> totals), :func:`smaa_ranks`
  (totals -> competition ranks, ties sharing the best rank);
* summaries: :func:`rank_counts`, :func:`rank_acceptability`, :func:`first_shares`,
  :func:`central_weights`, :func:`central_weights_se`, :func:`confidence_factors`,
  :func:`pairwise_winning`, :func:`meta_weights`, :func:`holistic_acceptability`,
  :func:`holistic_se`, :func:`share_se`;

and a streaming driver :func:`smaa` that draws in the blocks of :mod:`nsra.analysis.chunks`
(identical results for any executor or number of workers), keeps only running sums (memory flat
in the number of samples), and runs a second pass for the confidence factors. Sampling stays
outside: weights come from :mod:`nsra.analysis.weights`, values from any callable
``(n, rng) -> (n, S, K)`` such as :class:`RangeValues`.

The driver's hot loop ranks a block of totals with one integer sort: each total's bit pattern
(monotone in the value for floats of one sign) keeps its high bits and carries the scenario index
in its low bits, so a single ``np.sort`` yields the order, and the gaps between sorted keys flag
the few neighbours close enough to tie. Only those are checked with the exact rule; the tie
groups found have their whole counts replaced by shares, and a row whose flagged neighbours are
out of order (a few units in the last place apart, with a tolerance too small to tie them) is
ranked again from scratch. Every other neighbour is provably in strict order, so the results
equal those of the kernels on the same samples (tested against a plain per-sample loop).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from nsra.analysis.chunks import BLOCK, Plan, block_stream, run_blocks
from nsra.engine.inputs import BoolArray, FloatArray, IntArray

DEFAULT_N = 10_000
"""Default number of samples: every share within +-0.01 at 95% (1.96^2 * 0.25 / 0.01^2 = 9,604)."""

RTOL = 1e-12
"""Relative tolerance under which two totals tie (as in :func:`competition_rank`)."""

WINDOW = 16
"""Blocks run (and their partial sums held) at a time by :func:`smaa`; memory does not grow
with the number of samples beyond this."""

Sampler = Callable[[int, np.random.Generator], FloatArray]
"""A sampler: ``(n, rng) -> array`` with the samples on the first axis."""

MetaWeights = Literal["linear", "inverse"] | Sequence[float] | FloatArray

SmallArray = NDArray[Any]  # rank indices in the smallest unsigned type that holds them

_CONFIDENCE_CELLS = 1 << 17  # totals (samples x scenarios x columns) held at once in pass 2

# -- evaluation kernels ------------------------------------------------------------------------


def smaa_values(
    values: FloatArray, weights: FloatArray, scale: FloatArray | None = None
) -> FloatArray:
    """Totals ``scale * (values @ weights)`` per sample and scenario, shape (N, S).

    ``values`` is (S, K) (fixed) or (N, S, K) (one table per sample); ``weights`` is (N, K);
    ``scale`` (optional, e.g. a probability) is (S,) or (N, S). A fixed scale with fixed values
    multiplies the values once (``(scale * values) @ weights``).
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"weights must be samples x criteria (N, K); got shape {w.shape}")
    k = w.shape[1]
    if v.ndim not in (2, 3) or v.shape[-1] != k or (v.ndim == 3 and v.shape[0] != w.shape[0]):
        raise ValueError(
            f"values must be scenarios x criteria (S, K) or samples x scenarios x criteria "
            f"(N, S, K) with K = {k} criteria and N = {w.shape[0]} samples as in the weights; "
            f"got shape {v.shape}"
        )
    s = v.shape[-2]
    sc = None if scale is None else np.asarray(scale, dtype=float)
    if sc is not None and not (sc.shape == (s,) or sc.shape == (w.shape[0], s)):
        raise ValueError(
            f"the scale must be one number per scenario (S,) = ({s},) or per sample and "
            f"scenario (N, S) = ({w.shape[0]}, {s}); got shape {sc.shape}"
        )
    if v.ndim == 2:
        if sc is not None and sc.ndim == 1:
            return np.asarray(w @ (v * sc[:, None]).T, dtype=float)
        out = np.asarray(w @ v.T, dtype=float)
    else:
        out = np.matmul(v, w[:, :, None])[:, :, 0]
    if sc is not None:
        out *= sc
    return out


def smaa_ranks(totals: FloatArray, rtol: float = RTOL) -> IntArray:
    """Rank per sample, 1 for the highest total; tied totals share the best rank ("1224").

    ``totals`` is (N, S). Two neighbouring totals ``a >= b`` (in decreasing order) tie when
    ``a - b <= rtol * max(|a|, |b|)``; ties chain, as in
    :func:`nsra.engine.ranking.competition_rank` (infinite totals: equal infinities tie, an
    infinite and a finite total never do). NaN is refused: every scenario needs a value in every
    sample.
    """
    t = np.asarray(totals, dtype=float)
    if t.ndim != 2:
        raise ValueError(f"totals must be samples x scenarios (N, S); got shape {t.shape}")
    _refuse_nan(t)
    n, s = t.shape
    order = np.argsort(t, axis=1)  # increasing; the order among equal totals does not matter
    _, last = _group_bounds(np.take_along_axis(t, order, axis=1), rtol)
    ranks = np.empty((n, s), dtype=np.int64)
    np.put_along_axis(ranks, order, s - last, axis=1)
    return ranks


def _group_bounds(sv: FloatArray, rtol: float) -> tuple[IntArray, IntArray]:
    """For totals sorted increasingly along each row, the first and the last position of the tie
    group of every position. Neighbours ``a <= b`` tie when ``b - a <= rtol * max(|a|, |b|)``;
    infinities of one sign tie, an infinite and a finite total never do. A group is a maximal
    chain of such neighbours."""
    n, s = sv.shape
    pos = np.arange(s)
    new = np.ones((n, s), dtype=bool)
    if s > 1:
        with np.errstate(invalid="ignore"):
            gap = sv[:, 1:] - sv[:, :-1]
            scale = np.maximum(np.abs(sv[:, 1:]), np.abs(sv[:, :-1]))
            new[:, 1:] = (gap > rtol * scale) | (gap == np.inf)
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    ends = np.ones((n, s), dtype=bool)
    ends[:, :-1] = new[:, 1:]
    last = np.minimum.accumulate(np.where(ends, pos, s - 1)[:, ::-1], axis=1)[:, ::-1]
    return np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)


# -- summaries over ranks ----------------------------------------------------------------------


def _tie_sizes(ranks: IntArray) -> IntArray:
    """For each entry, how many entries of its row share its rank."""
    n, s = ranks.shape
    key = (np.arange(n, dtype=np.int64)[:, None] * (s + 1) + ranks).ravel()
    per = np.bincount(key, minlength=n * (s + 1))
    return np.asarray(per[key].reshape(n, s), dtype=np.int64)


def _rank_tally(ranks: IntArray) -> tuple[IntArray, FloatArray]:
    """Rank counts of competition ranks as (whole counts (S*S), difference array (S*(S+1))).

    An untied entry adds 1 to (scenario, rank). A tied entry of rank ``r`` in a group of ``t``
    adds ``1/t`` to ranks ``r .. r+t-1``, kept as +1/t at ``r`` and -1/t at ``r+t`` of a
    difference array (a cumulative sum along the ranks gives the counts): O(S) per row whatever
    the ties.
    """
    n, s = ranks.shape
    t = _tie_sizes(ranks)
    scen = np.broadcast_to(np.arange(s, dtype=np.int64), (n, s))
    single = t == 1
    direct = np.bincount((scen[single] * s + ranks[single] - 1).ravel(), minlength=s * s).astype(
        np.int64
    )
    diff = np.zeros(s * (s + 1))
    if not np.all(single):
        tied = ~single
        base = scen[tied] * (s + 1) + ranks[tied] - 1
        share = 1.0 / t[tied]
        diff += np.bincount(base, weights=share, minlength=s * (s + 1))
        diff -= np.bincount(base + t[tied], weights=share, minlength=s * (s + 1))
    return direct, diff


def _counts_of(direct: IntArray, diff: FloatArray, s: int) -> FloatArray:
    frac = np.cumsum(diff.reshape(s, s + 1), axis=1)[:, :s]
    out = direct.reshape(s, s).astype(float) + np.clip(frac, 0.0, None)
    return np.asarray(out, dtype=float)


def rank_counts(ranks: IntArray) -> FloatArray:
    """Rank acceptability *counts* (S, S): row = scenario, column = rank - 1; ties split evenly.

    Every row and every column adds up to the number of samples.
    """
    r = _check_ranks(ranks)
    direct, diff = _rank_tally(r)
    return _counts_of(direct, diff, r.shape[1])


def rank_acceptability(ranks: IntArray) -> FloatArray:
    """Rank acceptability indices ``b_i^r`` (S, S): share of samples where i has rank r + 1."""
    r = _check_ranks(ranks)
    return np.asarray(rank_counts(r) / max(r.shape[0], 1), dtype=float)


def first_shares(ranks: IntArray) -> FloatArray:
    """Per sample, each scenario's share of the first place (1, 1/t in a tie, or 0), (N, S)."""
    r = _check_ranks(ranks)
    first = r == 1
    t = first.sum(axis=1, keepdims=True)
    return np.asarray(first / np.maximum(t, 1), dtype=float)


def central_weights(ranks: IntArray, weights: FloatArray) -> FloatArray:
    """Central weight vectors ``w_i^c`` (S, K): mean weights where i is first; NaN if never."""
    mean, _ = _central_stats(ranks, weights)
    return mean


def central_weights_se(ranks: IntArray, weights: FloatArray) -> FloatArray:
    """Standard errors of :func:`central_weights` (S, K)."""
    _, se = _central_stats(ranks, weights)
    return se


def _central_stats(ranks: IntArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    r = _check_ranks(ranks)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != r.shape[0]:
        raise ValueError(
            f"weights must be samples x criteria with {r.shape[0]} samples as in the ranks; "
            f"got shape {w.shape}"
        )
    f = first_shares(r)
    return _central_from_sums(f.T @ w, f.T @ (w * w), f.sum(axis=0))


def _central_from_sums(
    total: FloatArray, squares: FloatArray, mass: FloatArray
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        m = mass[:, None]
        mean = np.where(m > 0, total / np.where(m > 0, m, 1.0), np.nan)
        var = np.clip(squares / np.where(m > 0, m, 1.0) - mean * mean, 0.0, None)
        se = np.where(m > 0, np.sqrt(var / np.where(m > 0, m, 1.0)), np.nan)
    return np.asarray(mean, dtype=float), np.asarray(se, dtype=float)


def confidence_factors(
    values: FloatArray,
    central: FloatArray,
    scale: FloatArray | None = None,
    rtol: float = RTOL,
) -> FloatArray:
    """Confidence factors ``p_i^c`` (S,): share of value samples in which i is first when the
    weights are fixed at its central weights; NaN for a scenario without central weights.

    ``values`` is (S, K) or (N, S, K), ``scale`` (S,) or (N, S) as in :func:`smaa_values`;
    ``central`` is (S, K) (rows of NaN allowed).
    """
    cw = np.asarray(central, dtype=float)
    v = np.asarray(values, dtype=float)
    sc = None if scale is None else np.asarray(scale, dtype=float)
    cols = np.flatnonzero(~np.any(np.isnan(cw), axis=1))
    n = v.shape[0] if v.ndim == 3 else (sc.shape[0] if sc is not None and sc.ndim == 2 else 1)
    out = np.full(cw.shape[0], np.nan)
    out[cols] = _confidence_counts(v, sc, cw[cols], cols, rtol) / max(n, 1)
    return out


def _confidence_counts(
    values: FloatArray,
    scale: FloatArray | None,
    central: FloatArray,
    cols: IntArray,
    rtol: float,
) -> FloatArray:
    """First-place counts of scenario ``cols[j]`` under weights ``central[j]``, (J,)."""
    j = cols.shape[0]
    out = np.zeros(j)
    if j == 0:
        return out
    v = np.asarray(values, dtype=float)
    sc = None if scale is None else np.asarray(scale, dtype=float)
    s, k = v.shape[-2], v.shape[-1]
    if central.shape != (j, k):
        raise ValueError(f"central weights must be (scenarios, {k}); got {central.shape}")
    if v.ndim == 2:
        base = central @ v.T  # (J, S)
        if sc is None or sc.ndim == 1:
            tot = base if sc is None else base * sc[None, :]
            return _first_counts(tot[None, :, :], cols, rtol)
        n = sc.shape[0]
    else:
        n = v.shape[0]
    step = max(1, _CONFIDENCE_CELLS // max(1, s * j))
    for a in range(0, n, step):
        b = min(n, a + step)
        if v.ndim == 2:
            tot = base[None, :, :] * np.asarray(sc)[a:b, None, :]
        else:
            tot = np.matmul(central, v[a:b].transpose(0, 2, 1))  # (b - a, J, S)
            if sc is not None:
                tot *= (sc[a:b] if sc.ndim == 2 else sc[None, :])[:, None, :]
        out += _first_counts(tot, cols, rtol)
    return out


def _first_counts(tot: FloatArray, cols: IntArray, rtol: float) -> FloatArray:
    """``tot[n, j, s]``: total of scenario s under the weights of column j, whose own scenario
    is ``cols[j]``. Returns per column the (tie-shared) number of samples where it is first."""
    n, j, s = tot.shape
    jj = np.arange(j)
    own = tot[:, jj, cols].copy()  # (n, J)
    if s == 1:
        return np.full(j, float(n))
    tot[:, jj, cols] = -np.inf
    other = tot.max(axis=2)  # best of the others, (n, J)
    tot[:, jj, cols] = own
    if np.isnan(own).any() or np.isnan(other).any():
        _refuse_nan(tot)
    with np.errstate(invalid="ignore"):
        gap = own - other
        mag = np.maximum(np.abs(own), np.abs(other))
        alone = gap > rtol * mag
        out_ = -gap > s * rtol * mag  # beyond any chain of s - 1 tied neighbours
    counts = np.asarray(alone.sum(axis=0), dtype=float)
    unsure = ~(alone | out_)
    if np.any(unsure):
        rows, col = np.nonzero(unsure)
        ranks = smaa_ranks(tot[rows, col, :], rtol)
        share = first_shares(ranks)[np.arange(rows.shape[0]), cols[col]]
        counts += _weighted_count(col, share, j)
    return counts


def pairwise_winning(ranks: IntArray) -> FloatArray:
    """Pairwise winning indices ``c_ij`` (S, S): share of samples where i ranks above j; a tie
    counts one half for each; ``c_ij + c_ji = 1`` and the diagonal is 0."""
    r = _check_ranks(ranks)
    n, s = r.shape
    small = _small_ranks(r - 1, s)
    wins = _pair_wins(small)
    tied = np.flatnonzero(r.sum(axis=1) < s * (s + 1) // 2)
    ties = _pair_ties(small[tied]) if tied.shape[0] else np.zeros(s * s, dtype=np.int64)
    return _pairwise_of(wins, ties, s, n)


def _pairwise_of(wins: IntArray, ties: IntArray, s: int, n: int) -> FloatArray:
    out = (wins.reshape(s, s) + 0.5 * ties.reshape(s, s)) / max(n, 1)
    np.fill_diagonal(out, 0.0)
    return np.asarray(out, dtype=float)


def _small_dtype(s: int) -> type[np.unsignedinteger[Any]]:
    if s <= 1 << 8:
        return np.uint8
    if s <= 1 << 16:
        return np.uint16
    return np.uint32


def _small_ranks(index: IntArray, s: int) -> SmallArray:
    return np.asarray(index, dtype=_small_dtype(s))


def _pair_compare(r: SmallArray, op: Callable[..., Any]) -> IntArray:
    """Counts over rows of ``op(r[:, i], r[:, j])`` for all pairs, (S*S,) int64.

    The booleans of up to 255 rows are summed as bytes packed eight to a 64-bit word (no carry
    can cross a byte), which is several times faster than summing booleans one by one.
    """
    n, s = r.shape
    cells = s * s
    padded = -(-cells // 8) * 8
    rows = 255
    buf = np.zeros((min(rows, max(n, 1)), padded), dtype=bool)
    total = np.zeros(padded, dtype=np.int64)
    for a in range(0, n, rows):
        b = min(n, a + rows)
        view = np.lib.stride_tricks.as_strided(buf, shape=(b - a, s, s), strides=(padded, s, 1))
        op(r[a:b, :, None], r[a:b, None, :], out=view)
        packed = buf[: b - a].view(np.uint64).sum(axis=0, dtype=np.uint64)
        total += packed.view(np.uint8)
    return total[:cells]


def _pair_wins(r: SmallArray) -> IntArray:
    """How often i's rank index is below (better than) j's, (S*S,)."""
    return _pair_compare(r, np.less)


def _pair_ties(r: SmallArray) -> IntArray:
    """How often i and j share a rank (i != j), (S*S,)."""
    s = r.shape[1]
    eq = _pair_compare(r, np.equal).reshape(s, s)
    np.fill_diagonal(eq, 0)
    return eq.ravel()


def meta_weights(s: int, kind: MetaWeights = "linear") -> FloatArray:
    """Meta-weights ``alpha_r`` of ranks 1..S for holistic acceptability.

    ``"linear"``: ``(S - r) / (S - 1)`` (1 for the first rank, 0 for the last); ``"inverse"``:
    ``1 / r``; or an explicit sequence of S numbers, decreasing from 1 by convention.
    """
    r = np.arange(1, s + 1, dtype=float)
    if isinstance(kind, str):
        if kind == "linear":
            return np.ones(1) if s == 1 else (s - r) / (s - 1)
        if kind == "inverse":
            return 1.0 / r
        raise ValueError(f"unknown meta-weights {kind!r}; use 'linear', 'inverse' or numbers")
    alpha = np.asarray(kind, dtype=float)
    if alpha.shape != (s,):
        raise ValueError(f"meta-weights need one number per rank ({s}); got {alpha.shape}")
    return alpha


def holistic_acceptability(acceptability: FloatArray, meta: MetaWeights = "linear") -> FloatArray:
    """Holistic acceptability ``a_i = sum_r alpha_r b_i^r`` (S,)."""
    b = np.asarray(acceptability, dtype=float)
    return np.asarray(b @ meta_weights(b.shape[1], meta), dtype=float)


def holistic_se(acceptability: FloatArray, n: int, meta: MetaWeights = "linear") -> FloatArray:
    """Standard error of :func:`holistic_acceptability` from ``n`` samples (S,)."""
    b = np.asarray(acceptability, dtype=float)
    alpha = meta_weights(b.shape[1], meta)
    var = np.clip(b @ (alpha * alpha) - (b @ alpha) ** 2, 0.0, None)
    return np.asarray(np.sqrt(var / max(n, 1)), dtype=float)


def share_se(share: FloatArray, n: int) -> FloatArray:
    """Binomial Monte Carlo standard error of shares from ``n`` samples."""
    p = np.clip(np.asarray(share, dtype=float), 0.0, 1.0)
    return np.asarray(np.sqrt(p * (1.0 - p) / max(n, 1)), dtype=float)


# -- a sampler of uncertain values -------------------------------------------------------------


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


@dataclass(frozen=True)
class SmaaOptions:
    """What :func:`smaa` ran with (part of its result)."""

    n: int
    seed: int
    block: int
    rtol: float
    with_confidence: bool
    with_pairwise: bool
    meta: str | tuple[float, ...]
    confidence_n: int
    values_sampled: bool
    scale_sampled: bool


@dataclass(frozen=True)
class SmaaResult:
    """SMAA-2 indices for S scenarios and K criteria, each with its Monte Carlo standard error.

    ``rank_acceptability[i, r]`` is ``b_i^(r+1)``. Arrays of an index that was not computed
    (``with_confidence`` / ``with_pairwise`` off) are None; a scenario that is never first has
    NaN central weights and confidence factor.
    """

    options: SmaaOptions
    rank_acceptability: FloatArray  # (S, S)
    rank_acceptability_se: FloatArray  # (S, S)
    central_weights: FloatArray  # (S, K)
    central_weights_se: FloatArray  # (S, K)
    holistic: FloatArray  # (S,)
    holistic_se: FloatArray  # (S,)
    meta_weights: FloatArray  # (S,)
    confidence: FloatArray | None  # (S,)
    confidence_se: FloatArray | None  # (S,)
    pairwise: FloatArray | None  # (S, S)
    pairwise_se: FloatArray | None  # (S, S)

    @property
    def n(self) -> int:
        return self.options.n

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def first(self) -> FloatArray:
        """Rank-1 acceptability ``b_i^1`` (S,)."""
        return np.asarray(self.rank_acceptability[:, 0], dtype=float)


@dataclass(frozen=True, eq=False)
class _Spec:
    values: FloatArray | Sampler
    weights: Sampler
    scale: FloatArray | Sampler | None
    rtol: float
    pairwise: bool


@dataclass
class _Tally:
    """Running sums of the first pass (all flat arrays; sizes set by S and K)."""

    s: int
    k: int
    direct: IntArray  # (S*S) whole rank counts
    diff: FloatArray  # (S*(S+1)) difference array of tie shares
    cw_sum: FloatArray  # (S*K) sum of first-share x weights
    cw_sq: FloatArray  # (S*K) sum of first-share x weights^2
    wins: IntArray | None  # (S*S)
    ties: IntArray | None  # (S*S)

    def add(self, other: _Tally) -> None:
        if (other.s, other.k) != (self.s, self.k):
            raise ValueError(
                f"a block gave {other.s} scenarios x {other.k} criteria, another "
                f"{self.s} x {self.k}: the samplers must keep their shapes"
            )
        self.direct += other.direct
        self.diff += other.diff
        self.cw_sum += other.cw_sum
        self.cw_sq += other.cw_sq
        if self.wins is not None and other.wins is not None:
            self.wins += other.wins
        if self.ties is not None and other.ties is not None:
            self.ties += other.ties


def _draw(
    spec: _Spec, n: int, rng: np.random.Generator, weights: bool
) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
    """A block's samples, always drawn in the order values, scale, weights (so that the second
    pass, which skips the weights, sees the same values and scale)."""
    if callable(spec.values):
        v = np.asarray(spec.values(n, rng), dtype=float)
        if v.ndim != 3 or v.shape[0] != n:
            raise ValueError(
                f"the values sampler returned shape {v.shape}; expected (n, scenarios, "
                f"criteria) with n = {n}"
            )
    else:
        v = np.asarray(spec.values, dtype=float)
    sc: FloatArray | None
    if spec.scale is None:
        sc = None
    elif callable(spec.scale):
        sc = np.asarray(spec.scale(n, rng), dtype=float)
        if sc.ndim != 2 or sc.shape[0] != n:
            raise ValueError(
                f"the scale sampler returned shape {sc.shape}; expected (n, scenarios) with n = {n}"
            )
    else:
        sc = np.asarray(spec.scale, dtype=float)
    w = None
    if weights:
        w = np.asarray(spec.weights(n, rng), dtype=float)
        if w.ndim != 2 or w.shape != (n, v.shape[-1]):
            raise ValueError(
                f"the weight sampler returned shape {w.shape}; expected (n, criteria) = "
                f"({n}, {v.shape[-1]})"
            )
    return v, sc, w


_SIGN = np.int64(0x7FFF_FFFF_FFFF_FFFF)
_INF_BITS = np.int64(0x7FF0_0000_0000_0000)


def _fast_order(tot: FloatArray, rtol: float) -> tuple[IntArray, IntArray, IntArray]:
    """Scenarios of each row in increasing total, and the neighbours that may tie.

    Keys are the totals' bit patterns (made monotone for negative numbers) with the low ``b``
    bits replaced by the scenario index, sorted as integers. Two totals within ``rtol`` of each
    other are at most ``rtol * 2^54`` representable doubles apart, so neighbours whose keys are
    more than ``T = rtol * 2^54 + 2^(b+1) + 2`` apart are in the right order and do not tie. The
    others (and any whose gap overflows) are returned as (row, position) of the lower one.
    """
    s = tot.shape[1]
    bits = max(1, (s - 1).bit_length())
    low = np.int64((1 << bits) - 1)
    idx = np.arange(s, dtype=np.int64)
    raw = tot.view(np.int64)
    key = raw & ~low
    key |= idx
    key.sort(axis=1)
    if key[:, 0].min() < 0 or (key[:, -1] & ~low).max() >= _INF_BITS:
        _refuse_nan(tot)
        key = raw ^ ((raw >> 63) & _SIGN)
        key &= ~low
        key |= idx
        key.sort(axis=1)
    rows = cols = np.zeros(0, dtype=np.int64)
    if s > 1:
        limit = np.int64(min(float(1 << 62), math.ceil(rtol * 2.0**54) + 2.0 ** (bits + 1) + 2))
        gap = key[:, 1:] - key[:, :-1]
        if gap.min() <= limit:
            rows, cols = np.nonzero(gap <= limit)
    key &= low
    return key, np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def _tally_block(tot: FloatArray, w: FloatArray, rtol: float, pairwise: bool) -> _Tally:
    """First-pass sums of one block of totals (n, S) and weights (n, K).

    Every row is counted in the order of :func:`_fast_order`; the neighbours it flags are checked
    with the exact rule, and only the tie groups found are corrected (their members' whole counts
    replaced by shares). A row where the flagged neighbours turn out to be out of order (totals a
    few units in the last place apart, with a tolerance too small to tie them) is ranked again
    from scratch by :func:`_tally_ties`.
    """
    n, s = tot.shape
    k = w.shape[1]
    tot = np.ascontiguousarray(tot)
    order, pr, pc = _fast_order(tot, rtol)
    groups = _tie_groups(tot, order, pr, pc, rtol)
    rank_index = np.arange(s - 1, -1, -1, dtype=np.int64)  # position c holds rank s - c
    small = None
    if pairwise:
        small = np.empty((n, s), dtype=_small_dtype(s))
        np.put_along_axis(small, order, rank_index.astype(small.dtype)[None, :], axis=1)
    redo = groups.redo
    redo_order = order[redo] if redo.shape[0] else None
    win = order[:, -1].copy()
    flat = order.copy() if groups.members.shape[0] else order
    flat *= s
    flat += rank_index
    if redo.shape[0]:
        flat[redo] = s * s
        win[redo] = s
    direct = np.bincount(flat.ravel(), minlength=s * s + 1)[: s * s].astype(np.int64)
    cw_index = (win[:, None] * k + np.arange(k)).ravel()
    cw_sum = _weighted_count(cw_index, w.ravel(), (s + 1) * k)[: s * k]
    cw_sq = _weighted_count(cw_index, (w * w).ravel(), (s + 1) * k)[: s * k]
    diff = np.zeros(s * (s + 1))
    ties = np.zeros(s * s, dtype=np.int64) if pairwise else None
    if groups.members.shape[0]:
        _correct_groups(groups, order, w, s, direct, diff, cw_sum, cw_sq, small, ties)
    if redo_order is not None:
        tally = _tally_ties(tot[redo], redo_order, w[redo], rtol)
        direct += tally.direct
        diff += tally.diff
        cw_sum += tally.cw_sum
        cw_sq += tally.cw_sq
        if small is not None and ties is not None:
            small[redo] = tally.small
            ties += _pair_ties(tally.small)
    wins = _pair_wins(small) if small is not None else None
    return _Tally(s, k, direct, diff, cw_sum, cw_sq, wins, ties)


@dataclass(frozen=True, eq=False)
class _Groups:
    """Tie groups found among flagged neighbours, one entry per member (sorted by row)."""

    row: IntArray  # row of the member
    members: IntArray  # position of the member in the row's increasing order
    low: IntArray  # lowest position of its group
    high: IntArray  # highest position of its group
    group: IntArray  # index of its group (0..G-1, members of a group are contiguous)
    redo: IntArray  # rows to rank again from scratch (out of order)


def _tie_groups(
    tot: FloatArray, order: IntArray, pr: IntArray, pc: IntArray, rtol: float
) -> _Groups:
    empty = np.zeros(0, dtype=np.int64)
    if pr.shape[0] == 0:
        return _Groups(empty, empty, empty, empty, empty, empty)
    a = tot[pr, order[pr, pc]]
    b = tot[pr, order[pr, pc + 1]]
    redo = np.unique(pr[a > b])
    with np.errstate(invalid="ignore"):
        gap = b - a
        tie = ~((gap > rtol * np.maximum(np.abs(a), np.abs(b))) | (gap == np.inf))
    if redo.shape[0]:
        tie &= ~np.isin(pr, redo)
    tr, tc = pr[tie], pc[tie]
    if tr.shape[0] == 0:
        return _Groups(empty, empty, empty, empty, empty, redo)
    new = np.ones(tr.shape[0], dtype=bool)
    new[1:] = (tr[1:] != tr[:-1]) | (tc[1:] != tc[:-1] + 1)
    starts = np.flatnonzero(new)
    pairs = np.diff(np.append(starts, tr.shape[0]))
    size = pairs + 1
    g_row, g_low = tr[starts], tc[starts]
    offset = np.cumsum(size) - size
    total = int(size.sum())
    group = np.repeat(np.arange(starts.shape[0]), size)
    member = np.repeat(g_low, size) + (np.arange(total) - np.repeat(offset, size))
    return _Groups(
        np.repeat(g_row, size),
        member,
        np.repeat(g_low, size),
        np.repeat(g_low + pairs, size),
        group,
        redo,
    )


def _correct_groups(
    g: _Groups,
    order: IntArray,
    w: FloatArray,
    s: int,
    direct: IntArray,
    diff: FloatArray,
    cw_sum: FloatArray,
    cw_sq: FloatArray,
    small: SmallArray | None,
    ties: IntArray | None,
) -> None:
    """Replace the whole counts of tie-group members by their shares (in place)."""
    k = w.shape[1]
    scen = order[g.row, g.members]
    size = g.high - g.low + 1
    share = 1.0 / size
    direct -= np.bincount(scen * s + (s - 1 - g.members), minlength=s * s)
    base = scen * (s + 1) + (s - 1 - g.high)
    diff += _weighted_count(base, share, s * (s + 1))
    diff -= _weighted_count(base + size, share, s * (s + 1))
    top = np.flatnonzero(g.high == s - 1)  # members of a first-place group
    if top.shape[0]:
        rows = g.row[top]
        lead = np.unique(rows)  # the fast count credited the whole first place to one scenario
        wl = w[lead]
        index = (order[lead, s - 1][:, None] * k + np.arange(k)).ravel()
        cw_sum -= _weighted_count(index, wl.ravel(), s * k)
        cw_sq -= _weighted_count(index, (wl * wl).ravel(), s * k)
        wt = w[rows] * share[top][:, None]
        index = (scen[top][:, None] * k + np.arange(k)).ravel()
        cw_sum += _weighted_count(index, wt.ravel(), s * k)
        cw_sq += _weighted_count(index, (wt * w[rows]).ravel(), s * k)
    if small is not None and ties is not None:
        small[g.row, scen] = s - 1 - g.high
        # every ordered pair of distinct members of a group (members of a group are contiguous)
        start = np.arange(scen.shape[0]) - (g.members - g.low)
        offset = np.cumsum(size) - size
        first = np.repeat(np.arange(scen.shape[0]), size)
        second = np.repeat(start, size) + (np.arange(int(size.sum())) - np.repeat(offset, size))
        keep = first != second
        ties += np.bincount(scen[first[keep]] * s + scen[second[keep]], minlength=s * s).astype(
            np.int64
        )


@dataclass(frozen=True, eq=False)
class _TieTally:
    direct: IntArray
    diff: FloatArray
    cw_sum: FloatArray
    cw_sq: FloatArray
    small: SmallArray  # competition rank - 1 per scenario, (m, S)


def _tally_ties(tot: FloatArray, order: IntArray, w: FloatArray, rtol: float) -> _TieTally:
    """Exact sums for rows that may hold ties, given their (nearly right) increasing order.

    The integer-key order can only misplace totals within 2^b units in the last place of each
    other; rows where the true totals are not increasing along it are sorted again (rare: equal
    totals, the usual ties, are never out of order).
    """
    m, s = tot.shape
    k = w.shape[1]
    sv = np.take_along_axis(tot, order, axis=1)
    if s > 1:
        bad = np.flatnonzero((sv[:, 1:] < sv[:, :-1]).any(axis=1))
        if bad.shape[0]:
            order[bad] = np.argsort(tot[bad], axis=1)
            sv[bad] = np.take_along_axis(tot[bad], order[bad], axis=1)
    first, last = _group_bounds(sv, rtol)
    size = last - first + 1
    rank0 = s - 1 - last  # competition rank - 1 of each position's group
    single = size == 1
    direct = np.bincount(order[single] * s + rank0[single], minlength=s * s).astype(np.int64)
    diff = np.zeros(s * (s + 1))
    if not np.all(single):
        tied = ~single
        base = order[tied] * (s + 1) + rank0[tied]
        share = 1.0 / size[tied]
        diff += _weighted_count(base, share, s * (s + 1))
        diff -= _weighted_count(base + size[tied], share, s * (s + 1))
    row, col = np.nonzero(last == s - 1)  # the first-place group of every row
    share = 1.0 / size[row, col]
    wt = w[row] * share[:, None]
    index = (order[row, col][:, None] * k + np.arange(k)).ravel()
    cw_sum = _weighted_count(index, wt.ravel(), s * k)
    cw_sq = _weighted_count(index, (wt * w[row]).ravel(), s * k)
    small = np.empty((m, s), dtype=_small_dtype(s))
    np.put_along_axis(small, order, rank0.astype(small.dtype), axis=1)
    return _TieTally(direct, diff, cw_sum, cw_sq, small)


def _weighted_count(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=float)


def _first_pass(spec: _Spec, b: int, n: int, rng: np.random.Generator) -> _Tally:
    v, sc, w = _draw(spec, n, rng, weights=True)
    assert w is not None
    return _tally_block(smaa_values(v, w, sc), w, spec.rtol, spec.pairwise)


def _second_pass(
    spec: _Spec,
    central: FloatArray,
    cols: IntArray,
    b: int,
    n: int,
    rng: np.random.Generator,
) -> FloatArray:
    v, sc, _ = _draw(spec, n, rng, weights=False)
    return _confidence_counts(v, sc, central, cols, spec.rtol)


def _at_block(
    work: Callable[[int, int, np.random.Generator], Any],
    seed: int,
    first: int,
    b: int,
    n: int,
    _rng: np.random.Generator,
) -> Any:
    """Block ``first + b`` of the whole run, with its own stream (see :func:`_run_windows`)."""
    return work(first + b, n, block_stream(seed, first + b))


def _run_windows(
    work: Callable[[int, int, np.random.Generator], Any],
    n: int,
    seed: int,
    executor: Any,
    window: int,
    add: Callable[[Any, Any], Any],
) -> Any:
    """``run_blocks`` over windows of ``window`` blocks, folding partials in block order.

    ``chunks.run_blocks`` returns every partial of a run; SMAA partials are S x S, so a long run
    would hold hundreds of them. Each window is one ``run_blocks`` call whose block ``b`` is block
    ``first + b`` of the whole run, drawn from that block's stream: the samples, and the order
    in which partials are added, are those of a single ``run_blocks`` over all blocks.
    """
    plan = Plan(n)
    total: Any = None
    for first in range(0, plan.blocks, window):
        size = min(window * plan.block, n - first * plan.block)
        parts = run_blocks(
            partial(_at_block, work, seed, first), Plan(size, plan.block), seed, executor=executor
        )
        for p in parts:
            total = p if total is None else add(total, p)
    return total


def _add_tally(a: _Tally, b: _Tally) -> _Tally:
    a.add(b)
    return a


def _add_array(a: FloatArray, b: FloatArray) -> FloatArray:
    a += b
    return a


def smaa(
    values: FloatArray | Sampler,
    weights: Sampler,
    n: int = DEFAULT_N,
    seed: int = 0,
    *,
    scale: FloatArray | Sampler | None = None,
    executor: Any = None,
    with_confidence: bool = True,
    with_pairwise: bool = False,
    meta: MetaWeights = "linear",
    confidence_n: int | None = None,
    rtol: float = RTOL,
    window: int = WINDOW,
) -> SmaaResult:
    """SMAA-2 of S scenarios over ``n`` samples drawn in seeded blocks.

    ``values``: fixed criterion values (S, K), or a sampler ``(n, rng) -> (n, S, K)`` (class-range
    uncertainty, e.g. :class:`RangeValues`). ``weights``: a sampler ``(n, rng) -> (n, K)`` from
    :mod:`nsra.analysis.weights`. ``scale``: an optional multiplier per scenario (probability),
    fixed (S,) or a sampler ``(n, rng) -> (n, S)``. A block draws values, then scale, then weights
    from its stream.

    The first pass ranks every sample and keeps running sums (rank counts, central weight sums
    and, with ``with_pairwise``, pairwise counts, which cost O(S^2) per sample: several times the
    rest at S = 100). The second pass (``with_confidence``) redraws the same values and scale for
    the first ``confidence_n`` samples (default: all) and ranks them under each scenario's
    central weights; with fixed values and scale it is one exact evaluation (standard error 0).

    ``executor``: None (here), a ``concurrent.futures`` executor or a Dask client; the samplers
    must then be picklable for processes (the classes of this package are). Results are identical
    whatever the executor. Workers should run BLAS single-threaded (``OPENBLAS_NUM_THREADS=1``):
    the products per block are small, and BLAS threads on top of the workers oversubscribe the
    CPUs.
    """
    if n < 1:
        raise ValueError(f"SMAA needs at least one sample; got n = {n}")
    if seed < 0:
        raise ValueError(f"the seed must be a non-negative integer; got {seed}")
    if window < 1:
        raise ValueError(f"window must be at least 1 block; got {window}")
    if not callable(values):
        values = np.asarray(values, dtype=float)
        if values.ndim != 2:
            raise ValueError(
                f"fixed values must be scenarios x criteria (S, K); got shape {values.shape}"
            )
        _refuse_nan(values)
    if scale is not None and not callable(scale):
        scale = np.asarray(scale, dtype=float)
    c_n = n if confidence_n is None else min(n, confidence_n)
    if c_n < 1:
        raise ValueError(f"confidence_n must be at least 1; got {confidence_n}")
    spec = _Spec(values, weights, scale, rtol, with_pairwise)

    tally: _Tally = _run_windows(partial(_first_pass, spec), n, seed, executor, window, _add_tally)
    s, k = tally.s, tally.k
    counts = _counts_of(tally.direct, tally.diff, s)
    ra = counts / n
    alpha = meta_weights(s, meta)
    cw, cw_se = _central_from_sums(
        tally.cw_sum.reshape(s, k), tally.cw_sq.reshape(s, k), counts[:, 0]
    )

    conf = conf_se = None
    if with_confidence:
        cols = np.flatnonzero(counts[:, 0] > 0)
        conf = np.full(s, np.nan)
        conf_se = np.full(s, np.nan)
        sampled = callable(values) or callable(scale)
        if not sampled:
            v_fixed = np.asarray(values, dtype=float)
            sc_fixed = None if scale is None else np.asarray(scale, dtype=float)
            got = _confidence_counts(v_fixed, sc_fixed, cw[cols], cols, rtol)
            conf[cols] = got
            conf_se[cols] = 0.0
        else:
            got = _run_windows(
                partial(_second_pass, spec, cw[cols], cols), c_n, seed, executor, window, _add_array
            )
            conf[cols] = got / c_n
            conf_se[cols] = share_se(conf[cols], c_n)

    pw = pw_se = None
    if with_pairwise and tally.wins is not None and tally.ties is not None:
        pw = _pairwise_of(tally.wins, tally.ties, s, n)
        pw_se = share_se(pw, n)
        np.fill_diagonal(pw_se, 0.0)

    options = SmaaOptions(
        n=n,
        seed=seed,
        block=BLOCK,
        rtol=rtol,
        with_confidence=with_confidence,
        with_pairwise=with_pairwise,
        meta=meta if isinstance(meta, str) else tuple(float(x) for x in meta),
        confidence_n=c_n if with_confidence and (callable(values) or callable(scale)) else 0,
        values_sampled=callable(values),
        scale_sampled=callable(scale),
    )
    return SmaaResult(
        options=options,
        rank_acceptability=ra,
        rank_acceptability_se=share_se(ra, n),
        central_weights=cw,
        central_weights_se=cw_se,
        holistic=np.asarray(ra @ alpha, dtype=float),
        holistic_se=holistic_se(ra, n, alpha),
        meta_weights=alpha,
        confidence=conf,
        confidence_se=conf_se,
        pairwise=pw,
        pairwise_se=pw_se,
    )


# -- checks ------------------------------------------------------------------------------------


def _check_ranks(ranks: IntArray) -> IntArray:
    r = np.asarray(ranks)
    if r.ndim != 2:
        raise ValueError(f"ranks must be samples x scenarios (N, S); got shape {r.shape}")
    if r.size and (r.min() < 1 or r.max() > r.shape[1]):
        raise ValueError(f"ranks must lie between 1 and {r.shape[1]} (the number of scenarios)")
    return np.asarray(r, dtype=np.int64)


def _refuse_nan(a: FloatArray) -> None:
    if np.isnan(a).any():
        where = np.argwhere(np.isnan(a))[0]
        raise ValueError(
            f"SMAA needs a number for every scenario in every sample; found NaN at index "
            f"{tuple(int(i) for i in where)} (a criterion not assessed? give it a value, e.g. 0)"
        )

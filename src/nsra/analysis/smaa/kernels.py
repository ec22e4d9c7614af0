"""SMAA-2 kernels: plain functions over pre-sampled arrays (after the R ``smaa`` package).

* evaluation: :func:`smaa_values` (samples of values and weights -> totals), :func:`smaa_ranks`
  (totals -> competition ranks by nsra's one tie rule, :mod:`nsra.engine.ranking`);
* summaries of ranks: :func:`rank_counts`, :func:`rank_acceptability`, :func:`first_shares`,
  :func:`central_weights`, :func:`central_weights_se`, :func:`pairwise_winning`;
* confidence factors: :func:`confidence_factors` (totals under each scenario's central weights);
* holistic acceptability and standard errors: :func:`meta_weights`,
  :func:`holistic_acceptability`, :func:`holistic_se`, :func:`share_se`.

A tie over ``t`` positions gives each member ``1/t`` of each of those ranks, ``1/t`` of a first
place and ``1/2`` of a pairwise win. The functions without an underscore that are not listed
above (:func:`rank_tally`, :func:`counts_of`, :func:`central_from_sums`, ...) are the building
blocks the streaming tally (:mod:`.tally`) and the driver (:mod:`.driver`) share with these
kernels, so that both count in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from nsra.engine.inputs import FloatArray, IntArray
from nsra.engine.ranking import RTOL, competition_ranks, tied

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

    ``totals`` is (N, S), ranked row by row by nsra's one tie rule,
    :func:`nsra.engine.ranking.competition_ranks` (neighbours ``a >= b`` tie when
    ``a - b <= rtol * max(|a|, |b|)``, chained; equal infinities tie, an infinite and a finite
    total never do). NaN is refused: every scenario needs a value in every sample.
    """
    t = np.asarray(totals, dtype=float)
    if t.ndim != 2:
        raise ValueError(f"totals must be samples x scenarios (N, S); got shape {t.shape}")
    refuse_nan(t)
    return competition_ranks(t, rtol)


# -- summaries over ranks ----------------------------------------------------------------------


def _tie_sizes(ranks: IntArray) -> IntArray:
    """For each entry, how many entries of its row share its rank."""
    n, s = ranks.shape
    key = (np.arange(n, dtype=np.int64)[:, None] * (s + 1) + ranks).ravel()
    per = np.bincount(key, minlength=n * (s + 1))
    return np.asarray(per[key].reshape(n, s), dtype=np.int64)


def rank_tally(ranks: IntArray) -> tuple[IntArray, FloatArray]:
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


def counts_of(direct: IntArray, diff: FloatArray, s: int) -> FloatArray:
    frac = np.cumsum(diff.reshape(s, s + 1), axis=1)[:, :s]
    out = direct.reshape(s, s).astype(float) + np.clip(frac, 0.0, None)
    return np.asarray(out, dtype=float)


def rank_counts(ranks: IntArray) -> FloatArray:
    """Rank acceptability *counts* (S, S): row = scenario, column = rank - 1; ties split evenly.

    Every row and every column adds up to the number of samples.
    """
    r = _check_ranks(ranks)
    direct, diff = rank_tally(r)
    return counts_of(direct, diff, r.shape[1])


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
    return central_from_sums(f.T @ w, f.T @ (w * w), f.sum(axis=0))


def central_from_sums(
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
    out[cols] = confidence_counts(v, sc, cw[cols], cols, rtol) / max(n, 1)
    return out


def confidence_counts(
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
        refuse_nan(tot)
    alone = (own > other) & ~tied(own, other, rtol)  # first, and not tied with the next
    with np.errstate(invalid="ignore", over="ignore"):
        # below the best of the others by more than any chain of s - 1 tied neighbours spans;
        # the rest (near the top, or infinite) is ranked by the rule itself
        out_ = other - own > s * rtol * np.maximum(np.abs(own), np.abs(other))
    counts = np.asarray(alone.sum(axis=0), dtype=float)
    unsure = ~(alone | out_)
    if np.any(unsure):
        rows, col = np.nonzero(unsure)
        ranks = smaa_ranks(tot[rows, col, :], rtol)
        share = first_shares(ranks)[np.arange(rows.shape[0]), cols[col]]
        counts += weighted_count(col, share, j)
    return counts


def weighted_count(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """``np.bincount`` with weights, as floats of length ``size``."""
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=float)


def pairwise_winning(ranks: IntArray) -> FloatArray:
    """Pairwise winning indices ``c_ij`` (S, S): share of samples where i ranks above j; a tie
    counts one half for each; ``c_ij + c_ji = 1`` and the diagonal is 0."""
    r = _check_ranks(ranks)
    n, s = r.shape
    small = _small_ranks(r - 1, s)
    wins = pair_wins(small)
    tied = np.flatnonzero(r.sum(axis=1) < s * (s + 1) // 2)
    ties = pair_ties(small[tied]) if tied.shape[0] else np.zeros(s * s, dtype=np.int64)
    return pairwise_of(wins, ties, s, n)


def pairwise_of(wins: IntArray, ties: IntArray, s: int, n: int) -> FloatArray:
    out = (wins.reshape(s, s) + 0.5 * ties.reshape(s, s)) / max(n, 1)
    np.fill_diagonal(out, 0.0)
    return np.asarray(out, dtype=float)


def small_dtype(s: int) -> type[np.unsignedinteger[Any]]:
    if s <= 1 << 8:
        return np.uint8
    if s <= 1 << 16:
        return np.uint16
    return np.uint32


def _small_ranks(index: IntArray, s: int) -> SmallArray:
    return np.asarray(index, dtype=small_dtype(s))


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


def pair_wins(r: SmallArray) -> IntArray:
    """How often i's rank index is below (better than) j's, (S*S,)."""
    return _pair_compare(r, np.less)


def pair_ties(r: SmallArray) -> IntArray:
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


# -- checks ------------------------------------------------------------------------------------


def _check_ranks(ranks: IntArray) -> IntArray:
    r = np.asarray(ranks)
    if r.ndim != 2:
        raise ValueError(f"ranks must be samples x scenarios (N, S); got shape {r.shape}")
    if r.size and (r.min() < 1 or r.max() > r.shape[1]):
        raise ValueError(f"ranks must lie between 1 and {r.shape[1]} (the number of scenarios)")
    return np.asarray(r, dtype=np.int64)


def refuse_nan(a: FloatArray) -> None:
    if np.isnan(a).any():
        where = np.argwhere(np.isnan(a))[0]
        raise ValueError(
            f"SMAA needs a number for every scenario in every sample; found NaN at index "
            f"{tuple(int(i) for i in where)} (a criterion not assessed? give it a value, e.g. 0)"
        )

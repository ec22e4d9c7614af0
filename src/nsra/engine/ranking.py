"""Ranking: higher risk, better (lower) rank; ties explicit, never by list order.

The one tie rule of nsra (docs/decisions.md, "Ranking"), used by the computation, Monte Carlo,
sensitivity, weight profiles and SMAA:

* competition ranking ("1224"): rank 1 for the highest value, tied values share the best rank
  and the ranks after a tie are skipped;
* two neighbours in decreasing order ``a >= b`` tie when ``a - b <= rtol * max(|a|, |b|)``
  (:data:`RTOL` = 1e-12, so that a sum computed in another order does not break a tie), and
  ties chain along the sorted values: ``a`` ties ``b`` and ``b`` ties ``c`` puts all three
  together even if ``a`` and ``c`` are further apart;
* equal infinities tie; an infinite and a finite value never do;
* NaN means "not ranked": rank 0, and it takes no place from the ranked values.

:func:`tied` is the rule between two neighbours; :func:`competition_ranks` ranks every row of an
array with it, and :func:`competition_rank` is the same for one row.
"""

from __future__ import annotations

import numpy as np

from nsra.engine.inputs import BoolArray, FloatArray, IntArray

RTOL = 1e-12
"""Relative tolerance under which two values tie."""


def tied(higher: FloatArray, lower: FloatArray, rtol: float = RTOL) -> BoolArray:
    """Whether neighbours ``higher >= lower`` (in decreasing order) tie, element-wise.

    True when the values are equal (infinities of one sign included), or both are finite and
    ``higher - lower <= rtol * max(|higher|, |lower|)``. False where either is NaN.
    """
    a = np.asarray(higher, dtype=float)
    b = np.asarray(lower, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        close = (a - b) <= rtol * np.maximum(np.abs(a), np.abs(b))
    out: BoolArray = (a == b) | (close & np.isfinite(a) & np.isfinite(b))
    return out


def competition_ranks(values: FloatArray, rtol: float = RTOL) -> IntArray:
    """Competition ranks of every row of ``values`` shaped (N, S): (N, S) integers.

    Rank 1 for the highest value of a row; values that tie (:func:`tied`, chained along the
    values in decreasing order) share the best rank of their group; NaN gets rank 0.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise ValueError(f"values to rank row by row must be (N, S); got shape {v.shape}")
    n, s = v.shape
    order = np.argsort(-v, axis=1)  # decreasing, NaN last; the order within a tie is irrelevant
    sorted_v = np.take_along_axis(v, order, axis=1)
    new_group = np.ones((n, s), dtype=bool)
    new_group[:, 1:] = ~tied(sorted_v[:, :-1], sorted_v[:, 1:], rtol)
    positions = np.arange(1, s + 1, dtype=np.int64)
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0), axis=1)
    ranks = np.empty((n, s), dtype=np.int64)
    np.put_along_axis(ranks, order, group_start, axis=1)
    ranks[np.isnan(v)] = 0
    return ranks


def competition_rank(values: FloatArray, rtol: float = RTOL) -> IntArray:
    """Competition ranks of a one-dimensional array of values (S,): see
    :func:`competition_ranks`."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values to rank must be one-dimensional (S,); got shape {v.shape}")
    out: IntArray = competition_ranks(v[None, :], rtol)[0]
    return out


def rank_order(rank: IntArray) -> IntArray:
    """Indices of scenarios by rank (1 first), tied ranks in their given order, the unranked
    (rank 0) last: the order of every ranked list nsra writes."""
    r = np.asarray(rank, dtype=np.int64)
    key = np.where(r > 0, r, np.iinfo(np.int64).max)
    return np.asarray(np.argsort(key, kind="stable"), dtype=np.int64)

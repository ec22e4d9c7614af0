"""Ranking: higher risk, better (lower) rank; ties explicit, never by list order."""

from __future__ import annotations

import numpy as np

from nsra.engine.inputs import FloatArray, IntArray


def competition_rank(values: FloatArray, rtol: float = 1e-12) -> IntArray:
    """Rank 1 for the highest value; equal values share the best rank ("1224" ranking).

    Values within ``rtol`` of each other count as equal, so that a sum computed in another order
    does not break a tie. NaN values get rank 0 (not ranked).
    """
    v = np.asarray(values, dtype=float)
    ranks = np.zeros(v.shape[0], dtype=np.int64)
    ok = ~np.isnan(v)
    if not np.any(ok):
        return ranks
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(-v[idx], kind="stable")]
    sorted_v = v[order]
    scale = np.maximum(np.abs(sorted_v[:-1]), np.abs(sorted_v[1:]))
    new_group = np.concatenate(([True], (sorted_v[:-1] - sorted_v[1:]) > rtol * scale))
    positions = np.arange(1, order.shape[0] + 1)
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0))
    ranks[order] = group_start
    return ranks


def competition_ranks(values: FloatArray, rtol: float = 1e-12) -> IntArray:
    """:func:`competition_rank` of every row of ``values`` shaped (N, S), vectorised."""
    v = np.asarray(values, dtype=float)
    n, s = v.shape
    key = np.where(np.isnan(v), -np.inf, v)
    order = np.argsort(-key, axis=1, kind="stable")
    sorted_v = np.take_along_axis(key, order, axis=1)
    with np.errstate(invalid="ignore"):
        scale = np.maximum(np.abs(sorted_v[:, :-1]), np.abs(sorted_v[:, 1:]))
        gap = (sorted_v[:, :-1] - sorted_v[:, 1:]) > rtol * scale
    new_group = np.concatenate((np.ones((n, 1), dtype=bool), gap), axis=1)
    positions = np.broadcast_to(np.arange(1, s + 1), (n, s))
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0), axis=1)
    ranks = np.empty((n, s), dtype=np.int64)
    np.put_along_axis(ranks, order, group_start, axis=1)
    ranks[np.isnan(v)] = 0
    return ranks

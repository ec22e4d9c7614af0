"""SMAA-2 kernels (nsra.analysis.smaa.kernels): exact values on small arrays, and SMAA's ranks
by nsra's one tie rule."""

from __future__ import annotations

import numpy as np
import pytest

from nsra.analysis.smaa import (
    first_shares,
    holistic_acceptability,
    meta_weights,
    pairwise_winning,
    rank_counts,
    smaa_ranks,
    smaa_values,
)
from nsra.analysis.smaa.kernels import rank_tally
from nsra.engine.ranking import competition_rank, competition_ranks


def test_ties_within_tolerance_but_not_beyond() -> None:
    # totals differ by a rounding error: a tie; by 1e-9 relative: an order
    tot = np.array([[1.0, 1.0 + 1e-15, 0.5], [1.0, 1.0 + 1e-9, 0.5]])
    ranks = smaa_ranks(tot)
    np.testing.assert_array_equal(ranks, [[1, 1, 3], [2, 1, 3]])
    for row in tot:
        np.testing.assert_array_equal(smaa_ranks(row[None])[0], competition_rank(row))
    # infinities of one sign tie; an infinite and a finite total never do
    inf = np.inf
    np.testing.assert_array_equal(smaa_ranks(np.array([[inf, 1.0, inf, -inf]])), [[1, 3, 1, 4]])


def test_smaa_ranks_by_the_one_rule() -> None:
    inf = np.inf
    tot = np.array([[inf, 5.0, 1.0], [5.0, 5.0, 1.0], [inf, inf, 1.0], [-1.0, -inf, -inf]])
    np.testing.assert_array_equal(smaa_ranks(tot), [[1, 2, 3], [1, 1, 3], [1, 1, 3], [1, 2, 2]])
    np.testing.assert_array_equal(smaa_ranks(tot), competition_ranks(tot))


def test_kernels_on_small_arrays() -> None:
    ranks = np.array([[1, 2, 3], [1, 1, 3], [2, 1, 3], [3, 1, 1]])
    counts = rank_counts(ranks)
    np.testing.assert_allclose(
        counts, [[1.5, 1.5, 1.0], [2.0, 2.0, 0.0], [0.5, 0.5, 3.0]], atol=1e-12
    )
    np.testing.assert_allclose(counts.sum(axis=0), 4)
    np.testing.assert_allclose(first_shares(ranks)[3], [0, 0.5, 0.5])
    np.testing.assert_allclose(
        pairwise_winning(ranks), [[0, 0.375, 0.75], [0.625, 0, 0.875], [0.25, 0.125, 0]]
    )
    np.testing.assert_allclose(meta_weights(4), [1, 2 / 3, 1 / 3, 0])
    np.testing.assert_allclose(meta_weights(3, "inverse"), [1, 0.5, 1 / 3])
    np.testing.assert_allclose(
        holistic_acceptability(np.eye(3)[::-1], [1.0, 0.25, 0.0]), [0.0, 0.25, 1.0]
    )
    # values: (S, K) with a scale, and (N, S, K)
    w = np.array([[0.5, 0.5], [1.0, 0.0]])
    v = np.array([[2.0, 4.0], [1.0, 1.0]])
    np.testing.assert_allclose(smaa_values(v, w, np.array([0.5, 2.0])), [[1.5, 2.0], [1.0, 2.0]])
    np.testing.assert_allclose(smaa_values(np.stack([v, 2 * v]), w), [[3.0, 1.0], [4.0, 2.0]])


def test_the_tally_of_ranks_splits_a_tie_evenly() -> None:
    # the tally of ranks on its own: a tie of two gives halves
    direct, diff = rank_tally(np.array([[1, 1, 3]]))
    assert direct.tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    np.testing.assert_allclose(diff.reshape(3, 4)[:2], [[0.5, 0, -0.5, 0]] * 2)


def test_smaa_ranks_refuse_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        smaa_ranks(np.array([[1.0, np.nan]]))

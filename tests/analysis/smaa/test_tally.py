"""SMAA-2's streaming tally (nsra.analysis.smaa.tally): the fast integer-key ranking of the hot
loop gives the sums of the kernels on ranks by nsra's one tie rule."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nsra.analysis.smaa import (
    RTOL,
    first_shares,
    pairwise_winning,
    rank_counts,
    smaa_ranks,
)
from nsra.analysis.smaa.tally import tally_block
from nsra.analysis.weights import uniform_simplex
from tests.helpers import ranks_by_rule, tie_prone_array

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def _assert_tally_matches_kernels(tot: FloatArray, w: FloatArray, rtol: float = RTOL) -> None:
    """The fast tally of a block equals the kernels' sums on the ranks of the rule written out
    (``helpers.ranks_by_rule``), which SMAA's own ranks equal too."""
    tally = tally_block(tot.copy(), w, rtol, pairwise=True)
    ranks = np.array([ranks_by_rule(row, rtol) for row in tot.tolist()], dtype=np.int64)
    np.testing.assert_array_equal(smaa_ranks(tot, rtol), ranks)
    s = tot.shape[1]
    frac = np.clip(np.cumsum(tally.diff.reshape(s, s + 1), axis=1)[:, :s], 0, None)
    np.testing.assert_allclose(tally.direct.reshape(s, s) + frac, rank_counts(ranks), atol=1e-9)
    f = first_shares(ranks)
    np.testing.assert_allclose(tally.cw_sum.reshape(s, -1), f.T @ w, atol=1e-12)
    assert tally.wins is not None and tally.ties is not None
    pw = (tally.wins.reshape(s, s) + 0.5 * tally.ties.reshape(s, s)) / tot.shape[0]
    np.fill_diagonal(pw, 0)
    np.testing.assert_allclose(pw, pairwise_winning(ranks), atol=1e-12)


def test_fast_ranking_handles_near_ties_signs_zeros_and_infinities() -> None:
    x = 0.3
    rows = [
        [x, x * (1 + 4e-13), x * (1 + 3e-12), 0.1],  # tie, then a gap just beyond rtol
        [x, np.nextafter(x, 1), np.nextafter(np.nextafter(x, 1), 1), x],  # four within ulps
        [-1.0, -1.0 * (1 + 5e-13), 2.0, -3.0],  # negative totals, a tie among them
        [0.0, -0.0, 1e-320, 0.0],  # zeros of both signs and a subnormal
        [np.inf, 1.0, np.inf, -np.inf],
        [1e300, -1e300, 0.5, 1e-300],
        [5.0, 4.0, 3.0, 2.0],
    ]
    tot = np.array(rows)
    w = uniform_simplex(tot.shape[0], 3, np.random.default_rng(0))
    _assert_tally_matches_kernels(tot, w)
    _assert_tally_matches_kernels(tot, w, rtol=0.0)  # only equal totals tie: ulps matter
    _assert_tally_matches_kernels(tot, w, rtol=1e-6)
    # many rows: the fast path and the exact ranks agree row by row
    rng = np.random.default_rng(1)
    big = rng.random((3_000, 7))
    big[::3, 2] = big[::3, 5]
    big[1::7, 0] = big[1::7, 1] * (1 + 1e-13)
    _assert_tally_matches_kernels(big, uniform_simplex(3_000, 3, rng))


@given(
    st.lists(st.integers(-3, 3), min_size=2, max_size=40),
    st.integers(1, 9),
    st.integers(0, 2**31),
)
def test_fast_ranking_property(pool: list[int], s: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = np.array(pool, dtype=float) * 0.37
    tot = rng.choice(base, size=(50, s))
    nudge = rng.integers(-2, 3, size=tot.shape)  # a few ulps either way
    tot = tot + nudge * np.spacing(np.abs(tot) + 1e-300)
    w = uniform_simplex(50, 2, rng)
    _assert_tally_matches_kernels(tot, w)
    _assert_tally_matches_kernels(tot, w, rtol=0.0)


@given(st.integers(1, 9), st.sampled_from([RTOL, 0.0, 1e-6, 2**-20]), st.integers(0, 2**31))
def test_fast_ranking_follows_the_rule(s: int, rtol: float, seed: int) -> None:
    """Exact ties, near ties within, at and just beyond the tolerance, chains of them, a few ulps
    apart, signed zeros, huge, subnormal and infinite totals of both signs."""
    rng = np.random.default_rng(seed)
    tot = tie_prone_array(rng, (60, s), rtol)
    _assert_tally_matches_kernels(tot, uniform_simplex(60, 3, rng), rtol)


def test_the_rule_as_stated_in_the_hot_loop() -> None:
    inf = np.inf
    tot = np.array([[inf, 5.0, 1.0], [5.0, 5.0, 1.0], [inf, inf, 1.0], [1.0, -inf, -inf]])
    tally = tally_block(tot.copy(), np.full((4, 1), 1.0), RTOL, pairwise=True)
    s = 3
    frac = np.clip(np.cumsum(tally.diff.reshape(s, s + 1), axis=1)[:, :s], 0, None)
    # rows: ranks 1 2 3 | 1 1 3 | 1 1 3 | 1 2 2; the first scenario: rank 1 in rows 1, 4 and a
    # half of ranks 1 and 2 in rows 2, 3
    np.testing.assert_allclose(
        tally.direct.reshape(s, s) + frac, [[3.0, 1.0, 0.0], [1.0, 2.5, 0.5], [0.0, 0.5, 3.5]]
    )

"""nsra's one tie rule (nsra.engine.ranking; docs/decisions.md, "Ranking").

Competition ranking ("1224"), rank 1 for the highest; neighbours ``a >= b`` in decreasing order
tie when ``a - b <= rtol * max(|a|, |b|)`` (rtol 1e-12), chained along the sorted values; equal
infinities tie, an infinite and a finite value never do; NaN is not ranked (rank 0). The rule's
statements first, then the vectorised kernel against the rule written out plainly
(``helpers.ranks_by_rule``) over values full of exact and near ties.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.engine.ranking import RTOL, competition_rank, competition_ranks, rank_order, tied
from tests.helpers import ranks_by_rule, tie_prone_values

INF = math.inf
NAN = math.nan


def ranks(values: list[float], rtol: float = RTOL) -> list[int]:
    out: list[int] = competition_rank(np.array(values), rtol).tolist()
    return out


# -- the rule, stated ------------------------------------------------------------------------------
def test_ties_share_the_best_rank_1224() -> None:
    assert competition_rank(np.array([5.0, 3.0, 3.0, 1.0])).tolist() == [1, 2, 2, 4]
    assert ranks([5.0, 5.0, 1.0]) == [1, 1, 3]


def test_ranking_ignores_list_order() -> None:
    assert competition_rank(np.array([1.0, 3.0, 5.0, 3.0])).tolist() == [4, 2, 1, 2]


def test_all_equal_share_rank_one() -> None:
    assert competition_rank(np.array([2.0, 2.0, 2.0])).tolist() == [1, 1, 1]


def test_near_equal_sums_tie_and_nan_is_not_ranked() -> None:
    a = 0.1 + 0.2
    b = 0.3  # differs from a in the last bit
    assert a != b
    assert competition_rank(np.array([a, math.nan, b, 0.05])).tolist() == [1, 0, 1, 3]
    assert competition_rank(np.array([math.nan, math.nan])).tolist() == [0, 0]


@given(st.lists(st.integers(0, 4), min_size=1, max_size=12))
def test_competition_rank_property(values: list[int]) -> None:
    """Rank = 1 + the number of strictly higher values."""
    v = np.array(values, dtype=float)
    expected = [1 + int(np.sum(v > x)) for x in v]
    assert competition_rank(v).tolist() == expected


def test_an_infinite_and_a_finite_value_never_tie() -> None:
    assert ranks([INF, 5.0, 1.0]) == [1, 2, 3]
    assert ranks([1.0, -INF, 5.0]) == [2, 3, 1]
    assert ranks([1e308, INF, -1e308, -INF]) == [2, 1, 3, 4]


def test_equal_infinities_tie() -> None:
    assert ranks([INF, INF, 1.0]) == [1, 1, 3]
    assert ranks([-INF, 1.0, -INF]) == [2, 1, 2]


def test_ties_within_the_tolerance_and_not_beyond() -> None:
    x = 1.0
    assert ranks([x, x * (1 - 0.9e-12)]) == [1, 1]
    assert ranks([x, x * (1 - 1.1e-12)]) == [1, 2]
    # relative to the larger magnitude, for negative values too
    assert ranks([-x * (1 + 0.9e-12), -x, -2.0]) == [1, 1, 3]
    assert ranks([-x * (1 + 1.1e-12), -x, -2.0]) == [2, 1, 3]
    # another tolerance, and a gap of exactly the tolerance (a tie: "<=")
    assert ranks([1.0, 0.9999, 0.99], rtol=1e-3) == [1, 1, 3]
    assert ranks([2.0, 1.0, 0.5], rtol=0.5) == [1, 1, 1]
    assert ranks([-1.0, -2.0, -4.0], rtol=0.5) == [1, 1, 1]
    # ... of the larger magnitude of the two: 1 - 2^-20 and 1 - 2^-19 are 2^-20 apart, more
    # than 2^-20 * (1 - 2^-20)
    assert ranks([1.0, 1.0 - 2**-20, 1.0 - 2**-19], rtol=2**-20) == [1, 1, 3]
    assert ranks([1.0, np.nextafter(1.0, 0.0)], rtol=0.0) == [1, 2]


def test_ties_chain_along_the_sorted_values() -> None:
    # a ties b, b ties c: one group, although a and c are 1.8e-12 apart
    a, b, c = 1.0, 1.0 - 0.9e-12, 1.0 - 1.8e-12
    assert ranks([c, a, 0.5, b]) == [1, 1, 4, 1]
    # without b, a and c are apart
    assert ranks([c, a, 0.5]) == [2, 1, 3]


def test_signed_zeros_tie_and_nan_takes_no_place() -> None:
    assert ranks([0.0, -0.0, -1.0]) == [1, 1, 3]
    assert ranks([1.0, NAN, -INF]) == [1, 0, 2]
    assert ranks([NAN, INF, INF, -INF]) == [0, 1, 1, 3]


def test_the_neighbour_rule() -> None:
    higher = np.array([INF, INF, -INF, 1e308, 1.0, 1.0, NAN, NAN, 0.0])
    lower = np.array([5.0, INF, -INF, -1e308, 1.0 - 0.9e-12, 1.0 - 1.1e-12, 1.0, NAN, -0.0])
    expected = [False, True, True, False, True, False, False, False, True]
    assert tied(higher, lower).tolist() == expected


def test_rows_are_ranked_one_by_one_and_shapes_are_checked() -> None:
    rows = np.array([[INF, 5.0, 1.0], [5.0, 5.0, 1.0], [NAN, 1.0, 1.0]])
    assert competition_ranks(rows).tolist() == [[1, 2, 3], [1, 1, 3], [0, 1, 1]]
    assert competition_ranks(np.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(ValueError, match=r"\(N, S\)"):
        competition_ranks(np.zeros(3))
    with pytest.raises(ValueError, match=r"one-dimensional"):
        competition_rank(np.zeros((2, 2)))


# -- the kernel against the rule written out -------------------------------------------------------
@given(st.data(), st.sampled_from([RTOL, 0.0, 1e-6, 2**-20]))
def test_kernel_follows_the_rule(data: st.DataObject, rtol: float) -> None:
    values = data.draw(tie_prone_values(rtol))
    assert ranks(values, rtol) == ranks_by_rule(values, rtol)


@given(st.data(), st.integers(1, 6), st.sampled_from([RTOL, 0.0]))
def test_rows_follow_the_rule_and_list_order_does_not_matter(
    data: st.DataObject, size: int, rtol: float
) -> None:
    rows = [data.draw(tie_prone_values(rtol, max_size=size)) for _ in range(4)]
    width = min(len(r) for r in rows)
    table = np.array([r[:width] for r in rows])
    got = competition_ranks(table, rtol)
    for row, r in zip(table, got, strict=True):
        assert r.tolist() == ranks_by_rule(row.tolist(), rtol)
    perm = np.random.default_rng(width).permutation(width)
    np.testing.assert_array_equal(competition_ranks(table[:, perm], rtol), got[:, perm])


def test_rank_order_lists_ranked_first_ties_in_given_order_unranked_last() -> None:
    rank = np.array([0, 3, 1, 1, 0, 4])
    assert rank_order(rank).tolist() == [2, 3, 1, 5, 0, 4]
    assert rank_order(np.zeros(0, dtype=np.int64)).tolist() == []

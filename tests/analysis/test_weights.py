"""Weight samplers (nsra.analysis.weights): uniform on their region of the simplex (known means,
brute-force rejection), the constraints they promise, and clear refusals."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nsra.analysis.weights import (
    FixedWeights,
    IntervalWeights,
    OrdinalWeights,
    PartialOrderWeights,
    UniformWeights,
    uniform_simplex,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]


def _within(sample: FloatArray, expected: FloatArray, z: float = 4.0) -> None:
    se = sample.std(axis=0, ddof=1) / np.sqrt(sample.shape[0])
    assert np.all(np.abs(sample.mean(axis=0) - expected) <= z * se + 1e-12), (
        sample.mean(axis=0),
        expected,
    )


def test_uniform_weights() -> None:
    w = UniformWeights(4).sample(50_000, np.random.default_rng(0))
    assert w.shape == (50_000, 4)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert np.all(w >= 0)
    _within(w, np.full(4, 0.25))
    # marginal of Dirichlet(1,1,1,1): Beta(1, 3), variance 3 / 80
    np.testing.assert_allclose(w.var(axis=0), 3 / 80, rtol=0.05)
    np.testing.assert_array_equal(
        FixedWeights((1.0, 3.0))(2, np.random.default_rng(0)), [[0.25, 0.75]] * 2
    )


def test_ordinal_weights_respect_the_order_and_are_uniform() -> None:
    sampler = OrdinalWeights.of([2, 0, 1])  # w2 >= w0 >= w1
    w = sampler.sample(200_000, np.random.default_rng(1))
    assert np.all(w[:, 2] >= w[:, 0]) and np.all(w[:, 0] >= w[:, 1])
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    _within(w[:, [2, 0, 1]], np.array([11, 5, 2]) / 18)
    # groups: criteria 0 and 1 unordered, both at least criterion 2
    w = OrdinalWeights.of([[0, 1], 2]).sample(200_000, np.random.default_rng(2))
    assert np.all(np.minimum(w[:, 0], w[:, 1]) >= w[:, 2])
    _within(w, np.array([8, 8, 2]) / 18)
    assert 0.49 < np.mean(w[:, 0] > w[:, 1]) < 0.51
    # same as rejection from uniform weights (K = 4, groups [[3], [0, 2], [1]])
    _same_as_rejection(
        OrdinalWeights.of([3, [0, 2], 1]),
        lambda u: (np.minimum(u[:, 0], u[:, 2]) >= u[:, 1]) & (u[:, 3] >= u.max(axis=1)),
        4,
    )
    with pytest.raises(ValueError, match=r"criteria \[1\] are missing"):
        OrdinalWeights.of([0, 2], k=3)
    with pytest.raises(ValueError, match="twice"):
        OrdinalWeights.of([0, [1, 0]])
    with pytest.raises(ValueError, match="there are 2 criteria"):
        OrdinalWeights.of([0, 2], k=2)


def _same_as_rejection(sampler: Any, accept: Any, k: int) -> None:
    rng = np.random.default_rng(5)
    u = uniform_simplex(600_000, k, rng)
    ref = u[accept(u)]
    w = sampler.sample(ref.shape[0], rng)
    assert np.all(accept(w))
    se = np.sqrt(ref.var(axis=0) / ref.shape[0] + w.var(axis=0) / w.shape[0])
    assert np.all(np.abs(w.mean(axis=0) - ref.mean(axis=0)) <= 4 * se), (w.mean(0), ref.mean(0))
    np.testing.assert_allclose(w.std(axis=0), ref.std(axis=0), rtol=0.03)


def test_partial_order_weights() -> None:
    sampler = PartialOrderWeights(3, ((0, 1), (0, 2)))  # w0 >= w1 and w0 >= w2
    assert sampler.orderings == 2
    w = sampler.sample(200_000, np.random.default_rng(3))
    assert np.all(w[:, 0] >= w[:, 1]) and np.all(w[:, 0] >= w[:, 2])
    _within(w, np.array([22, 7, 7]) / 36)
    # a poset that is not a ranking of groups: 0 >= 1, 2 >= 1, 2 >= 3
    poset = PartialOrderWeights(4, ((0, 1), (2, 1), (2, 3)))
    assert poset.orderings == 5
    _same_as_rejection(
        poset,
        lambda u: (u[:, 0] >= u[:, 1]) & (u[:, 2] >= u[:, 1]) & (u[:, 2] >= u[:, 3]),
        4,
    )
    assert PartialOrderWeights(4, ()).orderings == 24
    with pytest.raises(ValueError, match="contradict"):
        PartialOrderWeights(3, ((0, 1), (1, 2), (2, 0)))


def test_interval_weights() -> None:
    lower, upper = (0.1, 0.0, 0.2, 0.0), (0.5, 0.3, 0.6, 1.0)
    sampler = IntervalWeights(lower, upper)
    w = sampler.sample(100_000, np.random.default_rng(4))
    assert np.all(w >= np.array(lower) - 1e-15) and np.all(w <= np.array(upper) + 1e-15)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)

    def inside(u: FloatArray) -> Any:
        return np.all((u >= np.array(lower)) & (u <= np.array(upper)), axis=1)

    _same_as_rejection(sampler, inside, 4)
    # the exact acceptance rate matches brute force on the transformed simplex
    cap = (np.array(upper) - lower) / (1 - sum(lower))
    v = uniform_simplex(400_000, 4, np.random.default_rng(6))
    assert abs(np.mean(np.all(v <= cap, axis=1)) - sampler.acceptance) < 0.004
    # a fixed weight, and fully fixed weights
    fixed = IntervalWeights((0.25, 0.0, 0.0), (0.25, 1.0, 1.0)).sample(10, np.random.default_rng(0))
    np.testing.assert_allclose(fixed[:, 0], 0.25)
    np.testing.assert_allclose(
        IntervalWeights((0.5, 0.5), (0.5, 0.5)).sample(3, np.random.default_rng(0)), 0.5
    )
    with pytest.raises(ValueError, match="too narrow"):
        IntervalWeights((0.0,) * 8, (0.13,) * 8)
    with pytest.raises(ValueError, match=r"add up to 1\.2"):
        IntervalWeights((0.6, 0.6), (1.0, 1.0))
    with pytest.raises(ValueError, match=r"upper bounds of the weights add up to 0\.5"):
        IntervalWeights((0.0, 0.0), (0.25, 0.25))
    with pytest.raises(ValueError, match="criterion 1"):
        IntervalWeights((0.0, 0.5), (1.0, 0.4))


# -- invariants over random preferences ----------------------------------------------------------
def _on_the_simplex(w: FloatArray, n: int, k: int) -> None:
    assert w.shape == (n, k)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@st.composite
def rankings(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """A ranking of k criteria in groups: a random order cut into consecutive groups."""
    k = draw(st.integers(1, 7))
    order = draw(st.permutations(range(k)))
    cuts = sorted(set(draw(st.lists(st.integers(1, max(k - 1, 1)), max_size=k - 1))) - {k})
    bounds = [0, *cuts, k]
    return k, [list(order[a:b]) for a, b in itertools.pairwise(bounds)]


@given(rankings(), st.integers(0, 2**31))
def test_ordinal_weights_keep_every_group_above_the_next(
    ranking: tuple[int, list[list[int]]], seed: int
) -> None:
    k, groups = ranking
    w = OrdinalWeights.of(groups, k).sample(300, np.random.default_rng(seed))
    _on_the_simplex(w, 300, k)
    for above, below in itertools.pairwise(groups):
        assert np.all(w[:, above].min(axis=1) >= w[:, below].max(axis=1))


@st.composite
def partial_orders(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    """Statements a >= b that follow a hidden order of the criteria (so never a cycle)."""
    k = draw(st.integers(1, 6))
    order = draw(st.permutations(range(k)))
    pairs = [(order[i], order[j]) for i in range(k) for j in range(i + 1, k)]
    return k, [p for p in pairs if draw(st.booleans())]


@given(partial_orders(), st.integers(0, 2**31))
def test_partial_order_weights_keep_every_statement_and_count_the_orderings(
    poset: tuple[int, list[tuple[int, int]]], seed: int
) -> None:
    k, at_least = poset
    sampler = PartialOrderWeights(k, tuple(at_least))
    # the number of consistent orderings, by brute force over all orderings
    position = [{c: i for i, c in enumerate(p)} for p in itertools.permutations(range(k))]
    assert sampler.orderings == sum(all(pos[a] < pos[b] for a, b in at_least) for pos in position)
    w = sampler.sample(300, np.random.default_rng(seed))
    _on_the_simplex(w, 300, k)
    for a, b in at_least:
        assert np.all(w[:, a] >= w[:, b])


@given(
    st.lists(st.tuples(st.floats(0.0, 0.25), st.floats(0.0, 1.0)), min_size=1, max_size=5),
    st.integers(0, 2**31),
)
def test_interval_weights_stay_within_their_bounds(
    bounds: list[tuple[float, float]], seed: int
) -> None:
    lower = tuple(lo for lo, _ in bounds)
    upper = tuple(min(1.0, lo + width) for lo, width in bounds)
    assume(sum(lower) <= 1 and sum(upper) >= 1)
    try:
        sampler = IntervalWeights(lower, upper, min_acceptance=0.01)
    except ValueError as exc:
        assert "too narrow" in str(exc)
        return
    w = sampler.sample(300, np.random.default_rng(seed))
    _on_the_simplex(w, 300, len(bounds))
    assert np.all(w >= np.array(lower) - 1e-12) and np.all(w <= np.array(upper) + 1e-12)


@given(st.integers(1, 6), st.integers(0, 40), st.integers(0, 2**31))
def test_uniform_and_fixed_weights_are_on_the_simplex_and_seeded(k: int, n: int, seed: int) -> None:
    uniform = UniformWeights(k)
    w = uniform.sample(n, np.random.default_rng(seed))
    _on_the_simplex(w, n, k)
    np.testing.assert_array_equal(w, uniform(n, np.random.default_rng(seed)))
    raw = tuple(float(i + 1) for i in range(k))
    fixed = FixedWeights(raw).sample(n, np.random.default_rng(seed))
    _on_the_simplex(fixed, n, k)
    np.testing.assert_allclose(fixed, np.tile(np.array(raw) / sum(raw), (n, 1)), rtol=1e-15)


# -- exact values --------------------------------------------------------------------------------
def test_interval_acceptance_exactly() -> None:
    # two criteria: w0 = v0 uniform on [0, 1], kept when w0 <= 0.6
    assert IntervalWeights((0.0, 0.0), (0.6, 1.0)).acceptance == pytest.approx(0.6, abs=1e-15)
    # three caps of 1/2: 1 - 3 (1/2)^2 (inclusion-exclusion; two caps cannot both fail)
    assert IntervalWeights((0.0,) * 3, (0.5,) * 3).acceptance == pytest.approx(0.25, abs=1e-15)
    # lower bounds 0.1 leave a slack of 0.7; caps (0.5 - 0.1) / 0.7 = 4/7: 1 - 3 (3/7)^2 = 22/49
    sampler = IntervalWeights((0.1,) * 3, (0.5,) * 3)
    assert sampler.acceptance == pytest.approx(22 / 49, abs=1e-15)


def test_refusals_say_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="not all zero"):
        FixedWeights((0.0, 0.0))
    with pytest.raises(ValueError, match="non-negative"):
        FixedWeights((1.0, -1.0))
    with pytest.raises(ValueError, match="at least one criterion"):
        UniformWeights(0)
    with pytest.raises(ValueError, match="zero or more"):
        uniform_simplex(-1, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="itself"):
        PartialOrderWeights(2, ((1, 1),))
    with pytest.raises(ValueError, match="20 at most"):
        PartialOrderWeights(21, ())

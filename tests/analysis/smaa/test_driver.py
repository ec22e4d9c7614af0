"""SMAA-2's driver (nsra.analysis.smaa.driver): exact numbers where the geometry gives them, a
plain per-sample Python loop as the reference (same seed, same blocks), the kernels on the same
samples, invariance under executors and windows, and properties over random problems with many
ties.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.analysis.chunks import Plan, block_stream
from nsra.analysis.smaa import (
    DEFAULT_N,
    RTOL,
    RangeValues,
    SmaaResult,
    central_weights,
    confidence_factors,
    holistic_acceptability,
    pairwise_winning,
    rank_acceptability,
    share_se,
    smaa,
    smaa_ranks,
    smaa_values,
)
from nsra.analysis.weights import IntervalWeights, OrdinalWeights, UniformWeights
from tests.helpers import tie_groups_by_rule

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

# A: (1, 0), B: (0, 1), C: (0.6, 0.6). With w = (w1, 1 - w1), w1 ~ U(0, 1) (Dirichlet(1, 1)):
# totals A = w1, B = 1 - w1, C = 0.6. A first iff w1 > 0.6, B first iff w1 < 0.4, C first iff
# 0.4 < w1 < 0.6; A second iff 0.5 < w1 < 0.6 (above B, below C); B second iff 0.4 < w1 < 0.5.
GEOMETRY = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.6]])
GEOMETRY_RA = np.array([[0.4, 0.1, 0.5], [0.4, 0.1, 0.5], [0.2, 0.8, 0.0]])
# central weights: E[w | w1 > 0.6] = (0.8, 0.2); E[w | w1 < 0.4] = (0.2, 0.8); C: (0.5, 0.5)
GEOMETRY_CW = np.array([[0.8, 0.2], [0.2, 0.8], [0.5, 0.5]])


# -- a plain per-sample reference ----------------------------------------------------------------


def _draw(values: Any, scale: Any, weights: Any, m: int, rng: np.random.Generator) -> Any:
    v = values(m, rng) if callable(values) else np.asarray(values, dtype=float)
    sc = scale(m, rng) if callable(scale) else scale
    w = weights(m, rng) if weights is not None else None
    return v, sc, w


def loop_smaa(
    values: Any, weights: Any, n: int, seed: int, scale: Any = None, rtol: float = RTOL
) -> dict[str, FloatArray]:
    """SMAA-2 the slow way: the driver's samples (same blocks and streams), then a Python loop
    over samples for ranks, ties, central weights, pairwise wins and confidence factors."""
    plan = Plan(n)
    counts: FloatArray | None = None
    first_w: list[list[float]] = []
    mass: list[float] = []
    wins: list[list[float]] = []
    for b in range(plan.blocks):
        m = plan.size(b)
        v, sc, w = _draw(values, scale, weights, m, block_stream(seed, b))
        tot = smaa_values(v, w, sc)  # evaluation is the kernel; the rest is plain Python
        s, k = tot.shape[1], w.shape[1]
        if counts is None:
            counts = np.zeros((s, s))
            first_w = [[0.0] * k for _ in range(s)]
            mass = [0.0] * s
            wins = [[0.0] * s for _ in range(s)]
        for i in range(m):
            row = [float(x) for x in tot[i]]
            groups = tie_groups_by_rule(row, rtol)
            place: dict[int, int] = {}
            pos = 0
            for g, members in enumerate(groups):
                for sc_ in members:
                    place[sc_] = g
                    for r in range(pos, pos + len(members)):
                        counts[sc_, r] += 1.0 / len(members)
                pos += len(members)
            for sc_ in groups[0]:
                mass[sc_] += 1.0 / len(groups[0])
                for c in range(k):
                    first_w[sc_][c] += float(w[i, c]) / len(groups[0])
            for a in range(s):
                for c in range(s):
                    if place[a] < place[c]:
                        wins[a][c] += 1.0
                    elif place[a] == place[c] and a != c:
                        wins[a][c] += 0.5
    assert counts is not None
    s = counts.shape[0]
    cw = np.array([[x / mass[i] if mass[i] > 0 else np.nan for x in first_w[i]] for i in range(s)])
    conf = [0.0] * s
    for b in range(plan.blocks):
        m = plan.size(b)
        v, sc, _ = _draw(values, scale, None, m, block_stream(seed, b))
        vv = np.broadcast_to(v, (m, *v.shape[-2:]))
        for i in range(m):
            for j in range(s):
                if mass[j] == 0:
                    continue
                tot_j = []
                for t in range(s):
                    x = sum(float(vv[i, t, c]) * float(cw[j, c]) for c in range(cw.shape[1]))
                    if sc is not None:
                        x *= float(sc[i, t] if np.ndim(sc) == 2 else sc[t])
                    tot_j.append(x)
                top = tie_groups_by_rule(tot_j, rtol)[0]
                if j in top:
                    conf[j] += 1.0 / len(top)
    return {
        "ra": counts / n,
        "cw": cw,
        "pw": np.array(wins) / n,
        "conf": np.array([conf[j] / n if mass[j] > 0 else np.nan for j in range(s)]),
    }


# -- exact cases ---------------------------------------------------------------------------------


def test_dominating_scenario_is_always_first() -> None:
    values = np.array([[5.0, 5.0, 5.0], [4.0, 5.0, 1.0], [1.0, 0.0, 4.9], [0.0, 0.0, 0.0]])
    res = smaa(values, UniformWeights(3), 20_000, seed=3)
    assert res.rank_acceptability[0, 0] == 1.0
    assert np.all(res.rank_acceptability[0, 1:] == 0.0)
    assert np.all(res.rank_acceptability[1:, 0] == 0.0)
    assert res.rank_acceptability[3, 3] == 1.0  # dominated by everyone (ties at zero weights aside)
    assert res.rank_acceptability_se[0, 0] == 0.0
    assert res.confidence is not None and res.confidence[0] == 1.0
    assert np.all(np.isnan(res.central_weights[1:]))
    # with uncertain values whose ranges never overlap, still exactly first
    low = values.copy()
    low[0] = 6.0
    ranged = RangeValues(low, low + np.array([[1.0, 1, 1], [0.5, 0, 0], [0, 0, 0], [0, 0, 0]]))
    res = smaa(ranged, UniformWeights(3), 5_000, seed=3)
    assert res.rank_acceptability[0, 0] == 1.0
    assert res.confidence is not None and res.confidence[0] == 1.0


def test_identical_scenarios_share_ranks_evenly() -> None:
    values = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]])
    res = smaa(values, UniformWeights(2), 5_000, seed=1, with_pairwise=True)
    np.testing.assert_array_equal(
        res.rank_acceptability, [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    )
    assert res.confidence is not None
    np.testing.assert_array_equal(res.confidence[:2], [0.5, 0.5])
    assert np.isnan(res.confidence[2])
    assert res.pairwise is not None
    np.testing.assert_array_equal(res.pairwise, [[0, 0.5, 1], [0.5, 0, 1], [0, 0, 0]])
    np.testing.assert_allclose(res.central_weights[0], res.central_weights[1])
    # three identical scenarios: 1/3 of each of ranks 1..3, whatever their place in the list
    values = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0], [1.0, 2.0], [1.0, 2.0]])
    values[2] = [9.0, 9.0]
    res = smaa(values, UniformWeights(2), 3_000, seed=2)
    third = np.array([0.0, 1 / 3, 1 / 3, 1 / 3, 0.0])
    for i in (1, 3, 4):
        np.testing.assert_allclose(res.rank_acceptability[i], third, rtol=0, atol=1e-12)


def test_geometry_of_two_criteria() -> None:
    n = 200_000
    res = smaa(GEOMETRY, UniformWeights(2), n, seed=11, with_pairwise=True)
    se = res.rank_acceptability_se
    assert np.all(np.abs(res.rank_acceptability - GEOMETRY_RA) <= 3 * se + 1e-12)
    # standard errors are the binomial ones of the true shares, to first order
    np.testing.assert_allclose(se, share_se(GEOMETRY_RA, n), atol=2e-4)
    assert np.all(np.abs(res.central_weights - GEOMETRY_CW) <= 3 * res.central_weights_se)
    # fixed values: each scenario is first at its own central weights, exactly
    assert res.confidence is not None and res.confidence_se is not None
    np.testing.assert_array_equal(res.confidence, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(res.confidence_se, [0.0, 0.0, 0.0])
    # A above B iff w1 > 0.5; A above C iff w1 > 0.6; C above B iff w1 > 0.4
    assert res.pairwise is not None and res.pairwise_se is not None
    expected_pw = np.array([[0, 0.5, 0.4], [0.5, 0, 0.4], [0.6, 0.6, 0]])
    assert np.all(np.abs(res.pairwise - expected_pw) <= 3 * res.pairwise_se + 1e-12)
    np.testing.assert_allclose(res.pairwise + res.pairwise.T, 1 - np.eye(3), atol=1e-12)
    # holistic acceptability with linear meta-weights (1, 0.5, 0)
    expected_h = GEOMETRY_RA @ np.array([1.0, 0.5, 0.0])
    assert np.all(np.abs(res.holistic - expected_h) <= 3 * res.holistic_se + 1e-12)


def test_standard_errors_shrink_as_one_over_root_n_and_match_the_spread() -> None:
    small = smaa(GEOMETRY, UniformWeights(2), 2_500, seed=5, with_confidence=False)
    large = smaa(GEOMETRY, UniformWeights(2), 40_000, seed=5, with_confidence=False)
    ratio = large.rank_acceptability_se[:, 0] / small.rank_acceptability_se[:, 0]
    np.testing.assert_allclose(ratio, 0.25, rtol=0.1)
    ratio_cw = large.central_weights_se / small.central_weights_se
    np.testing.assert_allclose(ratio_cw, 0.25, rtol=0.15)
    # the reported standard error is the spread of the estimate over seeds
    firsts = np.array(
        [
            smaa(GEOMETRY, UniformWeights(2), 1_000, seed=s, with_confidence=False).first[0]
            for s in range(60)
        ]
    )
    assert 0.7 < firsts.std(ddof=1) / float(share_se(np.array(0.4), 1_000)) < 1.3


def test_confidence_with_uncertain_values_is_exact_on_a_simple_case() -> None:
    # A is 1 or 3 (uniform), B is 2: A is first when its value exceeds 2, whatever the weights
    low = np.array([[1.0, 1.0], [2.0, 2.0]])
    high = np.array([[3.0, 3.0], [2.0, 2.0]])
    # same criterion range for both criteria of A, drawn independently: A's total is a weighted
    # mean of two uniforms; with central weights (c, 1 - c) it exceeds 2 with probability 1/2
    res = smaa(RangeValues(low, high), UniformWeights(2), 40_000, seed=7)
    assert res.confidence is not None and res.confidence_se is not None
    assert np.all(np.abs(res.confidence - 0.5) <= 3 * res.confidence_se)
    np.testing.assert_allclose(res.first, [0.5, 0.5], atol=0.01)


# -- the driver against the plain loop and against the kernels ------------------------------------


def _case(seed: int) -> tuple[RangeValues, RangeValues, FloatArray]:
    rng = np.random.default_rng(seed)
    low = rng.integers(0, 4, size=(5, 3)).astype(float)
    high = low + rng.integers(0, 2, size=(5, 3))
    low[3] = high[3] = low[1] = high[1]  # scenarios 1 and 3: identical and fixed
    p_low = np.full(5, 0.5)
    p_high = p_low.copy()
    p_high[0] = 1.0
    return RangeValues(low, high.astype(float)), RangeValues(p_low, p_high), low


def test_driver_equals_a_plain_loop_fixed_values() -> None:
    values = np.array([[3.0, 0.0, 1.0], [0.0, 2.0, 2.0], [1.0, 1.0, 1.0], [0.0, 2.0, 2.0]])
    scale = np.array([1.0, 0.9, 1.4, 0.9])
    n, seed = 5_000, 123  # two blocks, the last one short
    res = smaa(values, UniformWeights(3), n, seed, scale=scale, with_pairwise=True)
    ref = loop_smaa(values, UniformWeights(3), n, seed, scale=scale)
    np.testing.assert_array_equal(res.rank_acceptability, ref["ra"])
    np.testing.assert_allclose(res.central_weights, ref["cw"], rtol=1e-12)
    assert res.pairwise is not None
    np.testing.assert_array_equal(res.pairwise, ref["pw"])
    np.testing.assert_array_equal(res.confidence, ref["conf"])


def test_driver_equals_a_plain_loop_uncertain_values_and_probabilities() -> None:
    values, probability, _ = _case(4)
    n, seed = 4_500, 9
    weights = OrdinalWeights.of([[0, 2], 1])
    res = smaa(values, weights, n, seed, scale=probability, with_pairwise=True)
    ref = loop_smaa(values, weights, n, seed, scale=probability)
    np.testing.assert_array_equal(res.rank_acceptability, ref["ra"])
    np.testing.assert_allclose(res.central_weights, ref["cw"], rtol=1e-12)
    assert res.pairwise is not None
    np.testing.assert_array_equal(res.pairwise, ref["pw"])
    np.testing.assert_array_equal(res.confidence, ref["conf"])
    assert res.options.values_sampled and res.options.scale_sampled
    assert res.options.confidence_n == n


def test_driver_equals_the_kernels_on_the_same_samples() -> None:
    values, probability, _ = _case(8)
    weights = UniformWeights(3)
    n, seed = 9_000, 2
    vs, ps, ws = [], [], []
    plan = Plan(n)
    for b in range(plan.blocks):
        v, p, w = _draw(values, probability, weights, plan.size(b), block_stream(seed, b))
        vs.append(v)
        ps.append(p)
        ws.append(w)
    v, p, w = np.concatenate(vs), np.concatenate(ps), np.concatenate(ws)
    ranks = smaa_ranks(smaa_values(v, w, p))
    res = smaa(values, weights, n, seed, scale=probability, with_pairwise=True)
    np.testing.assert_allclose(res.rank_acceptability, rank_acceptability(ranks), atol=1e-12)
    np.testing.assert_allclose(res.central_weights, central_weights(ranks, w), rtol=1e-12)
    assert res.pairwise is not None
    np.testing.assert_allclose(res.pairwise, pairwise_winning(ranks), atol=1e-12)
    conf = confidence_factors(v, res.central_weights, p)
    assert res.confidence is not None
    np.testing.assert_allclose(res.confidence, conf, atol=1e-12)
    np.testing.assert_allclose(
        res.holistic, holistic_acceptability(rank_acceptability(ranks)), atol=1e-12
    )


def test_results_do_not_depend_on_executor_or_window() -> None:
    values, probability, _ = _case(1)
    args: dict[str, Any] = {"scale": probability, "with_pairwise": True}
    base = smaa(values, UniformWeights(3), 20_000, 42, **args)
    variants = [smaa(values, UniformWeights(3), 20_000, 42, window=1, **args)]
    for workers in (1, 3):
        with ThreadPoolExecutor(workers) as ex:
            variants.append(smaa(values, UniformWeights(3), 20_000, 42, executor=ex, **args))
    with ProcessPoolExecutor(2) as ex:
        variants.append(smaa(values, UniformWeights(3), 20_000, 42, executor=ex, window=2, **args))
    for other in variants:
        _assert_same(base, other)
    # a different seed gives different samples
    other = smaa(values, UniformWeights(3), 20_000, 43, **args)
    assert not np.array_equal(base.rank_acceptability, other.rank_acceptability)


def _assert_same(a: SmaaResult, b: SmaaResult) -> None:
    for name in (
        "rank_acceptability",
        "rank_acceptability_se",
        "central_weights",
        "central_weights_se",
        "holistic",
        "confidence",
        "pairwise",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_result_records_its_options_and_seed() -> None:
    res = smaa(GEOMETRY, UniformWeights(2), seed=8, meta="inverse", with_confidence=False)
    assert res.n == DEFAULT_N == 10_000 and res.seed == 8
    assert res.options.meta == "inverse" and res.options.block == 4096
    np.testing.assert_array_equal(res.meta_weights, [1.0, 0.5, 1 / 3])
    assert res.confidence is None and res.pairwise is None
    # +-0.01 at 95% for any share at the default size
    assert 1.96 * float(share_se(np.array(0.5), DEFAULT_N)) <= 0.01


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="NaN"):
        smaa(np.array([[1.0, np.nan], [0.0, 1.0]]), UniformWeights(2), 10)
    with pytest.raises(ValueError, match="weight sampler returned shape"):
        smaa(np.ones((2, 3)), UniformWeights(2), 10)
    with pytest.raises(ValueError, match="at least one sample"):
        smaa(np.ones((2, 2)), UniformWeights(2), 0)


# -- properties over random problems with ties -----------------------------------------------------


@given(
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 2**31),
    st.booleans(),
)
def test_acceptabilities_sum_to_one(s: int, k: int, seed: int, uncertain: bool) -> None:
    rng = np.random.default_rng(seed)
    low = rng.integers(0, 3, size=(s, k)).astype(float)  # small integers: many ties
    values: Any = RangeValues(low, low + rng.integers(0, 2, size=(s, k))) if uncertain else low
    res = smaa(values, UniformWeights(k), 300, seed=seed, with_pairwise=True)
    b = res.rank_acceptability
    np.testing.assert_allclose(b.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(b.sum(axis=0), 1.0, atol=1e-9)
    assert np.all(b >= 0)
    assert np.all((res.holistic >= -1e-12) & (res.holistic <= 1 + 1e-12))
    assert res.pairwise is not None
    np.testing.assert_allclose(res.pairwise + res.pairwise.T, 1 - np.eye(s), atol=1e-12)
    first = b[:, 0] > 0
    np.testing.assert_allclose(res.central_weights[first].sum(axis=1), 1.0, atol=1e-9)
    assert np.all(np.isnan(res.central_weights[~first]))
    assert res.confidence is not None
    assert np.all((res.confidence[first] >= 0) & (res.confidence[first] <= 1 + 1e-12))


def test_samplers_with_the_driver() -> None:
    # a strict ranking of criteria pushes the ranking of scenarios towards the top criterion
    values = np.array([[1.0, 0.0], [0.0, 1.0]])
    res = smaa(values, OrdinalWeights.of([0, 1]), 1_000, seed=0)
    assert res.rank_acceptability[0, 0] == 1.0
    res = smaa(values, IntervalWeights((0.0, 0.3), (0.6, 1.0)), 20_000, seed=0)
    # A first iff w0 > 0.5, w0 uniform on [0, 0.6] given the bounds (two criteria): 1/6
    assert abs(res.first[0] - 1 / 6) <= 3 * res.rank_acceptability_se[0, 0]
    # the tally of ranks on its own: a tie of two gives halves

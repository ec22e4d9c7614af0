"""Portfolio choice under a budget (nsra.analysis.strategy.portfolio): the MILP against brute
force over every subset, the greedy answer beside it, hand-worked cases, edge cases, the tie
rule, plain refusals, and the robustness over draws (the same whatever the number of workers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.analysis.strategy.portfolio import (
    best_portfolio,
    greedy_portfolio,
    portfolio_robustness,
    subset_value,
)

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
Instance = tuple[FloatArray, float, list[IntArray], list[FloatArray]]


def all_subsets(p: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Every selection of p measures, (2**p, p)."""
    out: np.ndarray[Any, np.dtype[np.bool_]] = (np.arange(1 << p)[:, None] >> np.arange(p)) & 1 == 1
    return out


def brute_values(p: int, members: list[IntArray], values: list[FloatArray]) -> FloatArray:
    """The objective of every subset, straight from the tables (no code of the module)."""
    subsets = all_subsets(p)
    total = np.zeros(subsets.shape[0])
    for m, v in zip(members, values, strict=True):
        mask = subsets[:, m].astype(np.int64) @ (1 << np.arange(len(m), dtype=np.int64))
        total += np.asarray(v)[mask]
    return total


def tie_penalty(inst: Instance, selected: np.ndarray[Any, np.dtype[np.bool_]]) -> FloatArray:
    """The documented tie rule: among portfolios of equal value, the lowest
    0.1 * cost / C + 0.001 * sum((j + 1) / (P + 1)), where C is the total cost of the measures
    that are in some group and within the budget. ``selected`` is (..., P)."""
    costs, budget, members, _ = inst
    p = costs.size
    eligible = np.zeros(p, dtype=bool)
    for m in members:
        eligible[m] = True
    eligible &= costs <= budget
    big_c = costs[eligible].sum()
    sel = selected.astype(float)
    out: FloatArray = (0.1 * (sel @ costs) / big_c if big_c > 0 else 0.0) + 0.001 * (
        sel @ (np.arange(1, p + 1) / (p + 1))
    )
    return out


def brute_force(inst: Instance) -> tuple[float, float]:
    """The best value within the budget over every subset, and the lowest tie penalty among
    the subsets that reach it (measures in no group or dearer than the budget left out)."""
    costs, budget, members, values = inst
    p = costs.size
    subsets = all_subsets(p)
    value = brute_values(p, members, values)
    cost = subsets.astype(float) @ costs
    eligible = np.zeros(p, dtype=bool)
    for m in members:
        eligible[m] = True
    ok = (cost <= budget) & ~np.any(subsets & ~eligible, axis=1)
    best = value[ok].max()
    tied = ok & (value == best)
    return float(best), float(tie_penalty(inst, subsets[tied]).min())


def random_instance(rng: np.random.Generator, p: int, integer: bool) -> Instance:
    """Overlapping random groups of up to 6 measures; some tables non-monotone; integer
    instances have many exact ties. Some measures are in no group, some cost nothing, some more
    than the budget."""
    members: list[IntArray] = []
    values: list[FloatArray] = []
    for _ in range(int(rng.integers(0, 9))):
        k = int(rng.integers(0, min(p, 6) + 1))
        members.append(rng.choice(p, size=k, replace=False).astype(np.int64))
        v = rng.integers(0, 8, size=1 << k).astype(float) if integer else rng.random(1 << k) * 10
        if rng.random() < 0.5:  # monotone, with overlaps: the multiplicative form
            f = rng.uniform(0.05, 0.7, size=k)
            bits = (np.arange(1 << k)[:, None] >> np.arange(k)) & 1
            v = 10.0 * (1 - np.exp(bits @ np.log1p(-f)))
            v = np.round(v) if integer else v
        v[0] = 0.0
        values.append(v)
    costs = rng.integers(0, 6, size=p).astype(float) if integer else rng.random(p) * 5
    budget = float(rng.integers(0, 15)) if integer else float(rng.random() * costs.sum())
    return costs, budget, members, values


def test_milp_equals_brute_force_on_random_instances() -> None:
    rng = np.random.default_rng(20261204)
    for case in range(160):
        p = int(rng.integers(1, 16)) if case % 4 == 0 else int(rng.integers(1, 11))
        integer = case % 2 == 0
        inst = random_instance(rng, p, integer)
        costs, budget, members, values = inst
        best, penalty = brute_force(inst)
        pf = best_portfolio(*inst)
        assert pf.method == "milp" and pf.optimal, (case, pf.message)
        assert pf.cost <= budget, case
        assert pf.cost == pytest.approx(costs[pf.selected].sum())
        assert pf.value == pytest.approx(subset_value(members, values, pf.selected))
        assert pf.value == pytest.approx(best, rel=1e-9, abs=1e-9), case
        if integer:  # exact ties everywhere: the documented rule decides (exact ties of the
            # rule itself, same cost and same sum of positions, are left to the solver)
            assert tie_penalty(inst, pf.selected) == pytest.approx(penalty, abs=1e-12), case
        gr = greedy_portfolio(*inst)
        assert gr.cost <= budget and gr.value <= pf.value + 1e-9, case


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    p = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_instance(np.random.default_rng(seed), p, draw(st.booleans()))


@given(instances())
def test_greedy_never_beats_the_milp_and_both_keep_the_budget(inst: Instance) -> None:
    best, _ = brute_force(inst)
    pf = best_portfolio(*inst)
    gr = greedy_portfolio(*inst)
    assert pf.cost <= inst[1] and gr.cost <= inst[1]
    assert gr.value <= pf.value + 1e-9
    assert pf.value == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert gr.method == "greedy" and not gr.optimal


def test_hand_worked_knapsack_differs_from_greedy() -> None:
    # one scenario, two measures: alone 6 and 5, together 8 (they overlap)
    members = [np.array([0, 1])]
    values = [np.array([0.0, 6.0, 5.0, 8.0])]
    costs = np.array([2.0, 1.0])
    # budget 2: greedy takes measure 1 (5 per euro against 3), then cannot afford measure 0
    gr = greedy_portfolio(costs, 2.0, members, values)
    assert gr.selected.tolist() == [False, True] and gr.value == 5.0 and gr.cost == 1.0
    pf = best_portfolio(costs, 2.0, members, values)
    assert pf.selected.tolist() == [True, False] and pf.value == 6.0 and pf.cost == 2.0
    # budget 3: both, 8 (not 6 + 5)
    pf3 = best_portfolio(costs, 3.0, members, values)
    assert pf3.selected.tolist() == [True, True] and pf3.value == 8.0 and pf3.cost == 3.0
    # a second scenario on which measure 1 alone removes 4: now {1} (5 + 4) beats {0} (6)
    members2 = [*members, np.array([1])]
    values2 = [*values, np.array([0.0, 4.0])]
    pf2 = best_portfolio(costs, 2.0, members2, values2)
    assert pf2.selected.tolist() == [False, True] and pf2.value == 9.0
    assert subset_value(members2, values2, [True, True]) == 12.0


def test_subset_value_reads_the_mask_bits_in_member_order() -> None:
    members = [np.array([2, 0]), np.array([1])]
    values = [np.array([0.0, 1.0, 10.0, 100.0]), np.array([0.0, 1000.0])]
    # measure 2 is bit 0 of group 0, measure 0 is bit 1
    assert subset_value(members, values, [False, False, True]) == 1.0
    assert subset_value(members, values, [True, False, False]) == 10.0
    assert subset_value(members, values, [True, True, True]) == 1100.0
    assert subset_value(members, values, [False, False, False]) == 0.0


def test_non_monotone_table_keeps_a_measure_out_even_when_affordable() -> None:
    # together they remove less than measure 0 alone (one undoes the other)
    members = [np.array([0, 1])]
    values = [np.array([0.0, 7.0, 3.0, 4.0])]
    pf = best_portfolio(np.array([1.0, 1.0]), 10.0, members, values)
    assert pf.selected.tolist() == [True, False] and pf.value == 7.0


def test_edge_cases() -> None:
    one = [np.array([0])]
    # no measures at all
    empty = best_portfolio(np.zeros(0), 10.0, [], [])
    assert empty.selected.shape == (0,) and empty.value == 0.0 and empty.cost == 0.0
    assert greedy_portfolio(np.zeros(0), 10.0, [], []).value == 0.0
    # zero budget: a free measure with a gain is funded, a paid one is not
    for solve in (best_portfolio, greedy_portfolio):
        free = solve(np.array([0.0]), 0.0, one, [np.array([0.0, 3.0])])
        assert free.selected.tolist() == [True] and free.value == 3.0
        paid = solve(np.array([1.0]), 0.0, one, [np.array([0.0, 3.0])])
        assert paid.selected.tolist() == [False] and paid.value == 0.0
    # dearer than the budget: never funded, even if it would remove the most
    members = [np.array([0]), np.array([1])]
    dear = best_portfolio(
        np.array([11.0, 1.0]), 10.0, members, [np.array([0, 99.0]), np.array([0, 1.0])]
    )
    assert dear.selected.tolist() == [False, True]
    # a measure in no group, or one that adds nothing, is not funded even when free
    idle = best_portfolio(
        np.array([0.0, 0.0, 1.0]), 5.0, [np.array([1, 2])], [np.array([0.0, 0.0, 2.0, 2.0])]
    )
    assert idle.selected.tolist() == [False, False, True] and idle.value == 2.0
    # an infinite budget funds every measure that adds value
    inf = best_portfolio(
        np.array([5.0, 7.0]), np.inf, [np.array([0, 1])], [np.array([0.0, 1.0, 2.0, 2.5])]
    )
    assert inf.selected.tolist() == [True, True] and inf.value == 2.5
    # exactly the budget is within it
    exact = best_portfolio(
        np.array([0.1, 0.2]), 0.30000000000000004, members, [np.array([0, 1.0]), np.array([0, 1.0])]
    )
    assert exact.selected.tolist() == [True, True] and exact.cost <= 0.30000000000000004
    # a group with no measures is allowed (its table is [0])
    no_one = [np.array([], dtype=np.int64), np.array([0])]
    assert (
        best_portfolio(np.array([1.0]), 1.0, no_one, [np.zeros(1), np.array([0, 1.0])]).value == 1
    )


def test_ties_go_to_the_cheaper_then_the_earlier_measure() -> None:
    members = [np.array([0]), np.array([1]), np.array([2])]
    values = [np.array([0.0, 5.0])] * 3
    cheaper = best_portfolio(np.array([3.0, 2.0, 3.0]), 3.0, members, values)
    assert cheaper.selected.tolist() == [False, True, False]
    earlier = best_portfolio(np.array([2.0, 2.0, 2.0]), 2.0, members, values)
    assert earlier.selected.tolist() == [True, False, False]
    later_free = best_portfolio(np.array([2.0, 2.0, 0.0]), 2.0, members, values)
    assert later_free.selected.tolist() == [True, False, True]
    for solve in (greedy_portfolio,):
        assert solve(np.array([2.0, 2.0, 2.0]), 2.0, members, values).selected.tolist() == [
            True,
            False,
            False,
        ]


def test_greedy_takes_free_measures_first_and_stops_when_nothing_adds() -> None:
    members = [np.array([0, 1]), np.array([2])]
    values = [np.array([0.0, 4.0, 4.0, 4.0]), np.array([0.0, 1.0])]  # 0 and 1 are the same
    gr = greedy_portfolio(np.array([1.0, 0.0, 0.5]), 100.0, members, values)
    # measure 1 is free; then measure 0 adds nothing; measure 2 adds 1
    assert gr.selected.tolist() == [False, True, True] and gr.value == 5.0 and gr.cost == 0.5


@pytest.mark.parametrize(
    ("costs", "budget", "members", "values", "words"),
    [
        ([-1.0], 1.0, [[0]], [[0, 1]], "position 0 has a cost of -1"),
        ([float("nan")], 1.0, [[0]], [[0, 1]], "cost of nan"),
        ([1.0], float("nan"), [[0]], [[0, 1]], "The budget is nan"),
        ([1.0], -2.0, [[0]], [[0, 1]], "zero euros or more"),
        ([1.0] * 13, 1.0, [list(range(13))], [np.zeros(1 << 13)], "at most 12 are supported"),
        ([1.0], 1.0, [[0]], [[0, 1, 2]], "needs 2 values"),
        ([1.0], 1.0, [[0]], [[1, 1]], "must be 0"),
        ([1.0], 1.0, [[0]], [[0, -1]], "cannot be negative"),
        ([1.0], 1.0, [[0]], [[0, float("inf")]], "missing or infinite"),
        ([1.0], 1.0, [[3]], [[0, 1]], "names measure 3, but there are 1 measures"),
        ([1.0, 1.0], 1.0, [[1, 1]], [[0, 1, 1, 1]], "more than once"),
        ([1.0], 1.0, [[0]], [], "one table per group"),
    ],
)
def test_bad_input_is_refused_in_plain_words(
    costs: list[float], budget: float, members: list[Any], values: list[Any], words: str
) -> None:
    for solve in (best_portfolio, greedy_portfolio):
        with pytest.raises(ValueError, match=words.replace("(", r"\(")) as caught:
            solve(np.array(costs), budget, [np.array(m) for m in members], values)
        if "12" in words:
            assert "Split" in str(caught.value)


def test_robustness_with_identical_draws_is_the_single_solve() -> None:
    rng = np.random.default_rng(3)
    costs, budget, members, values = random_instance(rng, 9, integer=False)
    pf = best_portfolio(costs, budget, members, values)
    draws = [np.repeat(np.asarray(v)[None], 5, axis=0) for v in values]
    rob = portfolio_robustness(costs, budget, members, draws)
    assert rob.draws == 5 and rob.all_optimal
    np.testing.assert_array_equal(rob.share, pf.selected.astype(float))
    assert set(np.unique(rob.share)) <= {0.0, 1.0}
    np.testing.assert_array_equal(rob.selected, np.repeat(pf.selected[None], 5, axis=0))
    np.testing.assert_allclose(rob.value, pf.value)
    np.testing.assert_allclose(rob.cost, pf.cost)


def _random_draws(rng: np.random.Generator, values: list[FloatArray], n: int) -> list[FloatArray]:
    out = []
    for v in values:
        d = np.asarray(v)[None] * rng.uniform(0.5, 1.5, size=(n, len(v)))
        d[:, 0] = 0.0
        out.append(d)
    return out


def test_robustness_is_each_draws_best_portfolio_and_the_same_for_any_workers() -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):  # an instance with something to decide
        costs, budget, members, values = random_instance(rng, 10, integer=False)
        if len(members) >= 3 and 0 < budget < costs.sum():
            break
    draws = _random_draws(rng, values, 12)
    one = portfolio_robustness(costs, budget, members, draws, workers=1)
    two = portfolio_robustness(costs, budget, members, draws, workers=2)
    for field in ("selected", "share", "value", "cost", "status"):
        np.testing.assert_array_equal(getattr(one, field), getattr(two, field), err_msg=field)
    np.testing.assert_allclose(one.share, one.selected.mean(axis=0))
    for d in range(12):
        table = [x[d] for x in draws]
        best, _ = brute_force((costs, budget, members, table))
        assert one.value[d] == pytest.approx(best, rel=1e-9, abs=1e-9)
        assert one.cost[d] <= budget
        np.testing.assert_array_equal(
            one.selected[d], best_portfolio(costs, budget, members, table).selected
        )


def test_robustness_refuses_ragged_draws_and_bad_workers() -> None:
    members = [np.array([0]), np.array([1])]
    costs = np.array([1.0, 1.0])
    with pytest.raises(ValueError, match="has 3 draws where others have 2"):
        portfolio_robustness(costs, 1.0, members, [np.zeros((2, 2)), np.zeros((3, 2))])
    with pytest.raises(ValueError, match="N draws x 2 values"):
        portfolio_robustness(costs, 1.0, members, [np.zeros(2), np.zeros(2)])
    none = portfolio_robustness(costs, 1.0, members, [np.zeros((0, 2))] * 2)
    assert none.draws == 0 and none.share.tolist() == [0.0, 0.0] and none.all_optimal
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        portfolio_robustness(costs, 1.0, members, [np.zeros((2, 2))] * 2, workers=0)


@pytest.mark.parametrize("answer", ["nothing", "the empty portfolio"])
def test_a_bounded_search_that_fails_is_run_again_without_the_bound(
    monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    # the greedy portfolio bounds the search (HiGHS's objective_bound); should HiGHS then
    # return nothing, or a portfolio worse than the greedy one, the search runs unbounded
    from scipy.optimize import milp as real

    import nsra.analysis.strategy.portfolio as module

    calls: list[bool] = []

    def flaky(c: FloatArray, **kwargs: Any) -> Any:
        res = real(c, **kwargs)
        bounded = "objective_bound" in kwargs["options"]
        calls.append(bounded)
        if bounded:
            res.x = None if answer == "nothing" else np.zeros_like(res.x)
        return res

    monkeypatch.setattr(module, "milp", flaky)
    members = [np.array([0, 1])]
    values = [np.array([0.0, 6.0, 5.0, 8.0])]
    pf = best_portfolio(np.array([2.0, 1.0]), 2.0, members, values)
    assert pf.selected.tolist() == [True, False] and pf.value == 6.0
    assert calls == [True, False]


def test_additive_tables_solved_as_linear_terms_give_the_same_answer() -> None:
    # group 0 is additive (1, 2 and 4 for measures 3, 0 and 1), solved as linear terms on x;
    # group 1 shares measure 0 and is not
    members = [np.array([3, 0, 1]), np.array([0, 2])]
    additive = np.array([0.0, 1, 2, 3, 4, 5, 6, 7])
    overlap = np.array([0.0, 3, 3, 4])
    costs = np.array([2.0, 2.0, 1.0, 1.0])
    for budget in (0.0, 1.0, 2.0, 3.0, 4.0, 6.0):
        inst = (costs, budget, members, [additive, overlap])
        best, _ = brute_force(inst)
        assert best_portfolio(*inst).value == best, budget
    # in the draws the same group is additive in one draw and not in the other: not linear
    draws = [np.stack([additive, additive + np.array([0, 0, 0, 0, 0, 0, 0, 1])]), overlap[None]]
    draws[1] = np.repeat(draws[1], 2, axis=0)
    rob = portfolio_robustness(costs, 3.0, members, draws)
    for d in range(2):
        best, _ = brute_force((costs, 3.0, members, [draws[0][d], draws[1][d]]))
        assert rob.value[d] == best, d

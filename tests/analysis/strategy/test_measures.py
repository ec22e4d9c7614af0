"""Measures that change numbers: inherent, current and target risk, and each measure's value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nsra.analysis.strategy.measures import measure_values, portfolio_tables, risk_states
from tests.analysis.strategy.cases import HEAD, model, scenario

STRATEGY = "strategies: [{id: nat, title: N, scope: national, owner: jv}]\n"


def _text(measures: str, basis: str = "inherent", cascades: str = "") -> str:
    return (
        HEAD
        + f"measures_basis: {basis}\nscenarios:\n"
        + scenario("a", "B")
        + scenario("b", "C")
        + scenario("c", "D")
        + cascades
        + STRATEGY
        + "measures:\n"
        + measures
    )


HALVES = (
    "  - {id: m, title: M, owners: [jv], strategy: nat, phase: prevent, scenarios: [a],"
    " effects: [{likelihood: {factor: 0.5}}]}\n"
)


def test_a_measure_that_halves_a_likelihood_halves_that_risk_exactly() -> None:
    _, results, sm = model(_text(HALVES))
    st_ = risk_states(sm)
    assert st_.inherent.risk == pytest.approx(results.risk, rel=1e-15)  # basis: inherent
    assert st_.current.risk[0] == pytest.approx(0.5 * st_.inherent.risk[0], rel=1e-14)
    assert st_.current.risk[1:] == pytest.approx(st_.inherent.risk[1:], rel=1e-15)
    assert st_.current.total == pytest.approx(st_.inherent.total - 0.5 * st_.inherent.risk[0])


def test_on_a_current_basis_the_inherent_risk_takes_the_measure_out() -> None:
    """The analysts judged today's risk: the measure in place is in their estimates, so the
    inherent risk is twice the current one."""
    _, results, sm = model(_text(HALVES, basis="current"))
    st_ = risk_states(sm)
    assert st_.current.risk == pytest.approx(results.risk, rel=1e-15)
    assert st_.inherent.risk[0] == pytest.approx(2 * st_.current.risk[0], rel=1e-14)


def test_planned_measures_make_the_target_and_proposed_ones_only_the_full_set() -> None:
    measures = (
        HALVES
        + "  - {id: p, title: P, owners: [jv], strategy: nat, phase: prepare, scenarios: [b],"
        " status: planned, effects: [{likelihood: {factor: 0.25}}]}\n"
        + "  - {id: q, title: Q, owners: [jv], strategy: nat, phase: prepare, scenarios: [c],"
        " status: proposed, cost: 1000000, effects: [{likelihood: {factor: 0.1}}]}\n"
    )
    _, _, sm = model(_text(measures))
    s = risk_states(sm)
    r0 = s.inherent.risk
    assert s.current.risk == pytest.approx([0.5 * r0[0], r0[1], r0[2]], rel=1e-14)
    assert s.target.risk == pytest.approx([0.5 * r0[0], 0.25 * r0[1], r0[2]], rel=1e-14)
    assert s.every.risk == pytest.approx([0.5 * r0[0], 0.25 * r0[1], 0.1 * r0[2]], rel=1e-14)
    v = measure_values(sm)
    assert v.alone == pytest.approx([0.5 * r0[0], 0.75 * r0[1], 0.9 * r0[2]], rel=1e-14)
    assert v.marginal == pytest.approx(v.alone, rel=1e-14)  # no overlap: separate scenarios
    assert v.alone_per_euro[2] == pytest.approx(0.9 * r0[2] / 1e6)
    assert np.isnan(v.alone_per_euro[0])  # no cost given


def test_two_measures_on_one_scenario_overlap() -> None:
    """Factors multiply: 0.5 x 0.5 leaves a quarter, so each one's marginal value (a quarter)
    is less than its value alone (a half)."""
    both = HALVES + HALVES.replace("id: m,", "id: n,")
    _, _, sm = model(_text(both))
    r0 = risk_states(sm).inherent.risk[0]
    v = measure_values(sm)
    assert v.alone == pytest.approx([0.5 * r0, 0.5 * r0], rel=1e-14)
    assert v.marginal == pytest.approx([0.25 * r0, 0.25 * r0], rel=1e-14)


def test_class_steps_move_the_position_and_stay_on_the_scale() -> None:
    steps = HALVES.replace("{likelihood: {factor: 0.5}}", "{likelihood: -1}")
    down_a_lot = HALVES.replace("{likelihood: {factor: 0.5}}", "{likelihood: -9}")
    _, _, sm = model(_text(steps))
    s = risk_states(sm)
    assert s.inherent.likelihood_position[0] == pytest.approx(2.0, abs=1e-3)  # B
    assert s.current.likelihood_position[0] == pytest.approx(1.0, abs=1e-3)  # A
    _, _, sm2 = model(_text(down_a_lot))
    low = risk_states(sm2).current
    lowest = sm2.model.likelihood.kernel(False).min_position
    assert low.likelihood_position[0] == pytest.approx(lowest, abs=1e-3)


def test_impact_effects_per_interest_shift_every_criterion_of_it() -> None:
    per_interest = HALVES.replace(
        "{likelihood: {factor: 0.5}}", '{impact: {"2.1": -1, "3.1": -1, "5.1": -1}}'
    )
    all_three = HALVES.replace(
        "{likelihood: {factor: 0.5}}",
        "{impact: {physical: -1, economic: -1, social-political: -1}}",
    )
    one = risk_states(model(_text(per_interest))[2]).current.risk
    other = risk_states(model(_text(all_three))[2]).current.risk
    assert one == pytest.approx(other, rel=1e-14)


effects = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["in_place", "planned", "proposed"]),
        st.one_of(
            st.floats(-3, 0).map(lambda x: f"{{likelihood: {x!r}}}"),
            st.floats(0.01, 1).map(lambda x: f"{{likelihood: {{factor: {x!r}}}}}"),
            st.floats(-3, 0).map(lambda x: f'{{impact: {{"2.1": {x!r}, "5.1": {x!r}}}}}'),
            st.floats(0.01, 1).map(lambda x: f'{{impact: {{"3.1": {{factor: {x!r}}}}}}}'),
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(effects, st.sampled_from(["inherent", "current"]))
def test_residual_risk_never_exceeds_inherent_risk(
    items: list[tuple[str, str, str]], basis: str
) -> None:
    measures = "".join(
        f"  - {{id: m{i}, title: M, owners: [jv], strategy: nat, phase: prevent, scenarios: [{s}],"
        f" status: {status}, effects: [{effect}]}}\n"
        for i, (s, status, effect) in enumerate(items)
    )
    cascades = (
        "cascades:\n  - {cause: a, effect: b, probability: C}\n"
        "  - {cause: b, effect: c, probability: D}\n"
    )
    _, _, sm = model(_text(measures, basis, cascades))
    s = risk_states(sm)
    tol = 1e-12
    assert np.all(s.current.risk <= s.inherent.risk * (1 + tol))
    assert np.all(s.target.risk <= s.current.risk * (1 + tol))
    assert np.all(s.every.risk <= s.target.risk * (1 + tol))
    v = measure_values(sm)
    assert np.all(v.alone >= -tol) and np.all(v.marginal >= -tol)


def test_portfolio_tables_hold_the_risk_each_subset_removes() -> None:
    measures = (
        "  - {id: p, title: P, owners: [jv], strategy: nat, phase: prevent, scenarios: [a, b],"
        " status: proposed, cost: 10, effects: [{likelihood: {factor: 0.5}}]}\n"
        "  - {id: q, title: Q, owners: [jv], strategy: nat, phase: prevent, scenarios: [a],"
        " status: proposed, cost: 20, effects: [{likelihood: {factor: 0.2}}]}\n"
        "  - {id: r, title: R, owners: [jv], strategy: nat, phase: prevent, scenarios: [c],"
        " status: proposed, effects: [{likelihood: {factor: 0.2}}]}\n"  # no cost: not a candidate
    )
    _, _, sm = model(_text(measures))
    t = portfolio_tables(sm)
    r = risk_states(sm).target.risk
    assert t.measures.tolist() == [0, 1] and t.costs.tolist() == [10, 20]
    assert t.scenarios.tolist() == [0, 1]
    assert [m.tolist() for m in t.members] == [[0, 1], [0]]
    # scenario a: {}, {p}, {q}, {p, q}
    assert t.values[0][0] == pytest.approx([0, 0.5 * r[0], 0.8 * r[0], 0.9 * r[0]], rel=1e-14)
    assert t.values[1][0] == pytest.approx([0, 0.5 * r[1]], rel=1e-14)

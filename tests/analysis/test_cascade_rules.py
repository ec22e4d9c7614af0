"""The BNRA's simulation rules as data (nsra.model.method.Simulation) on hand-built catalogues
with closed forms: the cap on event graphs, the actor rules, the pass rule of information
operations, the conditioned start of actor graphs, forced-start impact statistics and the
impact noise.

Statistical checks use fixed seeds and ``Z = 4.5`` standard errors (see test_cascade_sim).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from nsra.analysis import cascade_sim as cs
from nsra.analysis.forced_start import Noise, forced_start
from nsra.engine.impact_noise import noisy_euros, rounded_position
from nsra.io.methods import load_method
from nsra.model.method import ExponentialFunction, ImpactNoise, Simulation
from tests.analysis.test_cascade_sim import Row, z_binomial
from tests.analysis.test_cascade_sim import catalogue as plain_catalogue

Z = 4.5


def catalogue(
    daily: list[list[float]],
    rows: list[Row],
    impact: list[list[float]] | None = None,
    actor: list[bool] | None = None,
    **rules: Any,
) -> cs.CascadeCatalogue:
    """The catalogue of test_cascade_sim with simulation rules (``max_nodes=5`` ...)."""
    return dataclasses.replace(plain_catalogue(daily, rows, impact, actor), **rules)


def sizes(g: cs.EventGraphs) -> list[int]:
    out: list[int] = np.bincount(g.node_event, minlength=g.n_events).tolist()
    return out


# -- the method files carry the BNRA's rules ---------------------------------------------------


def test_the_bnra_method_files_state_the_applications_rules() -> None:
    for mid in ("be-bnra-2023", "be-bnra-2025"):
        m = load_method(mid)
        assert m.cascades is not None
        sim = m.cascades.simulation
        assert sim.days_per_month == 30.437 and sim.days_per_year == 365
        assert sim.max_graph_nodes == 100
        assert sim.actors.daily_probability == 1.0
        assert sim.actors.cascade_period_months == 36
        assert sim.actors.drop_silent == "root"
        rule = {r.id: r.passes_effects_when for r in sim.pass_rules}
        assert rule == {"information-operations": ["root", "caused_by_actor"]}
        assert sim.impact_noise is not None
        assert sim.impact_noise == ImpactNoise(scale="i7", round_to=0.1, sd=0.255)
    assert Simulation().max_graph_nodes == 100  # the defaults are the BNRA's too


# -- the cap ----------------------------------------------------------------------------------


def chain(n: int, cap: int | None) -> cs.CascadeCatalogue:
    rows: list[Row] = [(i, 0, i + 1, 0, 1.0) for i in range(n - 1)]
    daily = [[0.01]] + [[0.0]] * (n - 1)
    return catalogue(daily, rows, max_nodes=cap)


@pytest.mark.parametrize(("cap", "expected"), [(100, 101), (5, 6), (1, 2), (None, 150)])
def test_a_chain_stops_once_the_graph_holds_more_than_the_cap(
    cap: int | None, expected: int
) -> None:
    # the BNRA expands a node only while the graph holds at most 100 nodes: a certain chain of
    # 150 risks ends with exactly 101 (the 100th node is expanded, the 101st is not)
    cat = chain(150, cap)
    fast = cs.sample_events(cat, 3, np.random.default_rng(1))
    ref = cs.sample_events_reference(cat, 3 * 365, np.random.default_rng(1))
    assert fast.n_events > 0 and ref.n_events > 0
    assert set(sizes(fast)) == {expected} and set(sizes(ref)) == {expected}
    forced = forced_start(cat, 5, seed=3)
    assert forced.nodes_max[0, 0] == expected
    assert forced.nodes_mean[0, 0] == expected


def test_the_cap_binds_in_the_middle_of_a_generation() -> None:
    # 0 -> 1, 2, 3; 1 -> 4, 5; 2 -> 6, 7; 3 -> 8, 9 (all certain). With a cap of 4 the root
    # (1 node) adds 1, 2, 3; node 1 (4 nodes) adds 4, 5; nodes 2 and 3 see 6 > 4 nodes: stop.
    rows: list[Row] = [(0, 0, e, 0, 1.0) for e in (1, 2, 3)]
    rows += [(c, 0, e, 0, 1.0) for c, es in ((1, (4, 5)), (2, (6, 7)), (3, (8, 9))) for e in es]
    daily = [[0.05]] + [[0.0]] * 9
    cat = catalogue(daily, rows, max_nodes=4)
    for g in (
        cs.sample_events(cat, 2, np.random.default_rng(2)),
        cs.sample_events_reference(cat, 730, np.random.default_rng(2)),
    ):
        first = g.node_event == 0
        assert sorted(g.node_risk[first].tolist()) == [0, 1, 2, 3, 4, 5]
    uncapped = dataclasses.replace(cat, max_nodes=None)
    g = cs.sample_events(uncapped, 2, np.random.default_rng(2))
    assert set(sizes(g)) == {10}


# -- actors -----------------------------------------------------------------------------------


def test_an_actor_root_counts_only_when_it_triggers_inside_it_always_counts() -> None:
    # X (0) is an actor, certain every day, with a daily probability c of an attack Y (1);
    # Z (2) triggers X with 0.5. Closed forms per day: counted X roots c; X triggered by Z
    # 0.5 per Z event, counted whether or not X then attacks.
    c = 0.004
    rows: list[Row] = [(0, 0, 1, 0, c), (2, 0, 0, 0, 0.5)]
    impact = [[7.0], [100.0], [1.0]]
    cat = catalogue([[1.0], [0.0], [0.01]], rows, impact, [True, False, False], drop_silent="root")
    years = 2000
    days = years * 365
    s = cs.simulate(cat, years, seed=5)
    assert abs(z_binomial(s.root_count[0, 0], days, c)) < Z
    n_z = float(s.root_count[2, 0])
    assert abs(z_binomial(s.triggered_count[0, 0], n_z, 0.5)) < Z
    # the Y attacks: from X roots (c a day) and from X inside Z events (0.5 x c)
    expected_y = days * c + n_z * 0.5 * c
    assert abs(s.triggered_count[1, 0] - expected_y) < Z * math.sqrt(expected_y)
    # every counted X root event holds Y: impact exactly 7 + 100
    assert s.impact_p5[0, 0] == s.impact_p95[0, 0] == pytest.approx(107.0)
    # a Z event: Z, and X half the time (counted with its impact), Y rarely
    z_mean = (
        1.0
        + 7.0 * s.triggered_count[0, 0] / n_z
        + 100.0 * (s.attribution_count[0, 1] - s.root_count[0, 0]) / n_z
    )
    assert s.impact_mean[2, 0] == pytest.approx(z_mean)
    fo = cs.first_order(cat)
    assert fo.root_frequency[0, 0] == pytest.approx(365 * c)
    assert fo.triggered_frequency[0, 0] == pytest.approx(-math.log1p(-0.01) * 365 * 0.5)
    # the other rule (nsra's earlier one) drops a silent X inside a Z event too
    every = dataclasses.replace(cat, drop_silent="every_node")
    e = cs.simulate(every, years, seed=5)
    assert abs(z_binomial(e.triggered_count[0, 0], float(e.root_count[2, 0]), 0.5 * c)) < Z
    assert cs.first_order(every).triggered_frequency[0, 0] == pytest.approx(
        -math.log1p(-0.01) * 365 * 0.5 * c
    )


def test_the_fast_sampler_draws_actor_roots_as_the_reference_drops_them() -> None:
    # actor X certain at 3 levels, attacks Y or W with level-dependent daily probabilities
    rows: list[Row] = [
        (0, 0, 1, 0, 0.002),
        (0, 1, 1, 1, 0.001),
        (0, 1, 2, 0, 0.003),
        (0, 2, 2, 2, 0.004),
    ]
    daily = [[1.0, 1.0, 1.0], [0.0] * 3, [0.0] * 3]
    cat = catalogue(daily, rows, actor=[True, False, False], drop_silent="root")
    days = 200_000
    ref = cs.tally(cat, cs.sample_events_reference(cat, days, np.random.default_rng(7)))
    fast = cs.tally(cat, cs.sample_events(cat, days // 365, np.random.default_rng(8)))
    d_fast = (days // 365) * 365
    t = cat.triggers[0]
    for lv in range(3):
        expect = t[lv] / 3  # level drawn 1/3 each, then it must trigger
        assert abs(z_binomial(ref.root_count[0, lv], days, expect)) < Z
        assert abs(z_binomial(fast.root_count[0, lv], d_fast, expect)) < Z
    # the effects of a counted level-1 root: Y and W, at least one (conditioned)
    both = 0.001 * 0.003 / t[1]
    assert abs(t[1] - (1 - 0.999 * 0.997)) < 1e-15
    n1 = fast.root_count[0, 1]
    assert n1 > 200
    assert fast.triggered_count[1, 1] + fast.triggered_count[2, 0] - n1 == pytest.approx(
        n1 * both, abs=Z * math.sqrt(n1 * both) + 1
    )


def test_actor_cascades_are_motivation_turned_into_daily_probabilities(tmp_path: Path) -> None:
    from nsra.engine.compute import compute
    from nsra.io.validate import read_assessment
    from tests.helpers import EXAMPLES_DIR

    data = yaml.safe_load((EXAMPLES_DIR / "be-bnra.yaml").read_text(encoding="utf-8"))
    data["scenarios"].append(
        {
            "id": "violent-extremist-groups",
            "title": "Violent extremist groups",
            "theme": "terrorism",
            "domain": "both",
            "malicious": True,
            "actor": True,
            "owner": "ocam",
        }
    )
    levels = {"considerable": {"considerable": "3", "major": "2"}, "major": {"major": "2"}}
    data["cascades"].append(
        {"cause": "violent-extremist-groups", "effect": "terrorist-attack", "levels": levels}
    )
    path = tmp_path / "with-actor.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = read_assessment(str(path))
    inputs = loaded.inputs
    assert inputs.actor is not None and inputs.actor.any()
    results = compute(inputs, loaded.method)
    cat = cs.CascadeCatalogue.from_results(results, inputs)
    actors = np.flatnonzero(inputs.actor)
    assert np.all(cat.daily_probability[actors] == 1.0)
    rows = np.flatnonzero(np.isin(inputs.cascades.cause, actors))
    assert rows.size
    p3 = inputs.cascades.probability[rows]  # a probability over 3 years
    expected = 1 - np.exp(np.log1p(-p3) / (36 * 30.437))
    assert np.allclose(cat.cascades.probability[rows], expected, rtol=1e-12)
    others = np.setdiff1d(np.arange(len(inputs.cascades)), rows)
    assert np.array_equal(cat.cascades.probability[others], inputs.cascades.probability[others])


# -- information operations -------------------------------------------------------------------


def test_information_operations_pass_effects_only_as_root_or_from_an_actor() -> None:
    # I (0) information operations -> E (1) certain; A (2) actor -> I daily a; N (3) -> I certain.
    a, p_i, p_n = 0.003, 0.002, 0.004
    rows: list[Row] = [(0, 0, 1, 0, 1.0), (2, 0, 0, 0, a), (3, 0, 0, 0, 1.0)]
    passes = np.ones((4, 3), dtype=bool)
    passes[0] = [True, True, False]
    daily = [[p_i], [0.0], [1.0], [p_n]]
    cat = catalogue(
        daily, rows, actor=[False, False, True, False], passes=passes, drop_silent="root"
    )
    years = 1000
    days = years * 365
    for s in (
        cs.simulate(cat, years, seed=9),
        cs.simulate_reference(cat, days, np.random.default_rng(9)),
    ):
        # E follows I roots and I caused by A, never I caused by N
        assert s.attribution_count[0, 1] == s.triggered_count[1, 0]
        assert s.triggered_count[0, 0] == s.attribution_count[2, 0] + s.attribution_count[3, 0]
        assert s.triggered_count[1, 0] == s.root_count[0, 0] + s.attribution_count[2, 0]
        assert abs(z_binomial(s.triggered_count[1, 0], days, p_i + a - p_i * a)) < Z + 1
        assert abs(z_binomial(s.attribution_count[3, 0], days, p_n)) < Z
    free = dataclasses.replace(cat, passes=None)
    f = cs.simulate(free, years, seed=9)
    assert f.triggered_count[1, 0] == f.root_count[0, 0] + f.triggered_count[0, 0]


# -- forced start ---------------------------------------------------------------------------


def test_forced_start_quantiles_of_a_small_case_by_hand() -> None:
    # A (0, impact 10) -> B (1, impact 100) with 0.3; B -> C (2, impact 1000) with 0.5.
    # Graphs from A: 10 (0.7), 110 (0.15), 1110 (0.15): median 10, 75% 110, 95% 1110.
    rows: list[Row] = [(0, 0, 1, 0, 0.3), (1, 0, 2, 0, 0.5)]
    cat = catalogue([[0.0]] * 3, rows, impact=[[10.0], [100.0], [1000.0]])
    f = forced_start(cat, 20_000, seed=11)
    assert f.impact_median[0, 0] == 10.0
    assert f.quantile(0.75)[0, 0] == 110.0
    assert f.quantile(0.95)[0, 0] == 1110.0
    mean = 10 + 0.3 * 100 + 0.15 * 1000
    sd = math.sqrt(0.7 * 10**2 + 0.15 * 110**2 + 0.15 * 1110**2 - mean**2)
    assert abs(f.impact_mean[0, 0] - mean) < Z * sd / math.sqrt(20_000)
    # from B: 100 or 1100 half and half; from C: 1000; every cell has a figure
    assert f.impact_mean[1, 0] == pytest.approx(600, abs=Z * 500 / math.sqrt(20_000))
    assert f.impact_median[2, 0] == 1000.0
    assert not np.isnan(f.impact_quantiles).any()
    again = forced_start(cat, 20_000, seed=11)
    assert np.array_equal(again.impact_quantiles, f.impact_quantiles)


def test_forced_start_at_an_actor_is_conditioned_on_an_attack() -> None:
    # actor X -> Y (impact 10) daily 0.02, X -> Z (impact 100) daily 0.01; given at least one:
    # Y only 0.0198/q, Z only 0.0098/q, both 0.0002/q with q = 1 - 0.98 x 0.99 = 0.0298.
    rows: list[Row] = [(0, 0, 1, 0, 0.02), (0, 0, 2, 0, 0.01)]
    cat = catalogue([[1.0], [0.0], [0.0]], rows, [[0.0], [10.0], [100.0]], [True, False, False])
    n = 40_000
    f = forced_start(cat, n, seed=13)
    q = 1 - 0.98 * 0.99
    p_y, p_z, p_both = 0.02 * 0.99 / q, 0.98 * 0.01 / q, 0.0002 / q
    mean = 10 * p_y + 100 * p_z + 110 * p_both
    sd = math.sqrt(100 * p_y + 100**2 * p_z + 110**2 * p_both - mean**2)
    assert abs(f.impact_mean[0, 0] - mean) < Z * sd / math.sqrt(n)
    assert f.impact_median[0, 0] == 10.0  # Y only: 66%
    assert f.quantile(0.95)[0, 0] == 100.0
    assert f.nodes_mean[0, 0] >= 2.0  # never the actor alone


# -- the impact noise -----------------------------------------------------------------------

I7 = ExponentialFunction(
    factor=math.exp(13.2 - 0.96), base=math.exp(1.92), threshold=0.5, value_at_threshold=5e5
)


def test_impact_rounding_on_the_7_point_scale_by_hand() -> None:
    # 1e9 EUR: (ln 1e9 - 13.2) / 1.92 + 0.5 = 4.41836 -> 4.4 -> exp(1.92 x 3.9 + 13.2)
    s = rounded_position(np.array([1e9, 4e5, 2.5e5]), I7, 0.1)
    assert s.tolist() == pytest.approx([4.4, 0.4, 0.3])  # 0.25 -> 0.3: half up, not to even
    rule = ImpactNoise(scale="i7", round_to=0.1, sd=0.0)
    out = noisy_euros(np.array([1e9, 0.0, 4e5]), I7, rule, np.random.default_rng(1))
    assert out[0] == pytest.approx(math.exp(1.92 * 3.9 + 13.2), rel=1e-12)
    assert out[1] == 0.0
    assert out[2] == pytest.approx(0.4 / 0.5 * 5e5, rel=1e-12)


def test_impact_noise_is_normal_on_the_scale_and_floored() -> None:
    rule = ImpactNoise(scale="i7", round_to=0.1, sd=0.255)
    rng = np.random.default_rng(3)
    out = noisy_euros(np.full(50_000, 1e9), I7, rule, rng)
    s = np.log(out / I7.factor) / np.log(I7.base)
    assert abs(s.mean() - 4.4) < Z * 0.255 / math.sqrt(50_000)
    assert abs(s.std() - 0.255) < 0.005
    small = noisy_euros(np.full(50_000, 1e4), I7, rule, rng)  # position 0.0: half floored at 0
    assert abs((small == 0.0).mean() - 0.5) < 0.01
    cat = catalogue([[0.0]], [], impact=[[2e9]], indicator_impact=np.array([[[1e9, 1e9]]]))
    noisy = forced_start(cat, 2001, seed=5, noise=Noise(rule, I7))
    plain = forced_start(cat, 2001, seed=5)
    assert plain.impact_median[0, 0] == 2e9
    assert noisy.noise and not plain.noise
    assert noisy.impact_median[0, 0] != plain.impact_median[0, 0]

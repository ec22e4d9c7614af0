"""Sensitivity analysis (nsra.analysis.sensitivity): Sobol indices and grouped Morris screening.

Sobol indices are checked against the analytic ones of additive models (Y = sum a_i X_i with
independent X_i: S1_i = ST_i = a_i^2 Var X_i / sum_j a_j^2 Var X_j), first on a plain function,
then through nsra on a method built so that impact is linear in the inputs (weighted sum, class
scores 0..5, fixed weights).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from nsra.analysis.sensitivity import (
    SensitivityOptions,
    evaluate_weighted,
    group_effects,
    linked_scenarios,
    morris_effects,
    rank_morris,
    scenario_sobol,
    sensitivity,
    sobol_indices,
)
from nsra.analysis.uncertainty import PositionSampler, position_sampler
from nsra.engine.compute import Results, compute
from nsra.engine.evaluate import RiskModel
from nsra.io.contract import SensitivitySection
from nsra.io.methods import load_method
from nsra.io.sensitivity_section import sensitivity_section
from nsra.io.validate import Loaded, parse_assessment, read_assessment
from nsra.model.method import Method
from nsra.model.text import tr
from tests.helpers import EXAMPLES_DIR

FAST = SensitivityOptions(sobol_samples=256, morris_trajectories=10, resamples=20)


def _setup(
    loaded: Loaded, profile: str | None = None
) -> tuple[RiskModel, PositionSampler, Results]:
    results = compute(loaded.inputs, loaded.method, profile)
    model = RiskModel.of(loaded.method, loaded.inputs, profile)
    return model, position_sampler(loaded.inputs, loaded.method, results.cells), results


def _ids(loaded: Loaded) -> list[str]:
    return [s.id for s in loaded.assessment.scenarios]


def _nl_method(continuous: bool) -> Method:
    """nl-snv with class scores 0..5: impact is linear in the class (or the position)."""
    m = load_method("nl-snv")
    agg = m.aggregation.model_copy(update={"scores": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]})
    return m.model_copy(update={"aggregation": agg, "continuous": continuous})


ASSESSMENT = """\
title: Sensitivity test
method: nl-snv
date: 2026-01-15
classification: UNCLASSIFIED
organisations:
  - id: jenv
    name: Justice
analysts:
  - id: a1
    organisation: jenv
  - id: a2
    organisation: jenv
scenarios:
  - id: flood
    title: River flood
    theme: water
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - analyst: a1
        likelihood: C
        impact: {"2.1": "A..C", "5.3": B, "3.1": X}
      - analyst: a2
        likelihood: B..C
        impact: {"5.3": C}
  - id: attack
    title: Attack
    theme: terrorism
    domain: both
    malicious: true
    owner: jenv
    estimates:
      - analyst: a1
        likelihood: C..D
        impact: {"2.1": B, "5.3": B..D}
  - id: outage
    title: Outage
    theme: energy
    domain: internal
    malicious: false
    owner: jenv
    estimates:
      - analyst: a1
        likelihood: B..D
        impact: {"2.1": A..B, "5.1": C}
"""


def _indices(sc: Any, output: str) -> dict[str, tuple[float, float]]:
    j = sc.sobol.outputs.index(output)
    return {n: (sc.sobol.s1[j, d], sc.sobol.st[j, d]) for d, n in enumerate(sc.sobol.inputs)}


# -- the wrappers on plain functions ---------------------------------------------------------------
def test_sobol_of_a_linear_function_matches_the_analytic_indices() -> None:
    a = np.array([1.0, 2.0, 3.0, 0.0])
    res = sobol_indices(lambda x: x @ a, ["a", "b", "c", "d"], ["y"], 1024, seed=3)
    expected = a**2 / np.sum(a**2)
    np.testing.assert_allclose(res.s1[0], expected, atol=0.03)
    np.testing.assert_allclose(res.st[0], expected, atol=0.03)
    assert res.st[0, 3] == 0.0  # an input the model ignores
    assert res.evaluations == 1024 * (4 + 2)
    assert np.all(res.s1_conf[0, :3] > 0)


def test_sobol_of_a_constant_output_is_zero_and_of_nan_is_nan() -> None:
    res = sobol_indices(
        lambda x: np.stack([np.ones(x.shape[0]), np.full(x.shape[0], np.nan)], axis=1),
        ["a", "b"],
        ["one", "nan"],
        64,
        seed=1,
    )
    assert res.variance[0] == 0 and np.all(res.s1[0] == 0) and np.all(res.st[0] == 0)
    assert np.isnan(res.variance[1]) and np.all(np.isnan(res.st[1]))


def test_morris_effects_group_and_ignore() -> None:
    """Grouped Morris: mu_star per group agrees with SALib's; an unused group has mu_star 0."""

    def f(x: np.ndarray) -> np.ndarray:
        return np.stack([3 * x[:, 0] + x[:, 1] - x[:, 2], x[:, 0] * x[:, 1]], axis=1)

    names, groups = ["a", "b", "c", "d"], ["g1", "g1", "g2", "g3"]
    res = morris_effects(f, names, groups, ["lin", "prod"], 30, seed=5)
    assert res.groups == ("g1", "g2", "g3")
    assert res.mu_star[0, 2] == 0.0 and res.mu_star[1, 2] == 0.0  # d is not used
    assert res.mu_star[0, 1] == pytest.approx(1.0)  # c alone: |dY/dc| = 1 everywhere
    assert res.sigma[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert res.mu_star[0, 0] > 1.5
    # the grouped elementary effects behind sigma give SALib's mu_star
    problem = {"num_vars": 4, "names": names, "bounds": [[0, 1]] * 4, "groups": groups}
    x = morris_sample.sample(problem, 8, num_levels=4, seed=2)
    y = f(x)
    ee = group_effects(x, y, np.array([0, 0, 1, 2]), 4)
    assert ee.shape == (2, 8, 3)
    assert np.allclose(ee[0, :, 1], -1.0) and np.all(ee[:, :, 2] == 0)
    for j in range(2):
        si = morris_analyze.analyze(problem, x, y[:, j], num_levels=4, seed=1)
        np.testing.assert_allclose(np.abs(ee[j]).mean(axis=0), si["mu_star"], atol=1e-12)


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="power of 2"):
        SensitivityOptions(sobol_samples=500)
    with pytest.raises(ValueError, match="even"):
        SensitivityOptions(morris_levels=3)


# -- evaluation helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "in_risk"), [("nl-integrated", False), ("nl-integrated", True), ("uk-nsra", False)]
)
def test_per_sample_weights_evaluate_as_with_weights(name: str, in_risk: bool) -> None:
    """Weighted sum (with cascades in risk or not) and weighted average, one weight vector per
    sample, equal ``with_weights(w).evaluate`` sample by sample."""
    loaded = read_assessment(str(EXAMPLES_DIR / f"{name}.yaml"))
    method = loaded.method
    if in_risk:
        assert method.cascades is not None and loaded.inputs.cascades
        cascades = method.cascades.model_copy(update={"include_in_risk": True})
        method = method.model_copy(update={"cascades": cascades})
    _, sampler, _ = _setup(loaded)
    model = RiskModel.of(method, loaded.inputs)
    assert model.cascades_in_risk == in_risk
    rng = np.random.default_rng(0)
    pos = sampler.sample(6, rng)
    w = rng.random((6, model.n_criteria))
    w /= w.sum(axis=1, keepdims=True)
    got = evaluate_weighted(model, pos, w)
    for i in range(6):
        ev = model.with_weights(w[i]).evaluate(pos[i])
        np.testing.assert_allclose(got.total_impact[i], ev.total_impact, rtol=1e-12)
        np.testing.assert_allclose(got.level_risk[i], ev.level_risk, rtol=1e-12)
        np.testing.assert_allclose(got.risk[i], ev.risk, rtol=1e-12)


def test_restricted_model_gives_the_full_values_of_its_scenario() -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    model, sampler, _ = _setup(loaded)
    assert model.cascades_in_risk and model.cascades.nnz > 0
    pos = sampler.sample(50, np.random.default_rng(1))
    full = model.evaluate(pos)
    n_levels = pos.shape[2]
    for s in range(pos.shape[1]):
        linked = linked_scenarios(model, s, n_levels)
        assert linked[0] == s
        sub = model.restricted(linked).evaluate(pos[:, linked])
        np.testing.assert_allclose(sub.total_impact[:, 0], full.total_impact[:, s], rtol=1e-12)
        np.testing.assert_allclose(sub.level_risk[:, 0], full.level_risk[:, s], rtol=1e-12)


# -- Sobol through nsra ----------------------------------------------------------------------------
def test_sobol_through_nsra_linear_continuous() -> None:
    """Continuous positions, scores = positions on [0, 5], fixed weights: impact is linear."""
    loaded = parse_assessment(ASSESSMENT, "test.yaml", method=_nl_method(continuous=True))
    model, sampler, results = _setup(loaded)
    opts = SensitivityOptions(sobol_samples=1024, weights="fixed")
    sc = scenario_sobol(model, sampler, results.cells.central, results.level, 0, opts, 7)
    assert set(sc.sobol.inputs) == {"score 2.1", "score 3.1", "score 5.3", "likelihood"}
    # widths of the position intervals: 2.1 A..C -> [0.5, 3.5]; 5.3 B..C -> [1.5, 3.5];
    # 3.1 X -> [0, 0.5]; equal weights, so a_i is proportional to the width
    width = {"score 2.1": 3.0, "score 5.3": 2.0, "score 3.1": 0.5}
    total = sum(v**2 for v in width.values())
    got = _indices(sc, "impact")
    for name, wd in width.items():
        assert got[name][0] == pytest.approx(wd**2 / total, abs=0.02)
        assert got[name][1] == pytest.approx(wd**2 / total, abs=0.02)
    assert got["likelihood"] == (0.0, 0.0)  # likelihood does not enter the impact
    j = sc.sobol.outputs.index("impact")
    assert sc.sobol.s1[j].sum() == pytest.approx(1.0, abs=0.03)
    assert sc.sobol.st[j].sum() == pytest.approx(1.0, abs=0.03)
    # continuous: every estimated cell has a range; only the weights are held fixed
    assert set(sc.fixed) == {f"weight {c.id}" for c in model.method.criteria}
    risk = _indices(sc, "risk")
    assert risk["likelihood"][1] > 0.05


def test_sobol_through_nsra_linear_discrete_classes() -> None:
    """Discrete classes drawn uniformly: Var of n equally likely classes is (n^2 - 1) / 12."""
    loaded = parse_assessment(ASSESSMENT, "test.yaml", method=_nl_method(continuous=False))
    model, sampler, results = _setup(loaded)
    opts = SensitivityOptions(sobol_samples=1024, weights="fixed")
    sc = scenario_sobol(model, sampler, results.cells.central, results.level, 0, opts, 7)
    # 2.1 A..C: 3 classes; 5.3 B..C: 2 classes; 3.1 X: one class, held fixed
    assert "score 3.1" in sc.fixed
    assert set(sc.sobol.inputs) == {"score 2.1", "score 5.3", "likelihood"}
    var = {"score 2.1": (9 - 1) / 12, "score 5.3": (4 - 1) / 12}
    total = sum(var.values())
    got = _indices(sc, "impact")
    for name, v in var.items():
        assert got[name][0] == pytest.approx(v / total, abs=0.03)
        assert got[name][1] == pytest.approx(v / total, abs=0.03)
    cls = {i.name: (i.low, i.high) for i in sc.inputs}
    assert cls["score 2.1"] == (1.0, 3.0) and cls["likelihood"] == (2.0, 3.0)


def test_cells_without_range_are_held_fixed() -> None:
    loaded = parse_assessment(ASSESSMENT, "test.yaml", method=_nl_method(continuous=True))
    model, sampler, results = _setup(loaded)
    k = model.n_criteria
    low, high = sampler.low.copy(), sampler.high.copy()
    slot = [c.id for c in model.method.criteria].index("5.3")
    low[0, 0, slot] = high[0, 0, slot] = 2.0
    low[0, 0, k] = high[0, 0, k] = 2.5
    pinned = PositionSampler(low=low, high=high, mode=sampler.mode)
    sc = scenario_sobol(model, pinned, results.cells.central, results.level, 0, FAST, 1)
    assert set(sc.fixed) == {"score 5.3", "likelihood"}
    assert set(sc.sobol.inputs) == {f"weight {c.id}" for c in model.method.criteria} | {
        "score 2.1",
        "score 3.1",
    }
    assert not any(n.startswith("score 1.") for n in sc.sobol.inputs)  # nobody estimated these


def test_weight_spaces() -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / "nl-integrated.yaml"))
    model, sampler, results = _setup(loaded, "no-international")
    central, level = results.cells.central, results.level
    opts = SensitivityOptions(sobol_samples=64, weights="profile", weight_spread=0.25)
    sc = scenario_sobol(model, sampler, central, level, 0, opts, 0)
    assert {"weight 6.1", "weight 6.2"} <= set(sc.fixed)  # weight 0 in the profile
    w = {i.name: (i.low, i.high) for i in sc.inputs if i.kind == "weight"}
    assert w["weight 2.1"] == pytest.approx((0.1 * 0.75, 0.1 * 1.25))
    fixed = scenario_sobol(model, sampler, central, level, 0, SensitivityOptions(weights="fixed"))
    assert not any(i.kind == "weight" for i in fixed.inputs)
    bnra = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    m2, s2, r2 = _setup(bnra)
    sc2 = scenario_sobol(m2, s2, r2.cells.central, r2.level, 0, FAST)
    assert not any("weight" in n for n in (*sc2.sobol.inputs, *sc2.fixed))  # monetised


# -- Morris of the ranks ---------------------------------------------------------------------------
def test_morris_rank_unaffected_inputs_have_mu_star_zero() -> None:
    loaded = parse_assessment(ASSESSMENT, "test.yaml", method=_nl_method(continuous=False))
    model, sampler, results = _setup(loaded)
    effects, inputs = rank_morris(model, sampler, results.cells.central, FAST, 3, _ids(loaded))
    assert effects.outputs == ("flood", "attack", "outage")
    g = list(effects.groups)
    assert {"scenario flood", "scenario attack", "scenario outage", "weight 1.1"} <= set(g)
    # nobody scored 1.1: its raw weight only rescales every impact alike, so no rank moves
    assert np.all(effects.mu_star[:, g.index("weight 1.1")] == 0)
    assert np.all(effects.mu_star[:, g.index("weight 3.1")] == 0)  # scored X (score 0)
    assert np.any(effects.mu_star[:, g.index("scenario flood")] > 0)
    assert all(i.scenario >= 0 for i in inputs if i.kind != "weight")


def test_whole_analysis_document_and_determinism() -> None:
    loaded = parse_assessment(ASSESSMENT, "test.yaml", method=_nl_method(continuous=False))
    model, sampler, results = _setup(loaded)
    args = (model, sampler, results.cells.central, results.level)
    ids = _ids(loaded)
    titles = {sc.id: tr(sc.title) for sc in loaded.assessment.scenarios}

    def document(seed: int) -> SensitivitySection:
        result = sensitivity(*args, scenario_ids=ids, options=FAST, seed=seed)
        return sensitivity_section(result, loaded.method, titles)

    a, b, c = document(11), document(11), document(12)
    text = json.dumps(a, allow_nan=False)
    assert text == json.dumps(b, allow_nan=False)
    assert text != json.dumps(c, allow_nan=False)
    assert a["seed"] == 11 and a["options"]["sobol_samples"] == 256
    flood = a["scenarios"][0]
    names = [i["input"] for i in flood["sobol"]["risk"]["indices"]]
    assert "weight 2.1" in names and "score 2.1" in names and "likelihood" in names
    # the summary says what its risk depends on and what moves its rank, in words
    assert flood["summary"].startswith("Its risk depends most on")
    assert "Its place in the ranking" in flood["summary"]


@pytest.mark.parametrize("name", ["nl-integrated", "be-bnra"])
def test_examples_run_with_the_defaults(name: str) -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / f"{name}.yaml"))
    model, sampler, results = _setup(loaded)
    res = sensitivity(
        model, sampler, results.cells.central, results.level, scenario_ids=_ids(loaded), seed=0
    )
    titles = {sc.id: tr(sc.title) for sc in loaded.assessment.scenarios}
    doc = sensitivity_section(res, loaded.method, titles)
    json.dumps(doc, allow_nan=False)
    assert len(doc["scenarios"]) == len(loaded.assessment.scenarios)
    chronic = {sc.id for sc in loaded.assessment.scenarios if sc.kind == "chronic"}
    for sc in doc["scenarios"]:
        risk = sc["sobol"]["risk"]["indices"]
        if sc["id"] in chronic:  # no likelihood, so no risk: its impact is analysed alone
            assert sc["sobol"]["risk"]["variance"] is None and all(i["ST"] is None for i in risk)
            assert sc["summary"]
            continue
        assert sum(i["ST"] or 0.0 for i in risk) >= 0.9  # total indices cover at least the variance
        assert sc["summary"]

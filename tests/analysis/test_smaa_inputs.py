"""What SMAA-2 ranks for an assessment (nsra.analysis.smaa_inputs): effective values times the
weights are exactly the engine's risk (cascades counted in risk included); weight preferences."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nsra.analysis.smaa import smaa, smaa_ranks, smaa_values
from nsra.analysis.smaa_inputs import (
    EffectiveValues,
    PreferenceError,
    effective_values,
    weight_preferences,
    weights_matter,
)
from nsra.analysis.uncertainty import position_sampler
from nsra.analysis.weights import FixedWeights, IntervalWeights, OrdinalWeights, UniformWeights
from nsra.engine.compute import compute
from nsra.engine.evaluate import RiskModel
from nsra.io.smaa_section import smaa_section
from nsra.io.validate import read_assessment
from tests.helpers import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_effective_values_times_weights_is_the_engine_risk(path: Path) -> None:
    loaded = read_assessment(str(path))
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    e = effective_values(model, results.cells.central)
    w = model.impact.weights if weights_matter(model) else np.ones(1)
    assert np.allclose(e @ w, np.nan_to_num(results.risk), rtol=1e-12, atol=0)


def test_effective_values_follow_other_weights_too() -> None:
    loaded = read_assessment(str(ROOT / "examples" / "nl-integrated.yaml"))
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    e = effective_values(model, results.cells.central)
    w = np.random.default_rng(3).dirichlet(np.ones(e.shape[-1]))
    risk = model.with_weights(w).evaluate(results.cells.central).risk
    assert np.allclose(e @ w, np.nan_to_num(risk), rtol=1e-12)


def weight_sampler(spec: str, model: RiskModel) -> object:
    return weight_preferences(spec, model).sampler


def test_weight_preferences_are_parsed() -> None:
    loaded = read_assessment(str(ROOT / "examples" / "nl-integrated.yaml"))
    model = RiskModel.of(loaded.method, loaded.inputs)
    assert isinstance(weight_sampler("uniform", model), UniformWeights)
    ordinal = weight_sampler("ordinal:2.1>3.1=5.2", model)
    assert isinstance(ordinal, OrdinalWeights)
    w = ordinal(2000, np.random.default_rng(0))
    ids = [c.id for c in loaded.method.criteria]
    first, second, third = ids.index("2.1"), ids.index("3.1"), ids.index("5.2")
    assert np.all(w[:, first] >= w[:, second]) and np.all(w[:, first] >= w[:, third])
    interval = weight_sampler("interval:0.5", model)
    assert isinstance(interval, IntervalWeights)
    for bad in ("ordinal:9.9", "ordinal:2.1>2.1", "interval:x", "triangle"):
        with pytest.raises(PreferenceError):
            weight_sampler(bad, model)


def test_monetised_method_ranks_risk_under_estimate_uncertainty_only() -> None:
    loaded = read_assessment(str(ROOT / "examples" / "be-bnra.yaml"))
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    assert isinstance(weight_sampler("uniform", model), FixedWeights)
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells)
    prefs = weight_preferences("uniform", model)
    res = smaa(EffectiveValues(model, sampler), prefs.sampler, n=2000, seed=2)
    doc = smaa_section(loaded.assessment, loaded.method, res, "uniform", prefs.varied)
    acc = np.array([s["rank_acceptability"] for s in doc["scenarios"]])
    assert np.allclose(acc.sum(axis=0), 1) and np.allclose(acc.sum(axis=1), 1)
    assert doc["criteria"] == [] and doc["weights"].startswith("fixed")
    # the scenario ranked first by the engine is most often first under uncertainty
    assert int(np.argmax(acc[:, 0])) == int(np.flatnonzero(results.rank == 1)[0])


# -- a weighted method that counts cascades in risk ------------------------------------------------
CASCADES_IN_RISK = """\
title: Cascades counted in risk
method: ./nl-snv-cascades.yaml
date: 2026-01-15
classification: UNCLASSIFIED
organisations: [{id: o, name: O}]
analysts: [{id: a1, organisation: o}]
scenarios:
  - id: flood
    title: River flood
    theme: water
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: D, impact: {"2.1": B}}
  - id: blackout
    title: Blackout
    theme: energy
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: B, impact: {"3.1": D}}
  - id: attack
    title: Attack
    theme: terrorism
    domain: internal
    malicious: true
    owner: o
    estimates:
      - {analyst: a1, likelihood: C, impact: {"2.1": C}}
cascades:
  - {cause: flood, effect: blackout, probability: D}
"""


def _cascades_in_risk(tmp_path: Path) -> Path:
    """nl-snv's shape with ``cascades.include_in_risk: true``, and an assessment in which the
    cascade decides the order: without it the blackout is last, with it second."""
    method = (ROOT / "src" / "nsra" / "methods" / "nl-snv.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("include_in_risk: false", "include_in_risk: true"),
        ('version: "2019-illustrative"', 'version: "2019-cascades"'),
    ):
        assert method.count(old) == 1
        method = method.replace(old, new)
    (tmp_path / "nl-snv-cascades.yaml").write_text(method, encoding="utf-8")
    path = tmp_path / "cascades.yaml"
    path.write_text(CASCADES_IN_RISK, encoding="utf-8")
    return path


def test_a_weighted_method_that_counts_cascades_ranks_what_the_engine_ranks(
    tmp_path: Path,
) -> None:
    loaded = read_assessment(str(_cascades_in_risk(tmp_path)))
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    assert model.cascades_in_risk and weights_matter(model)
    # by hand (equal weights over 12 criteria; class centres; scores B = 3, C = 9, D = 27):
    # flood D: p = sqrt(5% x 50%), impact 3/12 plus the blackout's 27/12 x CP D (70%);
    # blackout B: p = sqrt(0.05% x 0.5%) plus the flood's p x 70%, impact 27/12;
    # attack C: p = sqrt(0.5% x 5%), impact 9/12
    p_flood, p_blackout, p_attack = (
        math.sqrt(a * b) for a, b in ((0.05, 0.5), (5e-4, 5e-3), (5e-3, 5e-2))
    )
    risk = [
        p_flood * (3 + 0.7 * 27) / 12,
        (p_blackout + 0.7 * p_flood) * 27 / 12,
        p_attack * 9 / 12,
    ]
    np.testing.assert_allclose(results.risk, risk, rtol=1e-12)
    assert results.rank.tolist() == [1, 2, 3]
    # effective values times the weights: the engine's risk, and so its ranks
    e = effective_values(model, results.cells.central)
    w = model.impact.weights
    np.testing.assert_allclose(e @ w, results.risk, rtol=1e-12, atol=0)
    assert smaa_ranks(smaa_values(e, w[None, :]))[0].tolist() == results.rank.tolist()
    # SMAA at the method's weights: every scenario always at the engine's rank
    res = smaa(e, FixedWeights(tuple(w)), n=100, seed=0)
    np.testing.assert_array_equal(res.rank_acceptability, np.eye(3)[results.rank - 1])

"""SMAA-2 on assessments: what is ranked is exactly the engine's risk; weight preferences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import ROOT
from nsra.analysis.smaa import smaa
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

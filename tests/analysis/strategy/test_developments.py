"""International developments: what-if, cascades, exposure, uncertainty of the shifts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nsra.analysis.strategy.developments import _ShiftedPairs, development_uncertainty, what_if
from nsra.analysis.strategy.picture import StrategyModel
from nsra.analysis.uncertainty import position_sampler
from nsra.engine.compute import compute
from nsra.io.safeyaml import load
from nsra.io.validate import parse_assessment
from tests.analysis.strategy.cases import HEAD, model, scenario
from tests.helpers import EXAMPLES

CASCADE = "cascades:\n  - {cause: a, effect: b, probability: {value: 0.3}}\n"


def _text(developments: str, cascades: str = CASCADE) -> str:
    return (
        HEAD
        + "scenarios:\n"
        + scenario("a", "B", "external")
        + scenario("b", "C")
        + scenario("c", "A")
        + cascades
        + "developments:\n"
        + developments
    )


RAISES_A = (
    "  - {id: war, title: War, kind: geopolitical, effects: "
    "[{scenario: a, likelihood: {steps: 1, low: 0.5, high: 1.5}}]}\n"
)


def test_a_development_that_raises_a_cause_raises_its_effect_by_the_first_order_amount() -> None:
    _, _, sm = model(_text(RAISES_A))
    w = what_if(sm)
    now, after = w.current.evaluation, w.pictures.evaluation
    dp_cause = after.direct_probability[0, 0, 0] - now.direct_probability[0, 0]
    assert dp_cause > 0
    d_ind = after.indirect_probability[0, 1, 0] - now.indirect_probability[1, 0]
    assert d_ind == pytest.approx(0.3 * dp_cause, rel=1e-12)
    assert w.direct[0].tolist() == [True, False, False]
    assert w.through_cascades[0].tolist() == [False, True, False]
    # nl-snv does not count cascades in risk: the effect's risk stays; the cause's rises
    assert w.risk_added[0, 1] == 0 and w.risk_added[0, 0] > 0
    assert w.pictures.likelihood_class[0, 0] == w.current.likelihood_class[0] + 1


def test_what_if_for_each_development_and_all_together() -> None:
    two = RAISES_A + (
        "  - {id: heat, title: Heat, kind: climate, effects: "
        "[{scenario: c, likelihood: {factor: 3}}, {scenario: a, likelihood: {factor: 2}}]}\n"
    )
    _, _, sm = model(_text(two, cascades=""))
    w = what_if(sm)
    assert w.pictures.risk.shape == (3, 3)  # war, heat, both
    now = w.current.risk
    # heat alone: c's probability x3, a's x2 (risk = probability x impact)
    assert w.pictures.risk[1] == pytest.approx([2 * now[0], now[1], 3 * now[2]], rel=1e-12)
    # both: a gets one class step and x2
    assert w.pictures.risk[2, 0] == pytest.approx(2 * w.pictures.risk[0, 0], rel=1e-12)
    expo = (w.pictures.risk[2] - now) / w.pictures.risk[2]
    assert w.exposure == pytest.approx(np.where(expo > 0, expo, 0))
    assert w.exposure[1] == 0


def test_a_risk_that_becomes_serious() -> None:
    big = (
        "  - {id: x, title: X, kind: other, effects: "
        '[{scenario: b, impact: {"2.1": 2, "5.1": 2}}]}\n'
    )
    _, _, sm = model(_text(big, cascades=""))
    w = what_if(sm)
    assert not w.current.serious[1]
    assert w.becomes_serious[0].tolist() == [False, True, False]


def test_the_uncertainty_of_a_shift_comes_from_its_interval() -> None:
    loaded, results, sm = model(_text(RAISES_A, cascades=""))
    u = development_uncertainty(sm, None, samples=4000, seed=3)
    w = what_if(sm)
    lo, mid, hi = u.risk_added[:, 0, 0]
    assert lo < mid < hi
    assert lo > 0  # half a step up at least
    assert w.risk_added[0, 0] == pytest.approx(mid, rel=0.1)  # one step: the middle of 0.5..1.5
    assert u.risk_added[:, 0, 1].tolist() == [0, 0, 0]  # b is not touched
    same = development_uncertainty(sm, None, samples=4000, seed=3)
    assert np.array_equal(same.risk_added, u.risk_added)  # seeded
    # with the estimates drawn as well, the interval widens
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells)
    wide = development_uncertainty(sm, sampler, samples=4000, seed=3)
    assert wide.risk_added[2, 0, 0] - wide.risk_added[0, 0, 0] > hi - lo


def test_a_shift_without_an_interval_is_certain() -> None:
    sure = RAISES_A.replace("{steps: 1, low: 0.5, high: 1.5}", "1")
    _, _, sm = model(_text(sure, cascades=""))
    u = development_uncertainty(sm, None, samples=100, seed=0)
    assert u.risk_added[0, 0, 0] == pytest.approx(u.risk_added[2, 0, 0])


def test_the_pairs_give_what_evaluating_everything_gives() -> None:
    """Only the shifted (development, scenario) pairs are evaluated again; the rest goes through
    the cascades. On the Belgian example (cascades count in risk, three intensity levels), with
    developments that touch causes and effects, this equals evaluating every scenario under every
    development, draw by draw."""
    path = next(p for p in EXAMPLES if p.stem == "be-bnra")
    data = load(path.read_text(encoding="utf-8"), str(path))
    ids = [s["id"] for s in data["scenarios"]]
    causes = [c["cause"] for c in data["cascades"]][:3]
    crit = "Ha"
    data["developments"] = [
        {
            "id": "d1",
            "title": "D1",
            "kind": "other",
            "effects": [
                {"scenario": causes[0], "likelihood": {"steps": 0.5, "low": 0, "high": 1}},
                {"scenario": ids[-1], "impact": {crit: {"factor": 2, "low": 1, "high": 3}}},
            ],
        },
        {
            "id": "d2",
            "title": "D2",
            "kind": "other",
            "effects": [
                {"scenario": causes[1], "likelihood": {"factor": 3, "low": 1.5, "high": 4}},
                {"scenario": causes[2], "impact": {crit: 1}, "levels": ["extreme"]},
            ],
        },
    ]
    loaded = parse_assessment(json.dumps(data), "be.json")
    results = compute(loaded.inputs, loaded.method)
    sm = StrategyModel.of(loaded.assessment, loaded.inputs, loaded.method, results.cells.central)
    rng = np.random.default_rng(5)
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells)
    values = sm.developments.draw(7, rng)
    pos = sampler.sample(7, rng)
    added, serious = _ShiftedPairs(sm)(values, pos)
    # every scenario under every set, the plain way
    sets = np.concatenate([np.zeros((1, 2)), np.eye(2), np.ones((1, 2))])
    coef = np.broadcast_to(sm.current, (7, 4, len(sm.current)))
    shift = sm.shift(coef, np.broadcast_to(sets, (7, 4, 2)), None, values[:, None, :])
    pic = sm.picture(shift, positions=pos[:, None])
    risk = np.nan_to_num(pic.risk)
    assert np.allclose(added, risk[:, 1:] - risk[:, :1], rtol=1e-12, atol=1e-12)
    assert np.array_equal(serious.astype(bool), pic.serious)
    assert np.abs(added[:, 0]).sum() > 0 and np.abs(added[:, 1]).sum() > 0

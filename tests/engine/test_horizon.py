"""Likelihood at a horizon (nsra.engine.horizon): the BNRA example's 2050 likelihoods,
propagated through the cascades, against the first-order formula written out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import nsra
from nsra.engine.compute import Results
from nsra.io.validate import Loaded, read_assessment
from tests.helpers import EXAMPLES_DIR, check_error, replace_once


def example() -> tuple[Loaded, Results]:
    loaded = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    return loaded, nsra.compute(loaded)


def test_the_2050_likelihoods_of_the_example_are_read_and_used() -> None:
    loaded, r = example()
    h = r.horizons["2050"]
    ids = [sc.id for sc in loaded.assessment.scenarios]
    flood = ids.index("river-flooding")
    assert h.year == 2050
    assert h.given[flood].tolist() == [True, True, True]
    assert h.given.sum() == 3
    # DP 4.4 (a position), a 40-year return period (a value), class 3 (its centre)
    rp = [36 * 10 ** (4.5 - 4.4), 40 * 12.0, 36 * 10 ** (4.5 - 3)]
    want = [1 - math.exp(-12 / x) for x in rp]
    assert h.direct_probability[flood].tolist() == pytest.approx(want, rel=1e-12)
    # elsewhere the present likelihood holds
    same = ~h.given
    assert np.array_equal(h.likelihood_position[same], r.likelihood_position[same])


def test_the_horizon_propagates_through_the_cascades_at_first_order() -> None:
    loaded, r = example()
    h = r.horizons["2050"]
    c = loaded.inputs.cascades
    indirect = np.zeros_like(h.direct_probability)
    for cause, a, effect, b, cp in c.tuples():
        p = h.direct_probability[cause, a]
        indirect[effect, b] += 0.0 if math.isnan(p) else p * cp
    assert np.allclose(h.indirect_probability, indirect, rtol=1e-12, atol=0)
    total = np.minimum(1.0, h.direct_probability + indirect)
    assert np.allclose(h.total_probability, total, rtol=1e-12, atol=0, equal_nan=True)
    ids = [sc.id for sc in loaded.assessment.scenarios]
    outage = ids.index("power-outage")  # flooding sets off outages: more of them in 2050
    assert np.all(h.total_probability[outage] > r.total_probability[outage])
    assert np.allclose(h.level_risk, h.total_probability * r.total_impact, equal_nan=True)


def test_an_unknown_horizon_is_a_problem() -> None:
    text = (EXAMPLES_DIR / "be-bnra.yaml").read_text(encoding="utf-8")
    bad = replace_once(text, 'horizon: {"2050": "3"}', 'horizon: {"2040": "3"}')
    check_error(bad, "unknown horizon '2040'; allowed: 2050", 'horizon: {"2040"')


def test_horizon_likelihoods_of_several_analysts_take_the_median(tmp_path: Path) -> None:
    text = (EXAMPLES_DIR / "be-bnra.yaml").read_text(encoding="utf-8")
    two = replace_once(
        text,
        '        level: considerable\n        impact: {Ha: "0..1", Hb: "1"}',
        '        level: considerable\n        horizon: {"2050": "5"}\n'
        '        impact: {Ha: "0..1", Hb: "1"}',
    )
    path = tmp_path / "two.yaml"
    path.write_text(two, encoding="utf-8")
    loaded = read_assessment(str(path))
    h = nsra.compute(loaded).horizons["2050"]
    flood = [sc.id for sc in loaded.assessment.scenarios].index("river-flooding")
    assert h.likelihood_position[flood, 0] == pytest.approx((4.4 + 5.0) / 2)

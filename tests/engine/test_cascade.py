"""First-order cascade kernels (nsra.engine.cascade): the sparse matrix and its products by hand."""

from __future__ import annotations

import numpy as np
import pytest

from nsra.engine.cascade import cascade_matrix, through
from nsra.engine.inputs import CascadeRows, FloatArray


def indirect_probability(direct: FloatArray, cascades: CascadeRows) -> FloatArray:
    """Indirect probability per (scenario, level), as the evaluator computes it."""
    s, lv = direct.shape[-2:]
    return through(cascade_matrix(cascades, s, lv), direct)


def indirect_impact(direct: FloatArray, cascades: CascadeRows) -> FloatArray:
    """Indirect impact per (scenario, level), as the evaluator computes it."""
    s, lv = direct.shape[-2:]
    return through(cascade_matrix(cascades, s, lv).T.tocsr(), direct)


def test_indirect_probability_and_impact_kernels_by_hand() -> None:
    direct_p = np.array([[0.2, 0.1], [0.5, 0.0], [0.0, 0.0]])
    direct_i = np.array([[10.0, 20.0], [100.0, 200.0], [1000.0, 2000.0]])
    c = CascadeRows(
        cause=np.array([0, 1, 0]),
        cause_level=np.array([0, 0, 1]),
        effect=np.array([2, 2, 2]),
        effect_level=np.array([1, 1, 0]),
        probability=np.array([0.3, 0.4, 0.5]),
    )
    p = indirect_probability(direct_p, c)
    assert p[2, 1] == pytest.approx(0.2 * 0.3 + 0.5 * 0.4)
    assert p[2, 0] == pytest.approx(0.1 * 0.5)
    assert np.all(p[:2] == 0)
    i = indirect_impact(direct_i, c)
    assert i[0, 0] == pytest.approx(0.3 * 2000.0)
    assert i[1, 0] == pytest.approx(0.4 * 2000.0)
    assert i[0, 1] == pytest.approx(0.5 * 1000.0)
    assert np.all(i[2] == 0)

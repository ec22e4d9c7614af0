"""SMAA's value sampler (nsra.analysis.smaa.values.RangeValues): draws within their bounds, fixed
cells exactly fixed (whether few or many cells vary), the transform, and clear refusals."""

from __future__ import annotations

import numpy as np
import pytest

from nsra.analysis.smaa import RangeValues


@pytest.mark.parametrize("varying", [1, 5])  # few cells vary (scattered) or most (every cell)
def test_draws_stay_within_the_bounds_and_fixed_cells_stay_fixed(varying: int) -> None:
    low = np.arange(1.0, 7.0).reshape(2, 3)
    high = low.copy()
    high.flat[:varying] += 0.5
    draws = RangeValues(low, high).sample(4000, np.random.default_rng(3))
    assert draws.shape == (4000, 2, 3)
    assert np.all(draws >= low) and np.all(draws <= high)
    fixed = (high == low).ravel()
    np.testing.assert_array_equal(
        draws.reshape(4000, 6)[:, fixed], np.tile(low.ravel()[fixed], (4000, 1))
    )
    # uniform between the bounds: mean in the middle, variance width^2 / 12
    moving = draws.reshape(4000, 6)[:, ~fixed]
    np.testing.assert_allclose(moving.mean(axis=0), low.ravel()[~fixed] + 0.25, atol=0.02)
    np.testing.assert_allclose(moving.var(axis=0), 0.25 / 12, rtol=0.1)


def test_the_transform_applies_to_the_draws_and_the_generator_decides() -> None:
    sampler = RangeValues(np.array([1.0, 2.0]), np.array([2.0, 2.0]), transform=np.exp2)
    a = sampler(1000, np.random.default_rng(0))
    b = RangeValues(np.array([1.0, 2.0]), np.array([2.0, 2.0])).sample(
        1000, np.random.default_rng(0)
    )
    np.testing.assert_array_equal(a, np.exp2(b))
    assert np.all(a[:, 1] == 4.0) and np.all((a[:, 0] >= 2.0) & (a[:, 0] <= 4.0))


def test_refusals() -> None:
    with pytest.raises(ValueError, match="same shape"):
        RangeValues(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="low <= high"):
        RangeValues(np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="without NaN"):
        RangeValues(np.array([np.nan]), np.array([1.0]))

"""The BNRA's impact noise: euros -> a rounded position on an exponential scale, plus normal
noise, floored, back to euros (the BNRA application's impact statistics, where every node and
indicator of a forced-start event graph is treated so before the graph's impact is summed).

The position of ``q`` euros is ``log(q / factor) / log(base)`` above the value at the
threshold and linear from 0 below it (not clamped to the threshold in between, as the
application reads it); rounding is half up (``floor(x / step + 0.5) * step``, JavaScript's
``Math.round``); the noisy position becomes euros with the scale's own function.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nsra.engine.scales import FloatArray, exponential_value
from nsra.model.method import ExponentialFunction, ImpactNoise


def rounded_position(euros: FloatArray, f: ExponentialFunction, step: float) -> FloatArray:
    """Positions of ``euros`` on the scale ``f``, rounded half up to ``step`` (0: not rounded)."""
    q = np.asarray(euros, dtype=float)
    at = f.threshold_value
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = np.log(q / f.factor) / np.log(f.base)
        if f.threshold is None or f.threshold == 0:
            s = curve
        else:
            s = np.where(q > at, curve, f.threshold * q / at)
    if step > 0:
        inverse = 1.0 / step
        s = np.floor(s * inverse + 0.5) / inverse
    out: FloatArray = s
    return out


def noisy_euros(
    euros: FloatArray, f: ExponentialFunction, noise: ImpactNoise, rng: np.random.Generator
) -> FloatArray:
    """Every positive amount of ``euros`` (any shape) with the rounding and noise of ``noise``;
    0 stays 0 (no draw for it)."""
    q = np.asarray(euros, dtype=float)
    positive = q > 0
    positions = rounded_position(q[positive], f, noise.round_to)
    return noisy_at(positions, positive, f, noise, rng)


def noisy_at(
    positions: FloatArray,
    where: NDArray[np.bool_],
    f: ExponentialFunction,
    noise: ImpactNoise,
    rng: np.random.Generator,
) -> FloatArray:
    """Euros shaped like ``where``: 0 where false; where true, the rounded ``positions`` (one
    per true element, in order) plus noise, floored, back to euros."""
    s = np.maximum(positions + noise.sd * rng.standard_normal(positions.shape), noise.floor)
    out = np.zeros(where.shape)
    out[where] = exponential_value(s, f.factor, f.base, f.threshold, f.threshold_value)
    return out

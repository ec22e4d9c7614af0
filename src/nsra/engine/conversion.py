"""Positions of one method generation -> positions of another (the BNRA application's
conversion between its 5-point and 7-point scales): through the quantity both scales read,
``to.position(from.value(s))``, rounded half up where the conversion says so.

A scale is named by id, or ``monetisation`` for the criterion scales of a monetised method
(positions -> euros through the method's monetisation). A criterion scale without a function of
its own (a qualitative one: the BNRA's Sc and Sd) is read through the monetisation too, so a
conversion may name it (``sc`` -> ``sc7``). Exponential positions are read as the
application reads them: below the value at the threshold linearly, above it on the curve.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from nsra.engine.impact_noise import rounded_position
from nsra.engine.scales import FloatArray, ScaleKernel, exponential_value
from nsra.model.method import (
    MONETISATION,
    ExponentialFunction,
    Method,
    ScaleConversion,
)


def _function(method: Method, scale_id: str) -> ExponentialFunction | ScaleKernel:
    if scale_id == MONETISATION:
        f = method.aggregation.monetisation
        if f is None:
            raise ValueError(f"method {method.id} has no monetisation")
        return f
    scale = method.scale(scale_id)
    if isinstance(scale.function, ExponentialFunction):
        return scale.function
    # a qualitative criterion scale (the BNRA's Sc, Sd: no bounds, no function of its own)
    # reads its positions in euros through the method's monetisation, as the aggregation
    # does; the application converts Sc and Sd that way (docs/bnra.md)
    money = method.aggregation.monetisation
    criterion_scale = any(c.scale == scale_id for c in method.criteria)
    if money is not None and scale.function is None and criterion_scale:
        return money
    return ScaleKernel.of(scale)


def quantity(method: Method, scale_id: str, positions: ArrayLike) -> FloatArray:
    """The quantity (euros, return period, probability) at ``positions`` of a scale."""
    f = _function(method, scale_id)
    if isinstance(f, ExponentialFunction):
        return exponential_value(positions, f.factor, f.base, f.threshold, f.threshold_value)
    return f.value(positions)


def position_of(method: Method, scale_id: str, q: ArrayLike, round_to: float | None) -> FloatArray:
    """The position of quantity ``q`` on a scale, rounded half up to ``round_to`` (None: not)."""
    f = _function(method, scale_id)
    if isinstance(f, ExponentialFunction):
        s = rounded_position(np.asarray(q, dtype=float), f, round_to or 0.0)
        if f.base < 1:  # a return period: the application floors converted positions at 0
            s = np.maximum(s, 0.0)
        return s
    s = f.position(q)
    if round_to:
        inverse = 1.0 / round_to
        s = np.floor(s * inverse + 0.5) / inverse
    return s


def convert(
    source: Method, target: Method, conversion: ScaleConversion, positions: ArrayLike
) -> FloatArray:
    """Positions on ``conversion.from_scale`` of ``source`` -> positions on ``to_scale`` of
    ``target``."""
    if conversion.from_method != source.id:
        raise ValueError(
            f"conversion {conversion.id} is from {conversion.from_method}, not {source.id}"
        )
    q = quantity(source, conversion.from_scale, positions)
    return position_of(target, conversion.to_scale, q, conversion.round_to)

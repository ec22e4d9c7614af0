"""What a position on a method's scale means: its class, the quantity in the scale's unit (euros,
a quantity in the indicator's unit, a return period in months, a probability over the scale's
period) and, for a likelihood scale, the daily probability the cascade simulation uses.

``nsra methods scale be-bnra-2023 dp 2.5`` prints these readings: "DP 2.5" is a return period of
3,600 months, a daily probability of ``1 - exp(-(1 / 30.437) / 3600)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nsra.engine.conversion import quantity
from nsra.engine.likelihood import probability_from_rate, rate_from_probability
from nsra.engine.scales import FloatArray, ScaleKernel
from nsra.model.method import (
    MONETISATION,
    ClassScale,
    Criterion,
    LikelihoodScale,
    Method,
    Simulation,
)


@dataclass(frozen=True)
class Reading:
    """One position read on a scale."""

    position: float
    class_code: str
    class_label: str | None  # the class's label (the interval the application shows)
    quantity: float | None  # in ``unit``; None on a qualitative scale
    lower: float | None  # the quantity at position - 0.5 (the interval around the position)
    upper: float | None  # ... at position + 0.5
    euros: float | None  # for an impact scale of a monetised method
    daily_probability: float | None  # for a likelihood scale (and actor cascades)


@dataclass(frozen=True)
class ScaleReadings:
    """Readings of one scale; ``role`` is impact, total_impact, likelihood, cascade or other."""

    method: str
    scale: str
    role: str
    unit: str | None
    what: str  # what the quantity is, in words
    readings: list[Reading]


def _criteria_of(method: Method, scale_id: str) -> list[Criterion]:
    return [c for c in method.criteria if c.scale == scale_id]


def _likelihood_of(method: Method, scale_id: str) -> LikelihoodScale | None:
    return next((s for s in method.likelihood.scales if s.scale == scale_id), None)


def _at(a: FloatArray | None, i: int) -> float | None:
    return None if a is None or not math.isfinite(float(a[i])) else float(a[i])


def find_scale(method: Method, name: str) -> ClassScale:
    """A scale by id, or the scale of a criterion by its id (``Ha``); KeyError otherwise."""
    for s in method.scales:
        if s.id == name:
            return s
    for c in method.criteria:
        if c.id == name:
            return method.scale(c.scale)
    raise KeyError(name)


def read_scale(
    method: Method, name: str, positions: list[float] | None = None, lang: str = "en"
) -> ScaleReadings:
    """Readings of ``positions`` (default: every class's centre) on a scale or criterion."""
    from nsra.model.text import tr

    scale = find_scale(method, name)
    kernel = ScaleKernel.of(scale)
    if positions is None:
        positions = [
            float(k) for k in range(kernel.first_index, kernel.first_index + kernel.n_classes)
        ]
    sim = method.cascades.simulation if method.cascades else Simulation()
    criteria = _criteria_of(method, scale.id)
    lik = _likelihood_of(method, scale.id)
    unit = tr(scale.unit, lang) if scale.unit else None
    s = np.asarray(positions, dtype=float)
    lo_s, hi_s = np.clip(s - 0.5, 0.0, None), s + 0.5
    euros: FloatArray | None = None
    role = "other"
    if criteria and method.aggregation.kind == "monetised":
        role = "impact"
        euros = quantity(method, MONETISATION, s)
        eur_per_unit = criteria[0].eur_per_unit
        if eur_per_unit is None:  # qualitative: euros only
            q = lo = hi = None
            what = "euro equivalent (qualitative indicator)"
        else:
            q = euros / eur_per_unit
            lo = quantity(method, MONETISATION, lo_s) / eur_per_unit
            hi = quantity(method, MONETISATION, hi_s) / eur_per_unit
            what = f"{unit} ({', '.join(c.id for c in criteria)})"
    elif scale.function is not None:
        q = kernel.value(s)
        lo, hi = kernel.value(lo_s), kernel.value(hi_s)
        if scale.id == method.aggregation.total_scale:
            role, euros, what = "total_impact", q, unit or "total impact"
        elif lik is not None:
            role = "likelihood"
            what = (
                "return period (months)"
                if lik.quantity == "return_period_months"
                else f"probability over {lik.period_months:g} months"
            )
        elif method.cascades and scale.id == method.cascades.scale:
            role, what = "cascade", "conditional probability (per event)"
        else:
            what = unit or "quantity"
    else:
        q = lo = hi = None
        what = "classes only"
    daily: FloatArray | None = None
    day = 1.0 / sim.days_per_month
    if lik is not None and q is not None:
        if lik.quantity == "return_period_months":
            with np.errstate(divide="ignore"):
                daily = probability_from_rate(1.0 / q, day)
        else:
            assert lik.period_months is not None
            daily = probability_from_rate(rate_from_probability(q, lik.period_months), day)
    elif role == "cascade" and q is not None and sim.actors.cascade_period_months is not None:
        months = sim.actors.cascade_period_months
        daily = probability_from_rate(rate_from_probability(q, months), day)
    readings = []
    for i, x in enumerate(s.tolist()):
        k = int(kernel.classes(x))
        cls = scale.classes[k - kernel.first_index]

        readings.append(
            Reading(
                position=x,
                class_code=cls.code,
                class_label=tr(cls.label, lang) if cls.label else None,
                quantity=_at(q, i),
                lower=_at(lo, i),
                upper=_at(hi, i),
                euros=_at(euros, i),
                daily_probability=_at(daily, i),
            )
        )
    return ScaleReadings(method.id, scale.id, role, unit, what, readings)

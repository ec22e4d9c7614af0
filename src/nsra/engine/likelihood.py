"""Likelihood: a position on a likelihood scale -> a probability over the method's time basis.

Events are taken as Poisson: a probability ``p`` over a period ``T`` means a rate
``-ln(1 - p) / T``; a return period ``R`` means a rate ``1 / R``. The probability over the time
basis ``B`` is ``1 - exp(-rate * B)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.inputs import BoolArray, FloatArray
from nsra.engine.scales import ScaleKernel
from nsra.model.method import LikelihoodScale, Method


def rate_from_probability(p: FloatArray, period_months: float) -> FloatArray:
    """Poisson rate per month of an event with probability ``p`` over ``period_months``."""
    with np.errstate(divide="ignore"):
        return -np.log1p(-np.clip(p, 0.0, 1.0)) / period_months


def probability_from_rate(rate: FloatArray, months: float) -> FloatArray:
    """Probability of at least one event in ``months`` at a Poisson ``rate`` per month."""
    return -np.expm1(-rate * months)


def probability_over(
    positions: FloatArray, kernel: ScaleKernel, spec: LikelihoodScale, months: float
) -> FloatArray:
    """Probability over ``months`` of likelihood positions on one scale (NaN stays NaN)."""
    quantity = kernel.value(positions)
    if spec.quantity == "return_period_months":
        with np.errstate(divide="ignore"):
            rate = 1.0 / quantity
    else:
        assert spec.period_months is not None
        rate = rate_from_probability(quantity, spec.period_months)
    return np.where(np.isnan(positions), np.nan, probability_from_rate(rate, months))


@dataclass(frozen=True)
class LikelihoodModel:
    """The method's likelihood scales, compiled; picks the scale by the malicious flag."""

    method: Method
    time_basis_months: float
    malicious: tuple[LikelihoodScale, ScaleKernel]
    non_malicious: tuple[LikelihoodScale, ScaleKernel]

    @classmethod
    def of(cls, method: Method) -> LikelihoodModel:
        def pick(flag: bool) -> tuple[LikelihoodScale, ScaleKernel]:
            spec = method.likelihood.scale_for(flag)
            return spec, ScaleKernel.of(method.scale(spec.scale))

        return cls(method, method.likelihood.time_basis_months, pick(True), pick(False))

    def kernel(self, malicious: bool) -> ScaleKernel:
        return (self.malicious if malicious else self.non_malicious)[1]

    def probability_on(
        self, malicious: bool, positions: FloatArray, months: float | None = None
    ) -> FloatArray:
        """Probability over ``months`` (default: the time basis) of positions on the scale for
        malicious or for non-malicious scenarios; any shape."""
        spec, kernel = self.malicious if malicious else self.non_malicious
        basis = self.time_basis_months if months is None else months
        return probability_over(positions, kernel, spec, basis)

    def probability(
        self, positions: FloatArray, malicious: BoolArray, months: float | None = None
    ) -> FloatArray:
        """Probability over ``months`` (default: the time basis); positions shaped (S, ...)."""
        basis = self.time_basis_months if months is None else months
        out = np.full(positions.shape, np.nan)
        for flag, (spec, kernel) in ((True, self.malicious), (False, self.non_malicious)):
            rows = malicious == flag
            if np.any(rows):
                out[rows] = probability_over(positions[rows], kernel, spec, basis)
        return out

"""Likelihood at a horizon year (the BNRA's direct probability in 2050): the estimates'
``horizon`` likelihoods aggregated like the present ones (consensus, else the analysts'
median), the present likelihood where no horizon likelihood is given, and the horizon's direct
probability propagated through the same cascades as the present one (first order:
``indirect_h = sum over causes of P_h(cause) x CP``), with the present impacts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from nsra.engine.aggregate import aggregate
from nsra.engine.evaluate import RiskModel
from nsra.engine.inputs import AssessmentInput, BoolArray, FloatArray
from nsra.model.method import Method


@dataclass(frozen=True)
class HorizonResult:
    """Likelihood and risk at one horizon, arrays (S, L) and (S,)."""

    id: str
    year: int
    given: BoolArray  # (S, L) a horizon likelihood was estimated (else the present one is used)
    likelihood_position: FloatArray  # (S, L)
    direct_probability: FloatArray  # (S, L) over the method's time basis
    indirect_probability: FloatArray  # (S, L)
    total_probability: FloatArray  # (S, L)
    level_risk: FloatArray  # (S, L)
    risk: FloatArray  # (S,)


def horizon_results(
    inputs: AssessmentInput, method: Method, model: RiskModel, central: FloatArray
) -> dict[str, HorizonResult]:
    """Every horizon of the method; ``central``: the present positions (S, L, K + 1)."""
    out: dict[str, HorizonResult] = {}
    k = inputs.n_criteria
    for h in method.likelihood.horizons:
        estimates, consensus = inputs.horizons.get(h.id, (None, None))
        positions = central.copy()
        given = np.zeros(central.shape[:2], dtype=bool)
        if estimates is not None and consensus is not None:
            cells = aggregate(dataclasses.replace(inputs, estimates=estimates, consensus=consensus))
            at_h = cells.central[:, :, k]
            given = ~np.isnan(at_h)
            positions[:, :, k] = np.where(given, at_h, central[:, :, k])
        ev = model.evaluate(positions)
        out[h.id] = HorizonResult(
            id=h.id,
            year=h.year,
            given=given,
            likelihood_position=positions[:, :, k],
            direct_probability=ev.direct_probability,
            indirect_probability=ev.indirect_probability,
            total_probability=ev.total_probability,
            level_risk=ev.level_risk,
            risk=ev.risk,
        )
    return out

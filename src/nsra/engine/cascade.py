"""First-order cascade estimates (DOMAIN.md section 4).

* indirect probability of an effect at level ``b``: the sum over causes and their levels ``a`` of
  P(cause at ``a``) x CP(cause ``a`` -> effect ``b``);
* indirect impact of a cause at level ``a``: the sum over effects and their levels ``b`` of
  CP(cause ``a`` -> effect ``b``) x direct impact of the effect at ``b`` (what the event is expected
  to trigger).

Only direct quantities are propagated (one step); the Monte Carlo simulation of chains and cycles
is a separate analysis.
"""

from __future__ import annotations

import numpy as np

from nsra.engine.inputs import CascadeRows, FloatArray


def indirect_probability(direct: FloatArray, cascades: CascadeRows) -> FloatArray:
    """Indirect probability per (scenario, level), same shape as ``direct`` (S, L)."""
    out = np.zeros_like(direct)
    if len(cascades):
        p_cause = np.nan_to_num(direct[cascades.cause, cascades.cause_level])
        np.add.at(out, (cascades.effect, cascades.effect_level), p_cause * cascades.probability)
    return out


def indirect_impact(direct: FloatArray, cascades: CascadeRows) -> FloatArray:
    """Indirect impact per (scenario, level), same shape as ``direct`` (S, L)."""
    out = np.zeros_like(direct)
    if len(cascades):
        i_effect = np.nan_to_num(direct[cascades.effect, cascades.effect_level])
        np.add.at(out, (cascades.cause, cascades.cause_level), cascades.probability * i_effect)
    return out

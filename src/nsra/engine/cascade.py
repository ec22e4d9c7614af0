"""First-order cascade estimates (as in the BNRA's application, NCCN-CIPRA/cipra-bnra).

* indirect probability of an effect at level ``b``: the sum over causes and their levels ``a`` of
  P(cause at ``a``) x CP(cause ``a`` -> effect ``b``);
* indirect impact of a cause at level ``a``: the sum over effects and their levels ``b`` of
  CP(cause ``a`` -> effect ``b``) x direct impact of the effect at ``b`` (what the event is expected
  to trigger).

Only direct quantities are propagated (one step); the Monte Carlo simulation of chains and cycles
is :mod:`nsra.analysis.cascade_sim`. The cascades are held as a sparse (S*L, S*L) matrix so that
the same kernels serve one evaluation and thousands of samples at once: indirect probability is
``through(matrix, direct probability)``, indirect impact ``through(matrix.T, direct impact)``
(:meth:`nsra.engine.evaluate.RiskModel.evaluate`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from nsra.engine.inputs import CascadeRows, FloatArray


def cascade_matrix(cascades: CascadeRows, n_scenarios: int, n_levels: int) -> sp.csr_array:
    """Sparse (S*L, S*L) matrix: entry [cause cell, effect cell] = conditional probability."""
    size = n_scenarios * n_levels
    rows = cascades.cause * n_levels + cascades.cause_level
    cols = cascades.effect * n_levels + cascades.effect_level
    return sp.csr_array((cascades.probability, (rows, cols)), shape=(size, size))


def through(matrix: sp.csr_array, x: FloatArray) -> FloatArray:
    """``x @ matrix`` over the last two axes (S, L) flattened; any leading axes; NaN counts 0."""
    lead = x.shape[:-2]
    flat = np.nan_to_num(x.reshape(-1, x.shape[-2] * x.shape[-1]))
    out = np.asarray((matrix.T @ flat.T).T, dtype=float)
    return out.reshape(*lead, x.shape[-2], x.shape[-1])

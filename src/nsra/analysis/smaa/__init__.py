"""SMAA-2: how robust is the ranking of scenarios over the weight space and the uncertainty?

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen, 2001) explores the weights
and the uncertain inputs instead of fixing them. In nsra a scenario's risk is its probability
times its weighted total impact, ``scale * (values @ weights)``. Over samples of the weights (and
of the criterion values and probabilities) it reports, per scenario ``i``:

* rank acceptability ``b_i^r``: the share of samples in which ``i`` gets rank ``r`` (1 = highest
  risk);
* central weight vector ``w_i^c``: the mean weights of the samples in which ``i`` is first;
* confidence factor ``p_i^c``: the share of value samples in which ``i`` is first when the
  weights are fixed at its own central weights;
* holistic acceptability ``a_i = sum_r alpha_r b_i^r`` with meta-weights ``alpha`` (linear
  ``(m - r) / (m - 1)``, or inverse ``1 / r``);
* pairwise winning index ``c_ij``: the share of samples in which ``i`` ranks above ``j``.

Ties are explicit and never decided by list order: totals are ranked by nsra's one tie rule,
:mod:`nsra.engine.ranking` (neighbours within ``rtol`` of the larger magnitude tie, chained;
equal infinities tie, an infinite and a finite total never do). A tie over ``t`` positions gives
each member ``1/t`` of each of those ranks (so two identical scenarios get 0.5 on rank 1 and 0.5
on rank 2), ``1/t`` of a first place (central weights, confidence factors), and ``1/2`` of a
pairwise win.

The package, after the R ``smaa`` package:

* :mod:`.kernels`: plain functions over pre-sampled arrays (totals, ranks, every index and its
  standard error);
* :mod:`.tally`: the running sums of the streaming first pass and its fast integer-key ranking;
* :mod:`.driver`: :func:`smaa`, the seeded, streaming driver, and its :class:`SmaaResult`;
* :mod:`.values`: :class:`RangeValues`, a sampler of uncertain values.

What SMAA ranks for an assessment (effective values, weight preferences) is
:mod:`nsra.analysis.smaa_inputs`.
"""

from __future__ import annotations

from nsra.analysis.smaa.driver import (
    DEFAULT_N,
    WINDOW,
    Sampler,
    SmaaOptions,
    SmaaResult,
    smaa,
)
from nsra.analysis.smaa.kernels import (
    MetaWeights,
    central_weights,
    central_weights_se,
    confidence_factors,
    first_shares,
    holistic_acceptability,
    holistic_se,
    meta_weights,
    pairwise_winning,
    rank_acceptability,
    rank_counts,
    share_se,
    smaa_ranks,
    smaa_values,
)
from nsra.analysis.smaa.values import RangeValues
from nsra.engine.ranking import RTOL

__all__ = [
    "DEFAULT_N",
    "RTOL",
    "WINDOW",
    "MetaWeights",
    "RangeValues",
    "Sampler",
    "SmaaOptions",
    "SmaaResult",
    "central_weights",
    "central_weights_se",
    "confidence_factors",
    "first_shares",
    "holistic_acceptability",
    "holistic_se",
    "meta_weights",
    "pairwise_winning",
    "rank_acceptability",
    "rank_counts",
    "share_se",
    "smaa",
    "smaa_ranks",
    "smaa_values",
]

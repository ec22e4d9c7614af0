"""Class indices of the results, and the serious-risk rule of the risk diagram.

A position on a class scale reads as the class ``floor(s + 0.5)`` clamped to the scale
(:func:`nsra.engine.scales.class_of_position`); a missing position (nothing estimated) has no
class, written :data:`NO_CLASS`. The results carry the class of every central position and of
the lowest and highest estimate (the analysts' spread), so that every output (JSON, CSV, report,
coherence) reads the same classes instead of deciding them again.

A risk is *serious* when its aggregated impact class is at least the method's
``diagram.serious_from``, or when likelihood class plus impact class reaches
``diagram.serious_sum_from`` (the red zone of the risk diagram). :func:`serious` is that rule,
vectorised; the diagram draws its zone with it, the coherence analysis lists the serious risks
that nothing addresses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nsra.engine.inputs import BoolArray, FloatArray, IntArray
from nsra.engine.scales import ScaleKernel
from nsra.model.method import Method

NO_CLASS = -1
"""The class index of a missing position (nothing estimated)."""


def class_indices(kernel: ScaleKernel, positions: FloatArray) -> IntArray:
    """Class index of each position on ``kernel``'s scale; :data:`NO_CLASS` where missing."""
    pos = np.asarray(positions, dtype=float)
    missing = np.isnan(pos)
    out = kernel.classes(np.where(missing, 0.0, pos))
    return np.where(missing, NO_CLASS, out).astype(np.int64)


def serious(
    likelihood_class: IntArray,
    impact_class: IntArray,
    serious_from: int,
    serious_sum_from: int | None,
) -> BoolArray:
    """Serious risks: impact class at least ``serious_from``, or likelihood class plus impact
    class at least ``serious_sum_from``. A risk without an impact class is never serious; one
    without a likelihood class is serious only by its impact."""
    lik = np.asarray(likelihood_class, dtype=np.int64)
    imp = np.asarray(impact_class, dtype=np.int64)
    has_impact = imp != NO_CLASS
    out = has_impact & (imp >= serious_from)
    if serious_sum_from is not None:
        out |= has_impact & (lik != NO_CLASS) & (lik + imp >= serious_sum_from)
    return np.asarray(out, dtype=bool)


@dataclass(frozen=True)
class ClassIndices:
    """Class indices of the results (:data:`NO_CLASS` where nothing was estimated).

    Shapes: ``criterion*`` (S, L, K) on each criterion's scale; ``likelihood*`` (S, L) on the
    scenario's likelihood scale (malicious or not); ``impact`` (S, L) on the method's total
    impact scale. ``*_low`` and ``*_high`` are the classes of the lowest and highest estimate
    any analyst gave (consensus included).
    """

    criterion: IntArray
    criterion_low: IntArray
    criterion_high: IntArray
    likelihood: IntArray
    likelihood_low: IntArray
    likelihood_high: IntArray
    impact: IntArray


def _per_criterion(kernels: list[ScaleKernel], positions: FloatArray) -> IntArray:
    out = np.full(positions.shape, NO_CLASS, dtype=np.int64)
    for j, kernel in enumerate(kernels):
        out[..., j] = class_indices(kernel, positions[..., j])
    return out


def _per_likelihood(
    kernels: dict[bool, ScaleKernel], malicious: BoolArray, positions: FloatArray
) -> IntArray:
    mal = class_indices(kernels[True], positions)
    non = class_indices(kernels[False], positions)
    return np.asarray(np.where(malicious[:, None], mal, non), dtype=np.int64)


def result_classes(
    method: Method,
    malicious: BoolArray,
    criterion: tuple[FloatArray, FloatArray, FloatArray],
    likelihood: tuple[FloatArray, FloatArray, FloatArray],
    impact: FloatArray,
) -> ClassIndices:
    """Class indices of (central, low, high) criterion positions (S, L, K), of (central, low,
    high) likelihood positions (S, L), and of aggregated impact positions (S, L)."""
    crit_kernels = [ScaleKernel.of(method.scale(c.scale)) for c in method.criteria]
    lik_kernels = {
        flag: ScaleKernel.of(method.scale(method.likelihood.scale_for(flag).scale))
        for flag in (True, False)
    }
    total_kernel = ScaleKernel.of(method.scale(method.aggregation.total_scale))
    c_mid, c_low, c_high = (_per_criterion(crit_kernels, x) for x in criterion)
    l_mid, l_low, l_high = (_per_likelihood(lik_kernels, malicious, x) for x in likelihood)
    return ClassIndices(
        criterion=c_mid,
        criterion_low=c_low,
        criterion_high=c_high,
        likelihood=l_mid,
        likelihood_low=l_low,
        likelihood_high=l_high,
        impact=class_indices(total_kernel, impact),
    )

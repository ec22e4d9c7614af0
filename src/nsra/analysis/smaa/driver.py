"""SMAA-2's streaming driver: :func:`smaa` and its result types.

:func:`smaa` draws in the blocks of :mod:`nsra.analysis.chunks` (identical results for any
executor or number of workers), keeps only running sums (:mod:`.tally`: memory flat in the
number of samples), and runs a second pass for the confidence factors. Sampling stays outside:
weights come from :mod:`nsra.analysis.weights`, values from any callable ``(n, rng) -> (n, S, K)``
such as :class:`nsra.analysis.smaa.values.RangeValues`.

Standard errors: ``sqrt(b (1 - b) / N)`` for shares; for central weights the standard deviation of
the weights among the samples where the scenario is first over the square root of their (tie
weighted) count; for holistic acceptability the standard deviation of the per-sample meta-weight
(exact without ties, slightly conservative with them). The default ``N = 10,000`` gives +-0.01 at
95% for any share: ``1.96^2 * 0.25 / 0.01^2 = 9,604``, rounded up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from nsra.analysis.blas import one_blas_thread
from nsra.analysis.chunks import BLOCK, Plan, block_stream, run_blocks
from nsra.analysis.smaa.kernels import (
    MetaWeights,
    central_from_sums,
    confidence_counts,
    counts_of,
    holistic_se,
    meta_weights,
    pairwise_of,
    refuse_nan,
    share_se,
    smaa_values,
)
from nsra.analysis.smaa.tally import Tally, tally_block
from nsra.engine.inputs import FloatArray, IntArray
from nsra.engine.ranking import RTOL

DEFAULT_N = 10_000
"""Default number of samples: every share within +-0.01 at 95% (1.96^2 * 0.25 / 0.01^2 = 9,604)."""

WINDOW = 16
"""Blocks run (and their partial sums held) at a time by :func:`smaa`; memory does not grow
with the number of samples beyond this."""

Sampler = Callable[[int, np.random.Generator], FloatArray]
"""A sampler: ``(n, rng) -> array`` with the samples on the first axis."""


@dataclass(frozen=True)
class SmaaOptions:
    """What :func:`smaa` ran with (part of its result)."""

    n: int
    seed: int
    block: int
    rtol: float
    with_confidence: bool
    with_pairwise: bool
    meta: str | tuple[float, ...]
    confidence_n: int
    values_sampled: bool
    scale_sampled: bool


@dataclass(frozen=True)
class SmaaResult:
    """SMAA-2 indices for S scenarios and K criteria, each with its Monte Carlo standard error.

    ``rank_acceptability[i, r]`` is ``b_i^(r+1)``. Arrays of an index that was not computed
    (``with_confidence`` / ``with_pairwise`` off) are None; a scenario that is never first has
    NaN central weights and confidence factor.
    """

    options: SmaaOptions
    rank_acceptability: FloatArray  # (S, S)
    rank_acceptability_se: FloatArray  # (S, S)
    central_weights: FloatArray  # (S, K)
    central_weights_se: FloatArray  # (S, K)
    holistic: FloatArray  # (S,)
    holistic_se: FloatArray  # (S,)
    meta_weights: FloatArray  # (S,)
    confidence: FloatArray | None  # (S,)
    confidence_se: FloatArray | None  # (S,)
    pairwise: FloatArray | None  # (S, S)
    pairwise_se: FloatArray | None  # (S, S)

    @property
    def n(self) -> int:
        return self.options.n

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def first(self) -> FloatArray:
        """Rank-1 acceptability ``b_i^1`` (S,)."""
        return np.asarray(self.rank_acceptability[:, 0], dtype=float)


@dataclass(frozen=True, eq=False)
class _Spec:
    values: FloatArray | Sampler
    weights: Sampler
    scale: FloatArray | Sampler | None
    rtol: float
    pairwise: bool


def _draw(
    spec: _Spec, n: int, rng: np.random.Generator, weights: bool
) -> tuple[FloatArray, FloatArray | None, FloatArray | None]:
    """A block's samples, always drawn in the order values, scale, weights (so that the second
    pass, which skips the weights, sees the same values and scale)."""
    if callable(spec.values):
        v = np.asarray(spec.values(n, rng), dtype=float)
        if v.ndim != 3 or v.shape[0] != n:
            raise ValueError(
                f"the values sampler returned shape {v.shape}; expected (n, scenarios, "
                f"criteria) with n = {n}"
            )
    else:
        v = np.asarray(spec.values, dtype=float)
    sc: FloatArray | None
    if spec.scale is None:
        sc = None
    elif callable(spec.scale):
        sc = np.asarray(spec.scale(n, rng), dtype=float)
        if sc.ndim != 2 or sc.shape[0] != n:
            raise ValueError(
                f"the scale sampler returned shape {sc.shape}; expected (n, scenarios) with n = {n}"
            )
    else:
        sc = np.asarray(spec.scale, dtype=float)
    w = None
    if weights:
        w = np.asarray(spec.weights(n, rng), dtype=float)
        if w.ndim != 2 or w.shape != (n, v.shape[-1]):
            raise ValueError(
                f"the weight sampler returned shape {w.shape}; expected (n, criteria) = "
                f"({n}, {v.shape[-1]})"
            )
    return v, sc, w


def _first_pass(spec: _Spec, b: int, n: int, rng: np.random.Generator) -> Tally:
    v, sc, w = _draw(spec, n, rng, weights=True)
    assert w is not None
    return tally_block(smaa_values(v, w, sc), w, spec.rtol, spec.pairwise)


def _second_pass(
    spec: _Spec,
    central: FloatArray,
    cols: IntArray,
    b: int,
    n: int,
    rng: np.random.Generator,
) -> FloatArray:
    v, sc, _ = _draw(spec, n, rng, weights=False)
    return confidence_counts(v, sc, central, cols, spec.rtol)


def _at_block(
    work: Callable[[int, int, np.random.Generator], Any],
    seed: int,
    first: int,
    b: int,
    n: int,
    _rng: np.random.Generator,
) -> Any:
    """Block ``first + b`` of the whole run, with its own stream (see :func:`_run_windows`)."""
    return work(first + b, n, block_stream(seed, first + b))


def _run_windows(
    work: Callable[[int, int, np.random.Generator], Any],
    n: int,
    seed: int,
    executor: Any,
    window: int,
    add: Callable[[Any, Any], Any],
) -> Any:
    """``run_blocks`` over windows of ``window`` blocks, folding partials in block order.

    ``chunks.run_blocks`` returns every partial of a run; SMAA partials are S x S, so a long run
    would hold hundreds of them. Each window is one ``run_blocks`` call whose block ``b`` is block
    ``first + b`` of the whole run, drawn from that block's stream: the samples, and the order
    in which partials are added, are those of a single ``run_blocks`` over all blocks.
    """
    plan = Plan(n)
    total: Any = None
    for first in range(0, plan.blocks, window):
        size = min(window * plan.block, n - first * plan.block)
        parts = run_blocks(
            partial(_at_block, work, seed, first), Plan(size, plan.block), seed, executor=executor
        )
        for p in parts:
            total = p if total is None else add(total, p)
    return total


def _add_tally(a: Tally, b: Tally) -> Tally:
    a.add(b)
    return a


def _add_array(a: FloatArray, b: FloatArray) -> FloatArray:
    a += b
    return a


@one_blas_thread
def smaa(
    values: FloatArray | Sampler,
    weights: Sampler,
    n: int = DEFAULT_N,
    seed: int = 0,
    *,
    scale: FloatArray | Sampler | None = None,
    executor: Any = None,
    with_confidence: bool = True,
    with_pairwise: bool = False,
    meta: MetaWeights = "linear",
    confidence_n: int | None = None,
    rtol: float = RTOL,
    window: int = WINDOW,
) -> SmaaResult:
    """SMAA-2 of S scenarios over ``n`` samples drawn in seeded blocks.

    ``values``: fixed criterion values (S, K), or a sampler ``(n, rng) -> (n, S, K)`` (class-range
    uncertainty, e.g. :class:`RangeValues`). ``weights``: a sampler ``(n, rng) -> (n, K)`` from
    :mod:`nsra.analysis.weights`. ``scale``: an optional multiplier per scenario (probability),
    fixed (S,) or a sampler ``(n, rng) -> (n, S)``. A block draws values, then scale, then weights
    from its stream.

    The first pass ranks every sample and keeps running sums (rank counts, central weight sums
    and, with ``with_pairwise``, pairwise counts, which cost O(S^2) per sample: several times the
    rest at S = 100). The second pass (``with_confidence``) redraws the same values and scale for
    the first ``confidence_n`` samples (default: all) and ranks them under each scenario's
    central weights; with fixed values and scale it is one exact evaluation (standard error 0).

    ``executor``: None (here), a ``concurrent.futures`` executor or a Dask client; the samplers
    must then be picklable for processes (the classes of this package are). Results are identical
    whatever the executor. BLAS runs on one thread while this runs (:mod:`nsra.analysis.blas`:
    the products per block are small); worker processes should run BLAS single-threaded too
    (``OPENBLAS_NUM_THREADS=1``), or BLAS threads on top of the workers oversubscribe the CPUs.
    """
    if n < 1:
        raise ValueError(f"SMAA needs at least one sample; got n = {n}")
    if seed < 0:
        raise ValueError(f"the seed must be a non-negative integer; got {seed}")
    if window < 1:
        raise ValueError(f"window must be at least 1 block; got {window}")
    if not callable(values):
        values = np.asarray(values, dtype=float)
        if values.ndim != 2:
            raise ValueError(
                f"fixed values must be scenarios x criteria (S, K); got shape {values.shape}"
            )
        refuse_nan(values)
    if scale is not None and not callable(scale):
        scale = np.asarray(scale, dtype=float)
    c_n = n if confidence_n is None else min(n, confidence_n)
    if c_n < 1:
        raise ValueError(f"confidence_n must be at least 1; got {confidence_n}")
    spec = _Spec(values, weights, scale, rtol, with_pairwise)

    tally: Tally = _run_windows(partial(_first_pass, spec), n, seed, executor, window, _add_tally)
    s, k = tally.s, tally.k
    counts = counts_of(tally.direct, tally.diff, s)
    ra = counts / n
    alpha = meta_weights(s, meta)
    cw, cw_se = central_from_sums(
        tally.cw_sum.reshape(s, k), tally.cw_sq.reshape(s, k), counts[:, 0]
    )

    conf = conf_se = None
    if with_confidence:
        cols = np.flatnonzero(counts[:, 0] > 0)
        conf = np.full(s, np.nan)
        conf_se = np.full(s, np.nan)
        sampled = callable(values) or callable(scale)
        if not sampled:
            v_fixed = np.asarray(values, dtype=float)
            sc_fixed = None if scale is None else np.asarray(scale, dtype=float)
            got = confidence_counts(v_fixed, sc_fixed, cw[cols], cols, rtol)
            conf[cols] = got
            conf_se[cols] = 0.0
        else:
            got = _run_windows(
                partial(_second_pass, spec, cw[cols], cols), c_n, seed, executor, window, _add_array
            )
            conf[cols] = got / c_n
            conf_se[cols] = share_se(conf[cols], c_n)

    pw = pw_se = None
    if with_pairwise and tally.wins is not None and tally.ties is not None:
        pw = pairwise_of(tally.wins, tally.ties, s, n)
        pw_se = share_se(pw, n)
        np.fill_diagonal(pw_se, 0.0)

    options = SmaaOptions(
        n=n,
        seed=seed,
        block=BLOCK,
        rtol=rtol,
        with_confidence=with_confidence,
        with_pairwise=with_pairwise,
        meta=meta if isinstance(meta, str) else tuple(float(x) for x in meta),
        confidence_n=c_n if with_confidence and (callable(values) or callable(scale)) else 0,
        values_sampled=callable(values),
        scale_sampled=callable(scale),
    )
    return SmaaResult(
        options=options,
        rank_acceptability=ra,
        rank_acceptability_se=share_se(ra, n),
        central_weights=cw,
        central_weights_se=cw_se,
        holistic=np.asarray(ra @ alpha, dtype=float),
        holistic_se=holistic_se(ra, n, alpha),
        meta_weights=alpha,
        confidence=conf,
        confidence_se=conf_se,
        pairwise=pw,
        pairwise_se=pw_se,
    )

"""BLAS on one thread for SMAA's small products (nsra.analysis.blas, issue 12): inside the
driver the BLAS libraries report one thread, afterwards their own number again; the results do
not depend on it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from nsra.analysis.smaa.driver import smaa
from nsra.analysis.weights import UniformWeights
from nsra.engine.inputs import FloatArray


def _blas_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


@dataclass
class Watching:
    """Uniform weights that note the BLAS threads each time the driver draws a block."""

    k: int
    seen: list[list[int]] = field(default_factory=list)

    def __call__(self, n: int, rng: np.random.Generator) -> FloatArray:
        self.seen.append(_blas_threads())
        return UniformWeights(self.k)(n, rng)


def test_smaa_runs_blas_on_one_thread_and_restores_it() -> None:
    values = np.arange(12.0).reshape(4, 3) % 5
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        weights = Watching(3)
        result = smaa(values, weights, 10_000, 3)
        assert _blas_threads() == before  # restored
    assert weights.seen and all(threads == [1] * len(before) for threads in weights.seen)
    with threadpool_limits(limits=2, user_api="blas"):
        again = smaa(values, UniformWeights(3), 10_000, 3)
    np.testing.assert_array_equal(result.rank_acceptability, again.rank_acceptability)

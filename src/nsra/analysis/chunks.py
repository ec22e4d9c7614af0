"""Monte Carlo work in independent blocks with spawned random streams.

Every analysis draws its samples in *blocks* of a fixed size (``BLOCK`` samples). Block ``b`` gets
its own random stream, spawned from the analysis seed (``SeedSequence(seed).spawn``), so a sample's
value depends only on the seed and on its block: results are the same whatever the chunk size,
the number of workers, or whether the blocks run in this process or on a Dask cluster.

An analysis supplies a pure function ``block(b, n, rng) -> partial`` (``n`` samples, usually
``BLOCK``, fewer in the last block) and a ``combine(partials) -> result``; partials are combined
in block order. :func:`run_blocks` runs them here, in a process pool, or on Dask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np

BLOCK = 4096
"""Samples per block. Part of the definition of a seeded result: changing it changes numbers."""

P = TypeVar("P")


@dataclass(frozen=True)
class Plan:
    """How ``n`` samples split into blocks."""

    n: int
    block: int = BLOCK

    @property
    def blocks(self) -> int:
        return (self.n + self.block - 1) // self.block

    def size(self, b: int) -> int:
        return min(self.block, self.n - b * self.block)


def streams(seed: int, count: int) -> list[np.random.Generator]:
    """``count`` independent generators spawned from ``seed`` (block b gets stream b)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


def block_stream(seed: int, b: int) -> np.random.Generator:
    """The generator of block ``b`` alone (same as ``streams(seed, b + 1)[b]``)."""
    ss = np.random.SeedSequence(seed, spawn_key=(b,))
    return np.random.default_rng(ss)


class Progress(Protocol):
    def __call__(self, done: int, total: int) -> None: ...


def _no_progress(done: int, total: int) -> None:
    return None


def run_blocks(
    work: Callable[[int, int, np.random.Generator], P],
    plan: Plan,
    seed: int,
    *,
    executor: Any = None,
    progress: Progress = _no_progress,
) -> list[P]:
    """Run ``work(b, n_b, rng_b)`` for every block; partials in block order.

    ``executor`` may be None (run here), a ``concurrent.futures.Executor`` or a
    ``dask.distributed.Client`` (both offer ``submit`` returning futures with ``result()``).
    ``work`` must then be picklable (a module-level function or a ``functools.partial``).
    """
    total = plan.blocks
    if executor is None:
        out: list[P] = []
        for b in range(total):
            out.append(work(b, plan.size(b), block_stream(seed, b)))
            progress(b + 1, total)
        return out
    futures = [executor.submit(_call, work, b, plan.size(b), seed) for b in range(total)]
    results: list[P] = []
    for i, f in enumerate(futures):
        results.append(f.result())
        progress(i + 1, total)
    return results


def _call(work: Callable[[int, int, np.random.Generator], P], b: int, n: int, seed: int) -> P:
    return work(b, n, block_stream(seed, b))

"""Benchmark of SMAA-2 (nsra.analysis.smaa): throughput against a bare-numpy floor, and memory.

Usage::

    .venv/bin/python benchmarks/bench_smaa.py [--scenarios 100] [--criteria 10]
        [--samples 1000000] [--runs 3] [--seed 1] [--skip-confidence]

The problem is synthetic and seeded: S scenarios x K criteria with values on a 1..5 class scale
and a probability per scenario. It measures, in one process:

* the floor: per block of ``chunks.BLOCK`` samples (the driver's block), Dirichlet(1) weights
  (``rng.dirichlet``), one matrix product and one ``np.argsort`` of the (block, S) totals, and
  nothing else (no counting at all);
* ``smaa()`` on fixed values (rank acceptability, central weights, holistic acceptability and
  the confidence factors, which are one exact evaluation with fixed values), and the ratio to the
  floor: the issue asks for at most 2x;
* the same with a fifth of the scenarios duplicated (ties in every sample), with pairwise winning
  indices, and on a thread pool of ``os.cpu_count()`` workers;
* class-range uncertainty: half of the cells drawn per sample within one class
  (:class:`RangeValues`), with its own floor (value draws + Dirichlet + batched product + argsort),
  without and with the confidence factors (the second pass redraws the values and ranks them
  under each scenario's central weights: O(S x J) per sample for J scenarios ever first);
* peak memory (tracemalloc, which numpy reports to) of ``smaa()`` for 100,000 and 1,000,000
  samples: it stays flat, since only running sums are kept.

Timings are wall-clock, best of ``--runs``, with the floor and the driver interleaved so that a
busy shared machine affects both alike. The fixed-values comparison runs twice: with the default
glibc allocator, and with its trim and mmap thresholds raised (``mallopt``), since the bare floor
loop happens to return and re-fault its 3 MB arrays at every block with the defaults (the page
fault counts are printed); the later sections keep the raised thresholds. Nothing is written;
results are printed only.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np

from nsra.analysis.chunks import BLOCK, Plan, block_stream
from nsra.analysis.smaa import RangeValues, smaa
from nsra.analysis.weights import UniformWeights


def problem(s: int, k: int, seed: int) -> tuple[np.ndarray[Any, Any], ...]:
    """Class positions 1..5, half of the cells a range over two classes, and probabilities."""
    rng = np.random.default_rng(seed)
    low = rng.integers(1, 6, size=(s, k)).astype(float)
    high = np.minimum(low + (rng.random((s, k)) < 0.5), 5.0)
    probability = 10.0 ** -rng.uniform(0, 3, size=s)
    return low, high, probability


def floor_fixed(values: np.ndarray[Any, Any], n: int, seed: int) -> None:
    """Dirichlet draws, one matrix product, one argsort per block: the least any SMAA can do."""
    plan = Plan(n)
    k = values.shape[1]
    alpha = np.ones(k)
    vt = np.ascontiguousarray(values.T)
    for b in range(plan.blocks):
        rng = block_stream(seed, b)
        w = rng.dirichlet(alpha, plan.size(b))
        np.argsort(w @ vt, axis=1)


def floor_ranges(low: np.ndarray[Any, Any], high: np.ndarray[Any, Any], n: int, seed: int) -> None:
    """As :func:`floor_fixed`, plus one uniform draw per cell and a batched product."""
    plan = Plan(n)
    s, k = low.shape
    alpha = np.ones(k)
    for b in range(plan.blocks):
        rng = block_stream(seed, b)
        m = plan.size(b)
        v = low + rng.random((m, s, k)) * (high - low)
        w = rng.dirichlet(alpha, m)
        np.argsort(np.matmul(v, w[:, :, None])[:, :, 0], axis=1)


ALLOCATORS = {
    "default": "default glibc allocator",
    "tuned": "glibc trim/mmap thresholds raised (no page faults from returned memory)",
}


def tune_malloc() -> bool:
    """Raise glibc's trim and mmap thresholds, so freed blocks are kept for reuse.

    With the defaults, a loop that frees two 3 MB arrays per block at the top of the heap gives
    the memory back to the system and faults it in again at the next block: several hundred
    thousand page faults per million samples, more time than the sort. Whether a loop hits this
    depends on incidental allocation order, so the fixed-values section is run both ways.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    ok = libc.mallopt(m_trim_threshold, 1 << 30) == 1
    return bool(ok and libc.mallopt(m_mmap_threshold, 32 << 20) == 1)


def best_of_faults(runs: int, *jobs: Callable[[], Any]) -> tuple[list[float], list[int]]:
    """As :func:`best_of`, with the minor page faults of each job's best run."""
    best = [float("inf")] * len(jobs)
    faults = [0] * len(jobs)
    for _ in range(runs):
        for i, job in enumerate(jobs):
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            t0 = time.perf_counter()
            job()
            took = time.perf_counter() - t0
            if took < best[i]:
                best[i] = took
                faults[i] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return best, faults


def best_of(runs: int, *jobs: Callable[[], Any]) -> list[float]:
    """Best wall time of each job over ``runs`` rounds, the jobs interleaved in each round."""
    best = [float("inf")] * len(jobs)
    for _ in range(runs):
        for i, job in enumerate(jobs):
            t0 = time.perf_counter()
            job()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def peak_mb(job: Callable[[], Any]) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        job()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds / 1e6:7.2f} M samples/s  ({seconds:7.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=100)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-confidence", action="store_true", help="skip the slow pass 2")
    args = parser.parse_args()
    s, k, n, seed = args.scenarios, args.criteria, args.samples, args.seed
    low, high, probability = problem(s, k, seed)
    weights = UniformWeights(k)
    values = low * probability[:, None]  # risk = probability x weighted impact, fixed

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {platform.machine()}")
    print(f"os.cpu_count() = {os.cpu_count()}")
    print(f"OPENBLAS_NUM_THREADS = {os.environ.get('OPENBLAS_NUM_THREADS', '(not set)')}")
    print(f"{s} scenarios x {k} criteria x {n:,} weight samples, block {BLOCK}, seed {seed}")
    print(f"best of {args.runs} runs, floor and driver interleaved\n")

    for allocator in ("default", "tuned"):
        if allocator == "tuned" and not tune_malloc():
            print("  (glibc mallopt not available: allocator left as it is)")
            break
        print(f"fixed values, {ALLOCATORS[allocator]}")
        (t_floor, t_smaa), faults = best_of_faults(
            args.runs,
            lambda: floor_fixed(values, n, seed),
            lambda: smaa(low, weights, n, seed, scale=probability),
        )
        print(
            f"  floor (dirichlet + matmul + argsort)   {rate(n, t_floor)}  {faults[0]:>9,} faults"
        )
        print(f"  smaa()                                 {rate(n, t_smaa)}  {faults[1]:>9,} faults")
        print(f"  ratio smaa / floor                     {t_smaa / t_floor:7.2f}x  (target <= 2x)")
    print("  (the sections below keep the allocator of the last one)")

    tied = values.copy()
    dup = s // 5
    tied[s - dup :] = tied[:dup]
    (t_tied,) = best_of(args.runs, lambda: smaa(tied, weights, n, seed))
    print(f"  smaa(), {dup} scenarios duplicated       {rate(n, t_tied)}  (ties in every sample)")
    (t_pw,) = best_of(args.runs, lambda: smaa(values, weights, n, seed, with_pairwise=True))
    print(f"  smaa(with_pairwise=True)               {rate(n, t_pw)}")
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(workers) as ex:
        (t_thr,) = best_of(args.runs, lambda: smaa(values, weights, n, seed, executor=ex))
    print(f"  smaa(executor=threads({workers}))             {rate(n, t_thr)}")

    print("\nclass-range uncertainty (values drawn per sample, half of the cells uncertain)")
    ranges = RangeValues(low, high)
    t_floor_r, t_r = best_of(
        args.runs,
        lambda: floor_ranges(low, high, n, seed),
        lambda: smaa(ranges, weights, n, seed, scale=probability, with_confidence=False),
    )
    print(f"  floor (+ value draws, batched matmul)  {rate(n, t_floor_r)}")
    print(f"  smaa(with_confidence=False)            {rate(n, t_r)}")
    print(f"  ratio smaa / floor                     {t_r / t_floor_r:7.2f}x")
    if not args.skip_confidence:
        t0 = time.perf_counter()
        res = smaa(ranges, weights, n, seed, scale=probability)
        t_c = time.perf_counter() - t0
        ever = int(np.sum(res.first > 0))
        assert res.confidence_se is not None
        print(f"  smaa(with_confidence=True)             {rate(n, t_c)}")
        print(
            f"    pass 2 alone ~ {t_c - t_r:.2f} s for {ever} scenarios ever first; largest "
            f"confidence SE {np.nanmax(res.confidence_se):.4f}"
        )

    print("\npeak memory (tracemalloc) of smaa()")
    for label, job in (
        ("fixed values", lambda m: smaa(values, weights, m, seed)),
        (
            "class ranges",
            lambda m: smaa(ranges, weights, m, seed, scale=probability, with_confidence=False),
        ),
        ("fixed, pairwise", lambda m: smaa(values, weights, m, seed, with_pairwise=True)),
    ):
        peaks = [peak_mb(partial(job, m)) for m in (100_000, 1_000_000)]
        print(
            f"  {label:<16} 100,000: {peaks[0]:7.1f} MB   1,000,000: {peaks[1]:7.1f} MB   "
            f"ratio {peaks[1] / peaks[0]:.2f}"
        )


if __name__ == "__main__":
    main()

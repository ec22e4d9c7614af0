"""SMAA at its default settings (10,000 samples) with BLAS's own thread count and with BLAS on
one thread (nsra.analysis.blas), issue 12.

Usage::

    .venv/bin/python benchmarks/bench_blas_threads.py [--runs 7]

The problems are synthetic and seeded (S scenarios x K criteria, classes 1..5, uniform
weights). ``smaa.__wrapped__`` is the driver without the limit (BLAS as loaded: one thread per
core), ``smaa`` the driver as shipped. Wall-clock, best and median of ``--runs``, the two
interleaved so that a busy machine affects both alike. Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info

from nsra.analysis.smaa.driver import smaa
from nsra.analysis.weights import UniformWeights

SIZES = ((10, 7), (30, 8), (100, 10), (200, 10))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    blas = [(i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()]
    print(f"cores: {os.cpu_count()}; BLAS: {blas}")
    print(f"OPENBLAS_CORETYPE = {os.environ.get('OPENBLAS_CORETYPE', '(not set)')}")
    print(f"{'S x K':>9} {'BLAS threads (ms)':>22} {'one thread (ms)':>20} {'speed-up':>9}")
    rng = np.random.default_rng(1)
    unlimited = smaa.__wrapped__  # type: ignore[attr-defined]
    for s, k in SIZES:
        values = rng.integers(1, 6, size=(s, k)).astype(float)
        weights = UniformWeights(k)
        timings: dict[str, list[float]] = {"threads": [], "one": []}
        for run in (unlimited, smaa):
            run(values, weights, 10_000, 1)  # warm up
        for _ in range(args.runs):
            for name, run in (("threads", unlimited), ("one", smaa)):
                started = time.perf_counter()
                run(values, weights, 10_000, 1)
                timings[name].append((time.perf_counter() - started) * 1000)
        t, o = timings["threads"], timings["one"]
        print(
            f"{s:>4} x {k:<3} {min(t):>9.1f} (med {statistics.median(t):>6.1f})"
            f" {min(o):>8.1f} (med {statistics.median(o):>6.1f})"
            f" {statistics.median(t) / statistics.median(o):>8.1f}x"
        )


if __name__ == "__main__":
    main()

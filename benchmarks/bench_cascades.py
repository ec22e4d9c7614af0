"""Benchmark of the cascade simulation: the fast sampler against the day-by-day reference.

Usage::

    .venv/bin/python benchmarks/bench_cascades.py [--years 10000] [--ref-years 20]
        [--risks 120] [--cascades 1000] [--seed 2026] [--runs 3]

It generates a seeded catalogue (``--risks`` risks x 3 levels, about ``--cascades`` cascade rows
(cause, cause level, effect, effect level), a tenth of the risks actors) and measures:

* the fast simulator, :func:`nsra.analysis.cascade_sim.simulate`, over ``--years`` simulated
  years (best of ``--runs``; in this process, and with a thread pool of ``os.cpu_count()``);
* the reference, :func:`nsra.analysis.cascade_sim.simulate_reference`, over ``--ref-years``
  simulated years only (best of ``--runs``). Its cost is a loop over days x risks plus the
  events; per simulated day it is constant, so its time for ``--years`` years is extrapolated
  linearly: ``time per simulated day x years x 365``. The speed-up is that extrapolation over
  the fast simulator's time;
* how the cost scales: the same catalogue with every probability of occurrence divided by 10
  and by 100 (the cascades unchanged). The fast simulator's time follows the number of events;
  the reference's time per day barely moves, since it still visits every risk every day.

Results are printed only; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from nsra.analysis import cascade_sim as cs
from nsra.engine.inputs import CascadeRows

LEVELS = 3
LEVEL_FACTOR = np.array([1.0, 0.2, 0.04])  # yearly probability of major, extreme vs considerable
CP_CLASSES = np.array([0.0055, 0.055, 0.3, 0.7])  # BNRA CP classes 1..4, their middle values
CP_WEIGHTS = np.array([0.4, 0.35, 0.2, 0.05])


def generate(n_risks: int, n_cascades: int, seed: int, scale: float = 1.0) -> cs.CascadeCatalogue:
    """A seeded catalogue; ``scale`` multiplies every yearly probability of occurrence."""
    rng = np.random.default_rng(seed)
    considerable = 10 ** rng.uniform(-3.0, np.log10(0.5), n_risks)
    yearly = considerable[:, None] * LEVEL_FACTOR[None, :] * scale
    daily = -np.expm1(np.log1p(-yearly) / 365)
    impact = 10 ** (rng.uniform(7.0, 9.0, n_risks)[:, None] + np.arange(LEVELS)[None, :])
    actor = np.zeros(n_risks, dtype=bool)
    actor[rng.choice(n_risks, n_risks // 10, replace=False)] = True
    impact[actor] = 0.0
    # unique (cause, cause level, effect, effect level) rows, no risk its own cause
    rows: dict[tuple[int, int, int, int], float] = {}
    while len(rows) < n_cascades:
        cause, effect = rng.integers(0, n_risks, 2).tolist()
        if cause == effect:
            continue
        a = int(rng.integers(0, LEVELS))
        b = int(np.clip(a + rng.integers(-1, 2), 0, LEVELS - 1))
        rows.setdefault((cause, a, effect, b), float(rng.choice(CP_CLASSES, p=CP_WEIGHTS)))
    keys = np.asarray(list(rows), dtype=np.int64)
    cascades = CascadeRows(
        keys[:, 0], keys[:, 1], keys[:, 2], keys[:, 3], np.asarray(list(rows.values()))
    )
    return cs.CascadeCatalogue(daily, impact, cascades, actor)


def plan_blocks(years: int) -> int:
    return -(-years // cs.YEARS_PER_BLOCK)


def best(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=10_000)
    ap.add_argument("--ref-years", type=int, default=20)
    ap.add_argument("--risks", type=int, default=120)
    ap.add_argument("--cascades", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cpus = os.cpu_count() or 1

    print(f"os.cpu_count() = {cpus}; Python {platform.python_version()}; numpy {np.__version__}")
    cat = generate(args.risks, args.cascades, args.seed)
    links = cat.links
    print(
        f"catalogue: {cat.n_risks} risks x {cat.n_levels} levels, {len(cat.cascades)} cascade "
        f"rows ({links.effect.size} cause-level -> effect links), {int(cat.actor.sum())} actors; "
        f"expected root events a year {cat.daily_probability.sum() * 365:.1f}; "
        f"{cs.YEARS_PER_BLOCK} years a block"
    )
    print()

    # -- fast simulator over the full horizon --
    cs.simulate(cat, cs.YEARS_PER_BLOCK, seed=0)  # warm up (imports, caches)
    t_fast, stats = best(args.runs, lambda: cs.simulate(cat, args.years, seed=args.seed))
    with ThreadPoolExecutor(cpus) as pool:
        t_pool, pooled = best(
            args.runs, lambda: cs.simulate(cat, args.years, seed=args.seed, executor=pool)
        )
    assert np.array_equal(pooled.root_count, stats.root_count)
    nodes = stats.n_events + stats.n_triggered
    print(f"fast simulate, {args.years:,} years:")
    print(
        f"  {t_fast:8.3f} s  ({stats.n_events:,} counted events, {stats.n_triggered:,} "
        f"triggered; {1e6 * t_fast / max(nodes, 1):.2f} us per counted node)"
    )
    print(f"  {t_pool:8.3f} s  with ThreadPoolExecutor({cpus}) (same numbers)")

    # -- reference over a few years, extrapolated per simulated day --
    ref_days = args.ref_years * 365
    rng = np.random.default_rng(args.seed)
    t_ref, ref = best(args.runs, lambda: cs.simulate_reference(cat, ref_days, rng))
    per_day = t_ref / ref_days
    t_ref_full = per_day * args.years * 365
    print(f"reference simulate_reference, {args.ref_years} years ({ref_days:,} days):")
    print(
        f"  {t_ref:8.3f} s  ({ref.n_events:,} counted events); {1e6 * per_day:.1f} us per "
        f"simulated day"
    )
    print(
        f"  extrapolated to {args.years:,} years: {per_day * 1e6:.1f} us/day x "
        f"{args.years * 365:,} days = {t_ref_full:,.0f} s"
    )
    print(f"speed-up (extrapolated reference / fast): {t_ref_full / t_fast:,.0f}x")
    print()

    # -- scaling: probabilities of occurrence / 10, / 100 --
    print("cost against events (every probability of occurrence scaled, cascades unchanged):")
    print(
        f"  {'scale':>6} {'events':>10} {'triggered':>10} {'fast s':>8} {'- fixed s':>9} "
        f"{'us/node':>8} {'fast ratio':>10} {'ref us/day':>10} {'ref ratio':>9}"
    )
    empty = generate(args.risks, args.cascades, args.seed, 0.0)
    fixed, _ = best(args.runs, lambda: cs.simulate(empty, args.years, seed=args.seed))
    base_fast = base_ref = 0.0
    base_nodes = 0
    for scale in (1.0, 0.1, 0.01, 0.0):
        c = generate(args.risks, args.cascades, args.seed, scale)
        tf, s = best(args.runs, lambda c=c: cs.simulate(c, args.years, seed=args.seed))
        r = np.random.default_rng(args.seed)
        tr, _ = best(args.runs, lambda c=c, r=r: cs.simulate_reference(c, ref_days, r))
        n = s.n_events + s.n_triggered
        if scale == 1.0:
            base_fast, base_ref, base_nodes = tf, tr, n
        per_node = f"{1e6 * (tf - fixed) / n:>8.2f}" if n else f"{'-':>8}"
        print(
            f"  {scale:>6g} {s.n_events:>10,} {s.n_triggered:>10,} {tf:>8.4f} "
            f"{max(tf - fixed, 0.0):>9.4f} {per_node} {base_fast / tf:>9.1f}x "
            f"{1e6 * tr / ref_days:>10.1f} {base_ref / tr:>8.2f}x"
        )
    print(
        f"  (fixed = the same {args.years:,} years with no events: "
        f"{plan_blocks(args.years)} blocks x {1e6 * fixed / plan_blocks(args.years):.0f} us; "
        f"us/node = (fast - fixed) per counted node)"
    )
    c = generate(args.risks, args.cascades, args.seed, 0.1)
    tf, s = best(args.runs, lambda: cs.simulate(c, 10 * args.years, seed=args.seed))
    n = s.n_events + s.n_triggered
    print(
        f"  scale 0.1 over {10 * args.years:,} years (10x the days, about the events of scale 1): "
        f"{n:,} nodes ({n / base_nodes:.2f}x), {tf:.3f} s ({tf / base_fast:.2f}x)"
    )


if __name__ == "__main__":
    main()

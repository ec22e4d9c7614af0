"""Benchmark of the portfolio choice under a budget (nsra.analysis.strategy.portfolio).

Usage::

    .venv/bin/python benchmarks/bench_portfolio.py [--measures 200] [--scenarios 200]
        [--draws 1000] [--workers N] [--runs 3] [--seed 1] [--budget-share 0.25] [--serial]

The instance is synthetic and seeded: each proposed measure acts on 1 to 3 random scenarios
(never more than 12 measures on one scenario), scenario ``s`` has a risk ``R_s`` (log-uniform
over three decades) and measure ``i`` removes a fraction ``f_i`` of it (uniform 0.05..0.6 at the
centre), so the table of a scenario is ``R_s * (1 - prod(1 - f_i))`` over the funded measures;
yearly costs are log-uniform between 0.1 and 10 million euros and the budget is
``--budget-share`` of their total. For the robustness draws every ``R_s`` varies within a factor
2 either way (log-uniform) and every ``f_i`` uniformly within half its value either way.

It times, wall-clock, best of ``--runs``: the exact MILP (:func:`best_portfolio`), the greedy
portfolio, and :func:`portfolio_robustness` over ``--draws`` draws with ``--workers`` processes
(``os.cpu_count()`` by default; the pool's start-up is included), and with ``--serial`` also in
one process. Nothing is written; results are printed only.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy

from nsra.analysis.strategy.portfolio import (
    MAX_GROUP,
    best_portfolio,
    greedy_portfolio,
    portfolio_robustness,
)

Array = np.ndarray[Any, Any]


class Instance:
    """Measures, scenarios, costs and the central fractions, with draws of the tables."""

    def __init__(self, p: int, s: int, seed: int, budget_share: float) -> None:
        rng = np.random.default_rng(seed)
        on: list[list[int]] = [[] for _ in range(s)]
        frac: list[list[float]] = [[] for _ in range(s)]
        for j in range(p):
            free = [t for t in range(s) if len(on[t]) < MAX_GROUP]
            for t in rng.choice(free, size=int(rng.integers(1, 4)), replace=False):
                on[int(t)].append(j)
                frac[int(t)].append(float(rng.uniform(0.05, 0.6)))
        self.members = [np.array(m, dtype=np.int64) for m in on]
        self.fractions = [np.array(f) for f in frac]
        self.risk = 10.0 ** rng.uniform(0, 3, size=s)
        self.costs = 10.0 ** rng.uniform(5, 7, size=p)
        self.budget = budget_share * float(self.costs.sum())

    @staticmethod
    def _bits(k: int) -> Array:
        return (np.arange(1 << k)[:, None] >> np.arange(k)) & 1

    def values(self) -> list[Array]:
        return [
            r * (1 - np.exp(self._bits(f.size) @ np.log1p(-f)))
            for r, f in zip(self.risk, self.fractions, strict=True)
        ]

    def draws(self, n: int, seed: int) -> list[Array]:
        rng = np.random.default_rng(seed)
        out = []
        for r, f in zip(self.risk, self.fractions, strict=True):
            rd = r * 2.0 ** rng.uniform(-1, 1, size=(n, 1))
            fd = f * rng.uniform(0.5, 1.5, size=(n, f.size))
            out.append(rd * (1 - np.exp(np.log1p(-fd) @ self._bits(f.size).T)))
        return out


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Standard output at the null device meanwhile: HiGHS prints a stray debug line from C on
    a few per cent of solves (the pool's workers do this themselves)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(null)
        os.close(saved)


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall time of ``runs`` calls, the CPU time of that call, and its result."""
    best = (np.inf, 0.0)
    out = None
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_seconds()
        out = fn()
        best = min(best, (time.perf_counter() - t, cpu_seconds() - c))
    return best[0], best[1], out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measures", type=int, default=200)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget-share", type=float, default=0.25)
    parser.add_argument("--serial", action="store_true", help="also time robustness in-process")
    args = parser.parse_args()

    inst = Instance(args.measures, args.scenarios, args.seed, args.budget_share)
    values = inst.values()
    sizes = np.array([m.size for m in inst.members])
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"{platform.machine()}, os.cpu_count() = {os.cpu_count()}")  # fmt: skip
    print(
        f"{args.measures} measures x {args.scenarios} scenarios, seed {args.seed}; measures per "
        f"scenario: mean {sizes.mean():.1f}, max {sizes.max()}, "
        f"table entries {(1 << sizes).sum():,}"
    )
    print(f"budget {inst.budget / 1e6:,.1f} M euros = {args.budget_share:.0%} of the total cost\n")

    def solve(method: Callable[..., Any]) -> Any:
        with quiet_stdout():
            return method(inst.costs, inst.budget, inst.members, values)

    t_milp, c_milp, best = best_of(args.runs, lambda: solve(best_portfolio))
    t_greedy, c_greedy, greedy = best_of(args.runs, lambda: solve(greedy_portfolio))
    draws = inst.draws(args.draws, args.seed + 1)

    def robust(workers: int) -> Any:
        return portfolio_robustness(inst.costs, inst.budget, inst.members, draws, workers=workers)

    t_rob, c_rob, rob = best_of(1, lambda: robust(args.workers))
    milp_note = (
        f"value {best.value:,.1f}, {best.selected.sum()} measures, "
        f"{best.cost / 1e6:,.1f} M euros, status {best.status}"
    )
    greedy_note = (
        f"value {greedy.value:,.1f} ({greedy.value / best.value:.2%} of the MILP), "
        f"{greedy.selected.sum()} measures, {greedy.cost / 1e6:,.1f} M euros"
    )
    rob_note = f"{1e3 * t_rob / args.draws:.1f} ms a draw; all optimal: {rob.all_optimal}"
    rows = [
        ("exact MILP", t_milp, c_milp, "< 2 s", milp_note),
        ("greedy", t_greedy, c_greedy, "", greedy_note),
        (f"robustness, {args.draws:,} draws, {args.workers} workers", t_rob, c_rob, "< 30 s",
         rob_note),
    ]  # fmt: skip
    if args.serial:
        t_ser, c_ser, ser = best_of(1, lambda: robust(1))
        same = np.array_equal(ser.selected, rob.selected)
        note = f"{1e3 * t_ser / args.draws:.1f} ms a draw; same as pooled: {same}"
        rows.append((f"robustness, {args.draws:,} draws, 1 worker", t_ser, c_ser, "", note))
    print(f"  {'what':<38} {'wall s':>8} {'CPU s':>8}  {'goal':<7} notes")
    for what, t, cpu, goal, note in rows:
        print(f"  {what:<38} {t:>8.3f} {cpu:>8.2f}  {goal:<7} {note}")
    print("  (CPU s: this process and the pool's workers together; on a busy machine the wall")
    print("  time of the pool is at least CPU s / workers)")
    share = rob.share
    q = np.quantile(rob.value, [0.05, 0.5, 0.95])
    print(
        f"\nrobustness: {int((share == 1).sum())} measures in every draw's best portfolio, "
        f"{int((share == 0).sum())} in none, {int(((share > 0) & (share < 1)).sum())} in some; "
        f"value 5/50/95%: {q[0]:,.1f} / {q[1]:,.1f} / {q[2]:,.1f}"
    )


if __name__ == "__main__":
    main()

"""Strategy analysis timings: what-if for every development on a large assessment, and the
portfolio choice (tables, exact MILP, greedy, robustness) end to end from an assessment.

    .venv/bin/python benchmarks/bench_strategy.py
    .venv/bin/python benchmarks/bench_strategy.py --scenarios 1000 --developments 50 \
        --portfolio-scenarios 200 --proposed 200 --draws 1000 --workers 2

Synthetic assessments from ``bench_core.generate`` (method nl-snv, five analysts a scenario), with
developments and proposed measures added (seeded). Goals of issue 10: what-if for every
development on 1,000 scenarios under 1 s; exact MILP for 200 proposed measures over 200
scenarios under 2 s; robustness over 1,000 draws under 30 s on 2 cores. Prints only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import generate

from nsra.analysis.strategy.developments import development_uncertainty, what_if
from nsra.analysis.strategy.measures import portfolio_tables, risk_states
from nsra.analysis.strategy.picture import StrategyModel
from nsra.analysis.strategy.run import choose_portfolio
from nsra.analysis.uncertainty import position_sampler
from nsra.engine.compute import compute
from nsra.io.safeyaml import load
from nsra.io.validate import parse_assessment

T = TypeVar("T")
KINDS = ("geopolitical", "technological", "economic", "climate", "societal")


def best(runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    assert out is not None
    return min(times), out


def with_strategy(n: int, developments: int, proposed: int, seed: int) -> Any:
    """A generated assessment with ``developments`` developments (20 effects each) and
    ``proposed`` proposed measures (each on 1-3 scenarios, likelihood and impact factors with
    intervals, a yearly cost)."""
    text, _ = generate(n, seed)
    data = load(text, "generated.yaml")
    rng = random.Random(seed)
    ids = [s["id"] for s in data["scenarios"]]
    data["developments"] = [
        {
            "id": f"dev{d:03d}",
            "title": f"Development {d}",
            "kind": KINDS[d % len(KINDS)],
            "effects": [
                {"scenario": sid, "likelihood": {"steps": 0.5, "low": 0.0, "high": 1.0}}
                if rng.random() < 0.6
                else {"scenario": sid, "impact": {"2.1": {"factor": 1.5, "low": 1.1, "high": 2.0}}}
                for sid in rng.sample(ids, min(20, n))
            ],
        }
        for d in range(developments)
    ]
    strategy = data["strategies"][0]["id"]
    owner = data["organisations"][0]["id"]
    for i in range(proposed):
        f = rng.uniform(0.4, 0.9)
        data["measures"].append(
            {
                "id": f"prop{i:04d}",
                "title": f"Proposal {i}",
                "owners": [owner],
                "strategy": strategy,
                "phase": "prevent",
                "scenarios": rng.sample(ids, rng.randint(1, 3)),
                "status": "proposed",
                "cost": float(rng.randint(1, 50) * 1_000_000),
                "effects": [
                    {
                        "likelihood": {
                            "factor": f,
                            "low": max(0.05, f - 0.2),
                            "high": min(1.0, f + 0.1),
                        }
                    }
                ],
            }
        )
    return parse_assessment(json.dumps(data), "generated.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", type=int, default=1000)
    ap.add_argument("--developments", type=int, default=50)
    ap.add_argument("--portfolio-scenarios", type=int, default=200)
    ap.add_argument("--proposed", type=int, default=200)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; Python {platform.python_version()}")

    loaded = with_strategy(args.scenarios, args.developments, 0, args.seed)
    results = compute(loaded.inputs, loaded.method)
    t_of, sm = best(
        args.runs,
        lambda: StrategyModel.of(
            loaded.assessment, loaded.inputs, loaded.method, results.cells.central
        ),
    )
    t_wi, wi = best(args.runs, lambda: what_if(sm))
    print(
        f"what-if, {args.scenarios} scenarios x {args.developments} developments (+ all together):"
        f" compile {t_of:.3f} s, what-if {t_wi:.3f} s (goal < 1 s);"
        f" {int((wi.direct | wi.through_cascades).sum())} raised pairs"
    )
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells)
    t_unc, _ = best(1, lambda: development_uncertainty(sm, sampler, 200, args.seed))
    print(f"  uncertainty of the shifts, 200 draws: {t_unc:.2f} s")

    loaded = with_strategy(args.portfolio_scenarios, 0, args.proposed, args.seed)
    results = compute(loaded.inputs, loaded.method)
    sm = StrategyModel.of(loaded.assessment, loaded.inputs, loaded.method, results.cells.central)
    t_tab, tables = best(args.runs, lambda: portfolio_tables(sm))
    budget = 0.3 * float(tables.costs.sum())
    sizes = [len(m) for m in tables.members]
    print(
        f"portfolio, {len(tables.measures)} proposed measures over {args.portfolio_scenarios}"
        f" scenarios ({len(sizes)} groups, largest {max(sizes)}), budget 30% of their cost:"
    )
    print(f"  tables (central estimates): {t_tab:.3f} s")
    t_milp, choice = best(
        args.runs,
        lambda: choose_portfolio(sm, budget, loaded.inputs, results, samples=0),
    )
    print(
        f"  exact MILP + greedy: {t_milp:.3f} s (goal < 2 s); best removes "
        f"{choice.best.value:.4g}, greedy {choice.greedy.value:.4g} of "
        f"{risk_states(sm).target.total:.4g}"
    )
    t_rob, robust = best(
        1,
        lambda: choose_portfolio(
            sm,
            budget,
            loaded.inputs,
            results,
            samples=args.draws,
            seed=args.seed,
            workers=args.workers,
        ),
    )
    r = robust.robustness
    assert r is not None
    sure = int(((r.share > 0.95) | (r.share < 0.05)).sum())
    print(
        f"  robustness over {args.draws} draws of estimates and effects, {args.workers} workers:"
        f" {t_rob:.1f} s (goal < 30 s on 2 cores); {sure} of {len(r.share)} measures in or out"
        " in more than 95% of draws"
    )


if __name__ == "__main__":
    main()

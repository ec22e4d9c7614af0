"""Benchmark of the BNRA cascade analysis end to end (issue 13, "Measure"): a dense generated
catalogue, 10,000 simulated years plus 1,000 forced-start event graphs per risk and level, from
the command line; and the year simulation alone per simulated year on the sparse catalogue of
bench_cascades.py and on the dense one.

Usage::

    .venv/bin/python benchmarks/bench_bnra.py [--years 10000] [--graphs 1000] [--seed 2026]
        [--runs 3] [--keep DIR] [--export-catalogue FILE]

The dense catalogue: 120 risks x 3 levels (a tenth of them actors, certain every day, each
with motivation towards four attacks), 1,000 cascade pairs (cause, effect) each with a 3 x 3
conditional probability matrix, scaled (seeded bisection) so that a simulated year holds about
140 events (nodes of event graphs) from about 7 root event graphs. It is written as an
assessment file for the be-bnra-2023 method and analysed with

    nsra analyse dense.yaml --only cascades --years 10000 --graphs 1000 [--workers 2]

``--keep DIR`` keeps the generated file and the analysis output there; ``--export-catalogue``
writes the catalogue's daily probabilities, cascade probabilities and impacts as JSON (for a
comparison with another implementation). Results are printed only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from benchmarks.bench_cascades import best
from benchmarks.bench_cascades import generate as sparse_catalogue

from nsra.analysis import cascade_sim as cs
from nsra.analysis.forced_start import forced_start, method_noise

LEVELS = ("considerable", "major", "extreme")
LEVEL_FACTOR = np.array([1.0, 0.2, 0.04])
PATTERN = np.array([[1.0, 0.3, 0.05], [0.6, 1.0, 0.3], [0.3, 0.6, 1.0]])  # cause a -> effect b
ROOTS_PER_YEAR = 5.0  # non-actor roots; actors add about 2
EVENTS_PER_YEAR = 140.0


def assessment(
    seed: int, cp_scale: float, n_risks: int = 120, n_pairs: int = 1000
) -> dict[str, Any]:
    """The dense assessment (be-bnra-2023), seeded; ``cp_scale`` scales every CP."""
    rng = np.random.default_rng(seed)
    n_actors = n_risks // 10
    actors = set(rng.choice(n_risks, n_actors, replace=False).tolist())
    others = [r for r in range(n_risks) if r not in actors]
    weight = 10 ** rng.uniform(-2.0, 0.0, n_risks)
    yearly = weight / weight[others].sum() * ROOTS_PER_YEAR / LEVEL_FACTOR.sum()
    ids = [f"risk-{r:03d}" for r in range(n_risks)]
    scenarios = []
    for r in range(n_risks):
        sc: dict[str, Any] = {
            "id": ids[r],
            "title": f"Risk {r}",
            "theme": "generated",
            "domain": "internal",
            "malicious": r in actors,
            "owner": "nccn",
        }
        if r in actors:
            sc["actor"] = True
        else:
            eur = 10 ** (rng.uniform(6.5, 8.5) + np.arange(3))
            sc["consensus"] = [
                {
                    "level": lv,
                    "likelihood": {"value": float(1.0 / (yearly[r] * LEVEL_FACTOR[n]))},
                    "impact": {
                        "Fa": {"value": float(eur[n])},
                        "Ha": {"value": float(eur[n] / 5e6 / 4)},
                    },
                }
                for n, lv in enumerate(LEVELS)
            ]
        scenarios.append(sc)
    cascades = []
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_pairs:
        c, e = (int(x) for x in rng.choice(others, 2, replace=False))
        pairs.add((c, e))
    for c, e in sorted(pairs):
        cp = np.clip(cp_scale * PATTERN * rng.uniform(0.5, 1.5, (3, 3)), 0.0, 0.95)
        cascades.append(
            {
                "cause": ids[c],
                "effect": ids[e],
                "levels": {
                    a: {b: {"value": float(cp[i, j])} for j, b in enumerate(LEVELS)}
                    for i, a in enumerate(LEVELS)
                },
            }
        )
    for a in sorted(actors):
        for e in rng.choice(others, 4, replace=False).tolist():
            m = rng.uniform(0.01, 0.2, (3, 3)) * np.eye(3)  # motivation over 3 years
            cascades.append(
                {
                    "cause": ids[a],
                    "effect": ids[e],
                    "levels": {
                        x: {b: {"value": float(m[i, j])} for j, b in enumerate(LEVELS) if m[i, j]}
                        for i, x in enumerate(LEVELS)
                    },
                }
            )
    return {
        "title": "Dense generated catalogue (benchmark)",
        "date": "2026-12-04",
        "classification": "UNCLASSIFIED",
        "method": "be-bnra-2023",
        "organisations": [{"id": "nccn", "name": "NCCN"}],
        "analysts": [],
        "scenarios": scenarios,
        "cascades": cascades,
    }


def catalogue_of(path: Path) -> tuple[cs.CascadeCatalogue, Any]:
    import nsra
    from nsra.io.validate import read_assessment

    loaded = read_assessment(str(path))
    results = nsra.compute(loaded)
    return cs.CascadeCatalogue.from_results(results, loaded.inputs), loaded.method


def events_per_year(cat: cs.CascadeCatalogue, years: int = 300) -> tuple[float, float]:
    s = cs.simulate(cat, years, seed=1)
    return (s.n_events + s.n_triggered) / years, s.n_events / years


def load() -> str:
    """The load average over the last minute (other work on the machine at the time)."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def command(runs: int, cmd: list[str]) -> tuple[float, float]:
    """Best wall time of ``runs`` runs of ``cmd`` and the CPU time (user + system, with its
    worker processes) of that run."""
    runs_seen: list[tuple[float, float]] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert proc.returncode == 0, proc.stderr.decode()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs_seen.append((wall, cpu))
    return min(runs_seen)


def write(doc: dict[str, Any], path: Path) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def calibrated(seed: int, folder: Path) -> Path:
    """The dense file, its CP scale bisected to about EVENTS_PER_YEAR events a year."""
    lo, hi = 0.0, 0.2
    path = folder / "dense.yaml"
    for _ in range(12):
        mid = (lo + hi) / 2
        write(assessment(seed, mid), path)
        cat, _ = catalogue_of(path)
        per_year, _ = events_per_year(cat)
        if abs(per_year - EVENTS_PER_YEAR) < 3:
            break
        lo, hi = (mid, hi) if per_year < EVENTS_PER_YEAR else (lo, mid)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=10_000)
    ap.add_argument("--graphs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--export-catalogue", type=Path, default=None)
    args = ap.parse_args()
    print(f"os.cpu_count() = {os.cpu_count()}; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = calibrated(args.seed, folder)
        cat, method = catalogue_of(path)
        per_year, roots = events_per_year(cat, 2000)
        print(
            f"dense catalogue: {cat.n_risks} risks x {cat.n_levels} levels, "
            f"{len(cat.cascades)} cascade rows, {int(cat.actor.sum())} actors; "
            f"{roots:.1f} root event graphs and {per_year:.1f} events a simulated year"
        )
        if args.export_catalogue:
            c = cat.cascades
            args.export_catalogue.write_text(
                json.dumps(
                    {
                        "daily_probability": cat.daily_probability.tolist(),
                        "actor": cat.actor.tolist(),
                        "indicator_impact": (cat.indicator_impact or np.zeros(0)).tolist(),
                        "cascades": [list(row) for row in c.tuples()],
                    }
                ),
                encoding="utf-8",
            )
        # -- end to end from the command line --
        nsra_cmd = [sys.executable, "-m", "nsra.cli.__main__"]
        t_help, cpu_help = command(args.runs, [*nsra_cmd, "--help"])
        print(f"nsra --help: {t_help:.2f} s ({cpu_help:.2f} s CPU; imports and start-up)")
        base = [*nsra_cmd, "analyse", str(path), "--only", "cascades"]
        t_small, cpu_small = command(args.runs, [*base, "--years", "1", "--graphs", "1"])
        print(
            f"nsra analyse --only cascades --years 1 --graphs 1: {t_small:.2f} s "
            f"({cpu_small:.2f} s CPU; start-up, reading and checking the file, writing)"
        )
        base += ["--years", str(args.years), "--graphs", str(args.graphs)]
        for workers in (1, 2):
            out = folder / f"analysis-{workers}.json"
            cmd = [*base, "--workers", str(workers), "-o", str(out)]
            t, cpu = command(args.runs, cmd)
            print(
                f"nsra analyse --only cascades --years {args.years} --graphs {args.graphs} "
                f"--workers {workers}: {t:.2f} s (whole command, best of {args.runs}; "
                f"{cpu:.2f} s CPU in all its processes; load average {load()})"
            )
        # -- the parts, in this process --
        t_read, _ = best(args.runs, lambda: catalogue_of(path))
        print(f"  reading, checking and computing the file (in this process): {t_read:.2f} s")
        t_years, _ = best(args.runs, lambda: cs.simulate(cat, args.years, seed=3))
        noise = method_noise(method)
        t_forced, _ = best(args.runs, lambda: forced_start(cat, args.graphs, 3, noise))
        t_plain, _ = best(args.runs, lambda: forced_start(cat, args.graphs, 3, None))
        print(
            f"  year simulation {t_years:.3f} s ({1e3 * t_years / args.years:.3f} ms a simulated "
            f"year); forced start {t_forced:.3f} s with noise, {t_plain:.3f} s without"
        )
    sparse = sparse_catalogue(120, 1000, 2026)
    t_sparse, s = best(args.runs, lambda: cs.simulate(sparse, args.years, seed=3))
    print(
        f"sparse catalogue (bench_cascades.py, {(s.n_events + s.n_triggered) / args.years:.1f} "
        f"events a year): year simulation {t_sparse:.3f} s for {args.years} years "
        f"({1e3 * t_sparse / args.years:.4f} ms a simulated year)"
    )


if __name__ == "__main__":
    main()

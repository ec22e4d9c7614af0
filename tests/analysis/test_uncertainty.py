"""Monte Carlo uncertainty: seeded, independent of chunking and workers, drawn where it should."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from nsra.analysis.uncertainty import (
    PositionSampler,
    UncertaintyResult,
    position_sampler,
    propagate,
)
from nsra.engine.compute import Results, compute
from nsra.engine.evaluate import RiskModel
from nsra.io.validate import Loaded, read_assessment
from tests.helpers import EXAMPLES, ROOT, parse

NL = ROOT / "examples" / "nl-integrated.yaml"
BNRA = ROOT / "examples" / "be-bnra.yaml"


def _setup(path: Path) -> tuple[Loaded, Results, RiskModel, PositionSampler]:
    loaded = read_assessment(str(path))
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    return loaded, results, model, position_sampler(loaded.inputs, loaded.method, results.cells)


def test_seeded_and_reproducible() -> None:
    _, results, model, sampler = _setup(NL)
    a = propagate(model, sampler, results.level, results.rank, samples=3000, seed=7)
    b = propagate(model, sampler, results.level, results.rank, samples=3000, seed=7)
    c = propagate(model, sampler, results.level, results.rank, samples=3000, seed=8)
    # a chronic risk has no risk: NaN in every draw (equal to itself here)
    assert np.array_equal(a.intervals.risk, b.intervals.risk, equal_nan=True)
    assert not np.array_equal(a.intervals.risk, c.intervals.risk)
    assert a.seed == 7 and a.samples == 3000


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_results_do_not_depend_on_workers(pool: type) -> None:
    _, results, model, sampler = _setup(BNRA)
    here = propagate(model, sampler, results.level, results.rank, samples=5000, seed=3)
    with pool(max_workers=2) as ex:
        there = propagate(
            model, sampler, results.level, results.rank, samples=5000, seed=3, executor=ex
        )
    for name in ("risk", "rank", "impact", "probability"):
        assert np.array_equal(getattr(here.intervals, name), getattr(there.intervals, name))


def test_results_equal_on_a_local_dask_cluster() -> None:
    from distributed import Client, LocalCluster

    _, results, model, sampler = _setup(BNRA)
    here = propagate(model, sampler, results.level, results.rank, samples=5000, seed=11)
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        there = propagate(
            model, sampler, results.level, results.rank, samples=5000, seed=11, executor=client
        )
    assert np.array_equal(here.intervals.risk, there.intervals.risk)
    assert np.array_equal(here.intervals.rank, there.intervals.rank)


def test_intervals_are_ordered_and_hold_the_central_value() -> None:
    _, results, model, sampler = _setup(NL)
    u = propagate(model, sampler, results.level, results.rank, samples=4000, seed=1)
    for name in ("risk", "impact", "probability", "rank"):
        q = getattr(u.intervals, name)
        ranked = ~np.isnan(q[0])
        assert np.all(q[0][ranked] <= q[1][ranked]) and np.all(q[1][ranked] <= q[2][ranked])
    # the deterministic impact lies inside the sampled range (it is one of its possible values)
    idx = np.arange(results.level.shape[0])
    central = results.total_impact[idx, results.level]
    q = u.intervals.impact
    assert np.all((q[0] <= central + 1e-9) & (central <= q[2] + 1e-9))


def test_a_class_is_drawn_log_uniformly_in_euros_on_the_bnra_scale() -> None:
    """A criterion estimated at class 2 by everyone: euros log-uniform in [EUR(1.5), EUR(2.5)]."""
    s = np.full((1, 1, 2), np.nan)
    s[0, 0, 0] = 2.0
    sampler = PositionSampler(low=s - 0.5, high=s + 0.5, mode=s)
    loaded = read_assessment(str(BNRA))
    model = RiskModel.of(loaded.method, loaded.inputs)
    pos = sampler.sample(200_000, np.random.default_rng(5))[:, 0, 0, 0]
    euros = model.impact.criterion_values(
        np.stack([pos] + [np.full_like(pos, np.nan)] * 9, axis=-1)
    )[:, 0]
    logs = np.log10(euros / 1.6e6)
    assert logs.min() >= 1.5 and logs.max() <= 2.5
    hist, _ = np.histogram(logs, bins=10, range=(1.5, 2.5))
    assert np.all(np.abs(hist / 20_000 - 1) < 0.05)  # flat in log10 euros


def test_triangular_draws_centre_on_the_mode() -> None:
    low, high, mode = np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 0.8)
    tri = PositionSampler(low, high, mode, "triangular").sample(100_000, np.random.default_rng(2))
    assert abs(float(tri.mean()) - (0 + 1 + 0.8) / 3) < 0.005
    assert tri.min() >= 0 and tri.max() <= 1


def test_cells_nobody_estimated_stay_missing() -> None:
    s = np.array([[[1.0, np.nan]]])
    draws = PositionSampler(s - 0.5, s + 0.5, s).sample(10, np.random.default_rng(0))
    assert np.all(np.isnan(draws[..., 1])) and not np.any(np.isnan(draws[..., 0]))


def test_cli_analyse_writes_json_with_seed_and_options(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    cmd = [sys.executable, "-m", "nsra.cli", "analyse", str(NL), "--samples", "500"]
    proc = subprocess.run([*cmd, "--seed", "4", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["format"] == "nsra-analysis/1"
    assert doc["options"]["seed"] == 4 and doc["uncertainty"]["samples"] == 500
    sc = doc["uncertainty"]["scenarios"][0]
    assert {"id", "central_rank", "risk", "rank", "impact", "probability"} <= set(sc)
    assert len(sc["risk"]) == 3


EXACT = """
title: exact values
method: be-bnra-2023
date: 2026-01-01
classification: TEST
organisations: [{id: o, name: O}]
analysts: [{id: a, organisation: o}, {id: b, organisation: o}]
scenarios:
  - id: flood
    title: Flood
    theme: nature
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a, level: major, likelihood: {value: 100}, impact: {Ha: {value: 800}}}
      - {analyst: b, level: major, likelihood: "2", impact: {Ha: "3"}}
"""


def test_exact_values_are_not_widened_to_a_class() -> None:
    """A value in the unit stands for itself; a class for its whole class."""
    from nsra.io.validate import parse_assessment

    loaded = parse_assessment(EXACT, "exact.yaml")
    results = compute(loaded.inputs, loaded.method)
    cells = results.cells
    lv = [lv.id for lv in loaded.method.intensity_levels].index("major")
    k = loaded.inputs.n_criteria
    # likelihood: class 2 spans 1.5..2.5; a 100-year return period (1,200 months) sits exactly at
    # DP = 4.5 - log10(1200 / 36) = 2.977, above class 2, and widens the interval to itself only
    exact_pos = 4.5 - math.log10(1200 / 36)
    assert cells.edge_low[0, lv, k] == pytest.approx(1.5)
    assert cells.edge_high[0, lv, k] == pytest.approx(exact_pos)
    # Ha: exact 800 persons (position ~3.4) and class 3 (2.5..3.5): edges 2.5 .. 3.5
    assert cells.edge_low[0, lv, 0] == pytest.approx(2.5)
    assert cells.edge_high[0, lv, 0] == pytest.approx(3.5)
    single = parse_assessment(EXACT.replace('likelihood: "2", impact: {Ha: "3"}', ""), "x.yaml")
    c = compute(single.inputs, single.method).cells
    assert c.edge_low[0, lv, k] == c.edge_high[0, lv, k] == c.central[0, lv, k]


# -- rank intervals --------------------------------------------------------------------------------
def _scenario(sid: str, estimates: str) -> str:
    return f"""\
  - id: {sid}
    title: {sid}
    theme: test
    domain: internal
    malicious: false
    owner: o
    estimates:
{estimates}"""


def _assessment(method: str, scenarios: list[str]) -> str:
    head = f"""\
title: Rank intervals
method: {method}
date: 2026-01-15
classification: TEST
organisations: [{{id: o, name: O}}]
analysts: [{{id: a1, organisation: o}}, {{id: a2, organisation: o}}]
scenarios:
"""
    return head + "".join(scenarios)


def _propagate(
    loaded: Loaded, samples: int, quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)
) -> tuple[Results, UncertaintyResult]:
    results = compute(loaded.inputs, loaded.method)
    model = RiskModel.of(loaded.method, loaded.inputs)
    sampler = position_sampler(loaded.inputs, loaded.method, results.cells)
    u = propagate(model, sampler, results.level, results.rank, samples, seed=5, quantiles=quantiles)
    return results, u


def test_a_scenario_that_dominates_in_every_draw_has_rank_interval_1_1() -> None:
    """Class intervals that do not overlap: in every draw ``top`` has the highest likelihood and
    impact, ``low`` the lowest; the analysts disagree, so every cell is uncertain."""
    text = _assessment(
        "nl-snv",
        [
            _scenario(
                "low",
                '      - {analyst: a1, likelihood: A, impact: {"2.1": A}}\n'
                '      - {analyst: a2, likelihood: B, impact: {"2.1": B}}\n',
            ),
            _scenario(
                "top",
                '      - {analyst: a1, likelihood: E, impact: {"2.1": E, "3.1": D}}\n'
                '      - {analyst: a2, likelihood: D, impact: {"2.1": E}}\n',
            ),
            _scenario("mid", '      - {analyst: a1, likelihood: C, impact: {"2.1": C}}\n'),
        ],
    )
    results, u = _propagate(parse(text), 3000)
    assert results.rank.tolist() == [3, 1, 2]
    q = u.intervals.rank  # (quantile, scenario)
    np.testing.assert_array_equal(q, [[3, 1, 2]] * 3)  # top [1, 1], low [S, S] = [3, 3]
    np.testing.assert_array_equal(u.rank_changes, [0.0, 0.0, 0.0])
    # and the risks themselves never cross
    r = u.intervals.risk
    assert r[0, 1] > r[2, 2] and r[0, 2] > r[2, 0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_rank_intervals_hold_the_central_rank(path: Path) -> None:
    """Where the central rank is among the sampled ranks, the 5-95% interval holds it."""
    results, u = _propagate(read_assessment(str(path)), 2000, (0.0, 0.05, 0.5, 0.95, 1.0))
    lowest, q05, _, q95, highest = u.intervals.rank
    central = results.rank
    sampled = (lowest <= central) & (central <= highest)
    assert sampled.sum() >= len(central) // 2
    assert np.all((q05[sampled] <= central[sampled]) & (central[sampled] <= q95[sampled]))
    assert np.all(lowest <= q05) and np.all(q05 <= q95) and np.all(q95 <= highest)


def test_known_probability_of_a_rank_change() -> None:
    """BNRA (continuous scales: a value stands for itself). Both risks have the same fixed impact;
    ``fixed`` has a fixed return period at DP position 2.2, ``ranged`` the DP class 2, a position
    uniform on [1.5, 2.5]. So ``ranged`` is above ``fixed`` with probability 2.5 - 2.2 = 0.3; at
    the centre (position 2) it is below."""
    years = 3 * 10**2.3  # DP = 4.5 - log10(12 * years / 36) = 2.2
    text = _assessment(
        "be-bnra-2023",
        [
            _scenario(
                "fixed",
                f"      - {{analyst: a1, level: major, likelihood: {{value: {years!r}}}, "
                "impact: {Ha: {value: 800}}}\n",
            ),
            _scenario(
                "ranged",
                "      - {analyst: a1, level: major, likelihood: '2',"
                " impact: {Ha: {value: 800}}}\n",
            ),
        ],
    )
    loaded = parse(text)
    n = 20_000
    results, u = _propagate(loaded, n)
    assert results.rank.tolist() == [1, 2]
    k = loaded.inputs.n_criteria
    major = [lv.id for lv in loaded.method.intensity_levels].index("major")
    assert results.cells.central[0, major, k] == pytest.approx(2.2, abs=1e-12)
    # rank changes: ``fixed`` loses rank 1, ``ranged`` leaves rank 2, both with probability 0.3
    se = math.sqrt(0.3 * 0.7 / n)
    np.testing.assert_allclose(u.rank_changes, [0.3, 0.3], atol=4 * se)
    # 5/50/95%: fixed 1, 1, 2; ranged 1, 2, 2
    np.testing.assert_array_equal(u.intervals.rank, [[1, 1], [1, 2], [2, 2]])

"""The cascade simulation (nsra.analysis.cascade_sim): closed forms, the reference, seeding.

Statistical checks use fixed seeds (deterministic, cannot flake) and a tolerance of
``Z = 4.5`` standard errors per compared quantity: a correct sampler passes such a check with
probability above 0.999 for any seed and the few dozen quantities compared (max |z| was 1.8 to
2.4 over eight seeds), while the broken variants tried while writing these tests (no visited
check, the last instead of the first cause winning, effect levels not in proportion to cp, levels
not combined as 1 - prod(1 - cp), the cause level ignored, no actor rule, depth-first instead of
breadth-first) miss it by far (max |z| from 9 to 177).
"""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import cache

import numpy as np
import pytest
from scipy import stats as sps

from nsra.analysis import cascade_sim as cs
from nsra.analysis.chunks import block_stream
from nsra.engine.compute import compute
from nsra.engine.inputs import CascadeRows
from nsra.io.validate import read_assessment
from tests.helpers import EXAMPLES_DIR

Z = 4.5
Row = tuple[int, int, int, int, float]


def catalogue(
    daily: list[list[float]],
    rows: list[Row],
    impact: list[list[float]] | None = None,
    actor: list[bool] | None = None,
) -> cs.CascadeCatalogue:
    p = np.asarray(daily, dtype=float)
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]
    cause, cause_level, effect, effect_level = (np.asarray(c, dtype=np.int64) for c in cols[:4])
    cascades = CascadeRows(
        cause, cause_level, effect, effect_level, np.asarray(cols[4], dtype=float)
    )
    return cs.CascadeCatalogue(
        daily_probability=p,
        direct_impact=np.zeros_like(p) if impact is None else np.asarray(impact, dtype=float),
        cascades=cascades,
        actor=np.zeros(p.shape[0], dtype=bool) if actor is None else np.asarray(actor),
    )


def z_binomial(observed: float, n: float, q: float) -> float:
    """Standardised distance of ``observed`` successes from ``Binomial(n, q)``."""
    sd = math.sqrt(max(n * q * (1.0 - q), 1e-12))
    return (observed - n * q) / sd


def graphs(cat: cs.CascadeCatalogue, years: int, seed: int) -> cs.EventGraphs:
    return cs.sample_events(cat, years, np.random.default_rng(seed))


@cache
def example_catalogue() -> cs.CascadeCatalogue:
    loaded = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    results = compute(loaded.inputs, loaded.method)
    return cs.CascadeCatalogue.from_results(results, loaded.inputs)


def scaled(cat: cs.CascadeCatalogue, factor: float) -> cs.CascadeCatalogue:
    c = cat.cascades
    rows = CascadeRows(c.cause, c.cause_level, c.effect, c.effect_level, c.probability * factor)
    return dataclasses.replace(cat, cascades=rows)


# -- (a) one cause, one effect -------------------------------------------------------------------


def test_single_pair_frequency_and_levels_follow_the_closed_form() -> None:
    # A (risk 0) causes B (risk 1); B never starts an event itself.
    rows: list[Row] = [
        (0, 0, 1, 0, 0.3),
        (0, 1, 1, 0, 0.1),
        (0, 1, 1, 1, 0.3),
        (0, 1, 1, 2, 0.05),
        (0, 2, 1, 1, 0.2),
        (0, 2, 1, 2, 0.5),
    ]
    cat = catalogue([[0.004, 0.002, 0.001], [0.0, 0.0, 0.0]], rows)
    years = 4000
    s = cs.simulate(cat, years, seed=11)

    # roots: Binomial(days, p_any) events, levels in proportion to p
    p = cat.daily_probability[0]
    p_any = 1 - np.prod(1 - p)
    days = years * 365
    assert abs(z_binomial(s.root_count[0].sum(), days, p_any)) < Z
    level_fit = sps.chisquare(s.root_count[0], s.root_count[0].sum() * p / p.sum())
    assert level_fit.pvalue > 1e-4
    assert s.root_count[1].sum() == 0

    # triggered B at level b: sum over A's levels a of n_a * (1 - prod(1 - cp_a)) * cp_ab / sum cp_a
    cp = np.zeros((3, 3))
    for _, a, _, b, v in rows:
        cp[a, b] = v
    p_link = 1 - np.prod(1 - cp, axis=1)
    q = p_link[:, None] * cp / cp.sum(axis=1, keepdims=True)  # (a, b)
    n_a = s.root_count[0].astype(float)
    expected = n_a @ q
    var = n_a @ (q * (1 - q))
    z = (s.triggered_count[1] - expected) / np.sqrt(var)
    assert np.all(np.abs(z) < Z), z
    # "triggered frequency = root frequency of the cause x cp" for a single effect level
    assert q[0, 0] == pytest.approx(0.3)
    assert s.attribution_count[0, 1] == s.triggered_count[1].sum()

    # B's level is drawn in proportion to cp: A at level 1 alone (it has cp to all three levels)
    only_1 = catalogue([[0.0, 0.01, 0.0], [0.0, 0.0, 0.0]], rows)
    s1 = cs.simulate(only_1, 2000, seed=12)
    got = s1.triggered_count[1]
    fit = sps.chisquare(got, got.sum() * cp[1] / cp[1].sum())
    assert fit.pvalue > 1e-4, (got, cp[1])
    assert abs(z_binomial(got.sum(), s1.root_count[0, 1], p_link[1])) < Z


# -- (b) chains ----------------------------------------------------------------------------------


def test_chain_a_b_c() -> None:
    cat = catalogue([[0.02], [0.0], [0.0]], [(0, 0, 1, 0, 0.4), (1, 0, 2, 0, 0.3)])
    s = cs.simulate(cat, 3000, seed=21)
    n = float(s.root_count[0, 0])
    assert abs(z_binomial(s.triggered_count[1, 0], n, 0.4)) < Z
    assert abs(z_binomial(s.triggered_count[2, 0], n, 0.4 * 0.3)) < Z
    assert s.attribution_count[0, 2] == 0
    assert s.attribution_count[1, 2] == s.triggered_count[2, 0]


def test_breadth_first_decides_which_cause_triggers_a_shared_effect() -> None:
    # A -> B, A -> C and B -> C: A's own trial for C comes before B's (B is in the next
    # generation), so C is attributed to A with cp_ac and to B only when A did not trigger it.
    # Depth-first would give B -> C with cp_ab * cp_bc and A -> C with (1 - that) * cp_ac.
    cp_ab, cp_ac, cp_bc = 0.6, 0.3, 0.5
    rows: list[Row] = [(0, 0, 1, 0, cp_ab), (0, 0, 2, 0, cp_ac), (1, 0, 2, 0, cp_bc)]
    s = cs.simulate(catalogue([[0.02], [0.0], [0.0]], rows), 3000, seed=22)
    n = float(s.root_count[0, 0])
    assert abs(z_binomial(s.attribution_count[0, 2], n, cp_ac)) < Z
    assert abs(z_binomial(s.attribution_count[1, 2], n, (1 - cp_ac) * cp_ab * cp_bc)) < Z
    total_c = 1 - (1 - cp_ac) * (1 - cp_ab * cp_bc)
    assert abs(z_binomial(s.triggered_count[2, 0], n, total_c)) < Z


# -- (c) cycles ----------------------------------------------------------------------------------


def test_cycle_a_b_a_each_risk_once_per_event() -> None:
    cat = catalogue([[0.01], [0.005]], [(0, 0, 1, 0, 0.5), (1, 0, 0, 0, 0.6)])
    g = graphs(cat, 2000, seed=31)
    pairs = g.node_event * cat.n_risks + g.node_risk
    assert np.unique(pairs).size == pairs.size  # no event has a risk twice
    assert np.bincount(g.node_event).max() <= 2

    s = cs.combine(cat, [cs.tally(cat, g)])
    assert np.isfinite(s.triggered_frequency).all()
    # triggered A comes only from events rooted at B, triggered B only from events rooted at A
    assert abs(z_binomial(s.triggered_count[1, 0], s.root_count[0, 0], 0.5)) < Z
    assert abs(z_binomial(s.triggered_count[0, 0], s.root_count[1, 0], 0.6)) < Z


def test_example_with_cycles_never_repeats_a_risk_in_an_event() -> None:
    cat = example_catalogue()
    g = graphs(cat, 20_000, seed=32)
    pairs = g.node_event * cat.n_risks + g.node_risk
    assert np.unique(pairs).size == pairs.size
    assert (g.node_parent >= 0).sum() > 1000  # the cascades did fire
    # every non-root node's cause is a node of the same event that has a cascade to it
    child = np.flatnonzero(g.node_parent >= 0)
    assert np.array_equal(g.node_event[g.node_parent[child]], g.node_event[child])
    c = cat.cascades
    known = set(zip(c.cause.tolist(), c.cause_level.tolist(), c.effect.tolist(), strict=True))
    par = g.node_parent[child]
    used = zip(
        g.node_risk[par].tolist(),
        g.node_level[par].tolist(),
        g.node_risk[child].tolist(),
        strict=True,
    )
    assert set(used) <= known


# -- (d) actors ----------------------------------------------------------------------------------


def test_actor_counts_only_when_it_triggers_something() -> None:
    # X (0) is an actor that triggers Y (1) with 0.3; Z (2) triggers X with 0.5.
    rows: list[Row] = [(0, 0, 1, 0, 0.3), (2, 0, 0, 0, 0.5)]
    impact = [[7.0], [100.0], [1.0]]
    cat = catalogue([[0.02], [0.0], [0.01]], rows, impact=impact, actor=[True, False, False])
    years = 3000
    s = cs.simulate(cat, years, seed=41)
    days = years * 365
    # counted root X events: the days X occurs and triggers Y
    assert abs(z_binomial(s.root_count[0, 0], days, 0.02 * 0.3)) < Z
    # counted triggered X: from Z events, X triggered and X triggers Y
    n_z = float(s.root_count[2, 0])
    assert abs(z_binomial(s.triggered_count[0, 0], n_z, 0.5 * 0.3)) < Z
    assert s.attribution_count[2, 0] == s.triggered_count[0, 0]
    # every counted event rooted at X contains Y: its total impact is exactly 7 + 100
    assert s.root_count[0, 0] > 100
    for q in (s.impact_mean, s.impact_p5, s.impact_p50, s.impact_p95):
        assert q[0, 0] == pytest.approx(107.0)
    assert s.n_events == s.root_count.sum()
    # a silent X inside a Z event is left out with its impact: Z events are 1, 1 + 107
    z_events = s.impact_mean[2, 0]
    assert z_events == pytest.approx(1.0 + 107.0 * s.triggered_count[0, 0] / n_z)


def test_first_order_applies_the_actor_rule() -> None:
    rows: list[Row] = [(0, 0, 1, 0, 0.3), (2, 0, 0, 0, 0.5)]
    cat = catalogue([[0.001], [0.0], [0.002]], rows, actor=[True, False, False])
    fo = cs.first_order(cat)
    rate = -np.log1p(-cat.daily_probability[:, 0]) * 365
    assert fo.root_frequency[0, 0] == pytest.approx(rate[0] * 0.3)
    assert fo.root_frequency[2, 0] == pytest.approx(rate[2])
    assert fo.triggered_frequency[0, 0] == pytest.approx(rate[2] * 0.5 * 0.3)
    assert fo.triggered_frequency[1, 0] == pytest.approx(rate[0] * 0.3)


# -- (e) the fast sampler has the reference's distribution -------------------------------------

# Five risks, three levels: cycles 0 <-> 1 and 0 -> 2 -> 0, two causes of risk 4 in the same
# generation (1 and 2, both triggered by 0), two causes of 2 in successive generations (0, 1),
# an actor (3), conditional probabilities that differ by cause level and spread over effect levels.
SMALL_DAILY = [
    [0.012, 0.006, 0.002],
    [0.006, 0.003, 0.001],
    [0.004, 0.002, 0.001],
    [0.006, 0.003, 0.0],
    [0.002, 0.0, 0.0],
]
SMALL_IMPACT = [
    [1.0, 10.0, 100.0],
    [2.0, 20.0, 200.0],
    [5.0, 50.0, 500.0],
    [0.0, 0.0, 0.0],
    [3.0, 30.0, 300.0],
]
SMALL_ROWS: list[Row] = [
    (0, 0, 1, 0, 0.4),
    (0, 1, 1, 0, 0.3),
    (0, 1, 1, 1, 0.4),
    (0, 2, 1, 1, 0.3),
    (0, 2, 1, 2, 0.6),
    (0, 0, 2, 0, 0.2),
    (0, 1, 2, 0, 0.3),
    (0, 2, 2, 1, 0.5),
    (1, 0, 0, 0, 0.3),
    (1, 1, 0, 0, 0.2),
    (1, 1, 0, 1, 0.4),
    (1, 2, 0, 2, 0.5),
    (1, 0, 2, 0, 0.3),
    (1, 1, 2, 1, 0.5),
    (1, 0, 4, 0, 0.5),
    (1, 1, 4, 1, 0.6),
    (1, 2, 4, 2, 0.7),
    (2, 0, 0, 0, 0.1),
    (2, 1, 0, 1, 0.3),
    (2, 0, 4, 2, 0.6),
    (2, 1, 4, 0, 0.6),
    (2, 2, 4, 1, 0.5),
    (3, 0, 1, 0, 0.3),
    (3, 1, 1, 1, 0.2),
    (3, 1, 2, 2, 0.3),
]
REFERENCE_DAYS = 1_000_000
FAST_YEARS = 30_000


def small_catalogue(rows: list[Row] = SMALL_ROWS) -> cs.CascadeCatalogue:
    return catalogue(
        SMALL_DAILY, rows, impact=SMALL_IMPACT, actor=[False, False, False, True, False]
    )


@cache
def reference_tally() -> cs.Tally:
    cat = small_catalogue()
    return cs.tally(cat, cs.sample_events_reference(cat, REFERENCE_DAYS, np.random.default_rng(51)))


def fast_tallies(cat: cs.CascadeCatalogue, seed: int = 52) -> list[cs.Tally]:
    plan = cs.YEARS_PER_BLOCK
    return [
        cs.tally(cat, cs.sample_events(cat, plan, block_stream(seed, b)))
        for b in range(FAST_YEARS // plan)
    ]


def distribution_gap(
    cat: cs.CascadeCatalogue, a: list[cs.Tally], b: list[cs.Tally]
) -> dict[str, float]:
    """Largest |z| of the differences between two simulations of one catalogue, per quantity.

    Rates (root and triggered counts per risk and level, attribution counts) compare as two
    Poisson counts over their exposures; mean total impact per root risk and level as a
    two-sample (Welch) z-test on the events' impacts.
    """
    sa, sb = cs.combine(cat, a), cs.combine(cat, b)
    ta, tb = sa.years, sb.years

    def rates(x: np.ndarray, y: np.ndarray) -> float:
        x, y = x.ravel().astype(float), y.ravel().astype(float)
        pooled = (x + y) / (ta + tb)
        ok = (x + y) >= 10
        z = (x[ok] / ta - y[ok] / tb) / np.sqrt(pooled[ok] * (1 / ta + 1 / tb))
        return float(np.abs(z).max())

    def impacts() -> float:
        worst = 0.0
        n_levels = cat.n_levels
        ra = np.concatenate([t.event_risk * n_levels + t.event_level for t in a])
        rb = np.concatenate([t.event_risk * n_levels + t.event_level for t in b])
        ia = np.concatenate([t.event_impact for t in a])
        ib = np.concatenate([t.event_impact for t in b])
        for g in np.unique(np.concatenate([ra, rb])).tolist():
            xa, xb = ia[ra == g], ib[rb == g]
            if xa.size < 30 or xb.size < 30:
                continue
            se = math.sqrt(xa.var(ddof=1) / xa.size + xb.var(ddof=1) / xb.size)
            if se > 0:
                worst = max(worst, abs(xa.mean() - xb.mean()) / se)
        return worst

    return {
        "root": rates(sa.root_count, sb.root_count),
        "triggered": rates(sa.triggered_count, sb.triggered_count),
        "attribution": rates(sa.attribution_count, sb.attribution_count),
        "impact": impacts(),
    }


def test_fast_sampler_matches_the_reference() -> None:
    cat = small_catalogue()
    ref = [reference_tally()]
    fast = fast_tallies(cat)
    gap = distribution_gap(cat, fast, ref)
    assert max(gap.values()) < Z, gap
    s = cs.combine(cat, ref)
    assert s.n_triggered > 3000 and s.n_events > 10_000  # enough events to see a difference


def test_the_comparison_sees_cp_not_applied_per_level() -> None:
    # The same catalogue, but every cause level uses the cp of the cause's first level listed:
    # what a sampler that ignores the cause level would do. The check must reject it.
    first: dict[tuple[int, int, int], float] = {}
    for c, _, e, b, v in SMALL_ROWS:
        first.setdefault((c, e, b), v)
    levels = {(c, a) for c, a, *_ in SMALL_ROWS}
    effects = {(c, e, b) for c, _, e, b, _ in SMALL_ROWS}
    wrong = [
        (c, a, e, b, first[c, e, b])
        for (c, a) in sorted(levels)
        for (cc, e, b) in sorted(effects)
        if cc == c
    ]
    gap = distribution_gap(
        small_catalogue(), fast_tallies(small_catalogue(wrong)), [reference_tally()]
    )
    assert max(gap.values()) > 2 * Z, gap


# -- (f) seeded results do not depend on how the blocks run -------------------------------------


def assert_same(a: cs.CascadeStats, b: cs.CascadeStats) -> None:
    for f in dataclasses.fields(cs.CascadeStats):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=True), f.name
        else:
            assert x == y, f.name


def test_same_result_with_any_executor_and_block_grouping() -> None:
    cat = small_catalogue()
    years = 2 * cs.YEARS_PER_BLOCK + 37  # a short last block
    thresholds = [10.0, 100.0, 1000.0]
    here = cs.simulate(cat, years, seed=61, thresholds=thresholds)
    with ThreadPoolExecutor(3) as pool:
        threads = cs.simulate(cat, years, seed=61, executor=pool, thresholds=thresholds)
    with ProcessPoolExecutor(2) as pool:
        processes = cs.simulate(cat, years, seed=61, executor=pool, thresholds=thresholds)
    assert_same(here, threads)
    assert_same(here, processes)
    # blocks computed apart (another machine, another time) and combined in block order
    sizes = [cs.YEARS_PER_BLOCK, cs.YEARS_PER_BLOCK, 37]
    tallies = [
        cs.tally(cat, cs.sample_events(cat, n, block_stream(61, b))) for b, n in enumerate(sizes)
    ]
    apart = cs.combine(cat, tallies, thresholds, 61, here.options)
    assert_same(here, apart)
    assert here.year_impact.shape == (years,)
    assert here.years == years
    other = cs.simulate(cat, years, seed=62, thresholds=thresholds)
    assert not np.array_equal(here.root_count, other.root_count)


# -- (g) simulation and first order agree when cascades are rare --------------------------------


def test_daily_probability_compounds_back_to_the_time_basis() -> None:
    loaded = read_assessment(str(EXAMPLES_DIR / "be-bnra.yaml"))
    results = compute(loaded.inputs, loaded.method)
    cat = example_catalogue()
    # the BNRA's days: 30.437 a month (12 x 30.437 = 365.244 a year), not 365
    days = results.method.likelihood.time_basis_months * 30.437
    back = 1 - (1 - cat.daily_probability) ** days
    assert np.allclose(back, np.nan_to_num(results.direct_probability), rtol=1e-9, atol=0)
    old = 1 - (1 - cat.daily_probability) ** (
        results.method.likelihood.time_basis_months / 12 * 365
    )
    assert not np.allclose(old, np.nan_to_num(results.direct_probability), rtol=1e-5, atol=0)
    assert cat.n_risks == loaded.inputs.n_scenarios and len(cat.cascades) > 0


def test_simulation_agrees_with_first_order_when_cascades_are_rare() -> None:
    cat = scaled(example_catalogue(), 0.1)
    years = 200_000
    s = cs.simulate(cat, years, seed=71)
    fo = cs.first_order(cat)
    cmp = cs.compare_first_order(s, fo)
    enough = fo.root_frequency * years >= 10
    assert np.all(np.abs(cmp.root_z[enough]) < Z), cmp.root_z
    enough = fo.triggered_frequency * years >= 10
    assert enough.sum() >= 8
    assert np.all(np.abs(cmp.triggered_z[enough]) < Z), cmp.triggered_z
    assert np.all(s.triggered_count[fo.triggered_frequency == 0] == 0)
    assert np.allclose(cmp.triggered_abs, s.triggered_frequency - fo.triggered_frequency)


def test_first_order_misses_chains_when_cascades_are_common() -> None:
    # with the example's own conditional probabilities chains add what the first order leaves
    # out: the comparison shows it (the check above is not vacuous)
    cat = example_catalogue()
    s = cs.simulate(cat, 50_000, seed=72)
    cmp = cs.compare_first_order(s, cs.first_order(cat))
    assert np.nanmax(cmp.triggered_z) > 2 * Z


# -- summaries and inputs -----------------------------------------------------------------------


def test_impact_summary_matches_numpy() -> None:
    cat = small_catalogue()
    t = cs.tally(cat, graphs(cat, 300, seed=81))
    s = cs.combine(cat, [t], thresholds=[25.0])
    for r in range(cat.n_risks):
        for lv in range(cat.n_levels):
            x = t.event_impact[(t.event_risk == r) & (t.event_level == lv)]
            if x.size == 0:
                assert np.isnan(s.impact_mean[r, lv]) and s.root_count[r, lv] == 0
                continue
            assert s.root_count[r, lv] == x.size
            assert s.impact_mean[r, lv] == pytest.approx(x.mean())
            q = np.quantile(x, [0.05, 0.5, 0.95])
            got = [s.impact_p5[r, lv], s.impact_p50[r, lv], s.impact_p95[r, lv]]
            assert got == pytest.approx(q.tolist())
            assert s.exceedance_count[r, lv, 0] == (x > 25.0).sum()
    assert s.year_impact.sum() == pytest.approx(t.event_impact.sum())
    assert s.annual_impact_mean == pytest.approx(t.event_impact.sum() / 300)
    share = s.annual_exceedance([0.0, 1e12])
    assert share[1] == 0.0 and 0 < share[0] <= 1


def test_root_events_fall_on_distinct_days_per_risk() -> None:
    # a risk that occurs on most days: the events of a risk never share a day, so a year has at
    # most 365 of them, and a certain risk has exactly one a day
    cat = catalogue([[0.9], [1.0], [0.001]], [])
    g = graphs(cat, 40, seed=91)
    per_year = np.zeros((3, 40), dtype=np.int64)
    np.add.at(per_year, (g.node_risk, g.event_year), 1)
    assert per_year.max() <= 365
    assert np.all(per_year[1] == 365)


def test_catalogue_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="own cause"):
        catalogue([[0.1], [0.1]], [(0, 0, 0, 0, 0.5)])
    with pytest.raises(ValueError, match="twice"):
        catalogue([[0.1], [0.1]], [(0, 0, 1, 0, 0.5), (0, 0, 1, 0, 0.2)])
    with pytest.raises(ValueError, match="out of range"):
        catalogue([[0.1], [0.1]], [(0, 0, 2, 0, 0.5)])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        catalogue([[1.5], [0.1]], [])
    with pytest.raises(ValueError, match="at least one year"):
        cs.simulate(catalogue([[0.1]], []), 0, seed=1)


def test_reference_and_fast_agree_on_trivial_cases() -> None:
    # nothing happens without probabilities; a certain chain always runs to its end
    none = catalogue([[0.0], [0.0]], [(0, 0, 1, 0, 1.0)])
    assert cs.simulate(none, 10, seed=1).n_events == 0
    assert cs.simulate_reference(none, 100, np.random.default_rng(1)).n_events == 0
    sure = catalogue(
        [[1.0], [0.0], [0.0]], [(0, 0, 1, 0, 1.0), (1, 0, 2, 0, 1.0)], impact=[[1.0], [2.0], [4.0]]
    )
    for s in (
        cs.simulate(sure, 2, seed=1),
        cs.simulate_reference(sure, 730, np.random.default_rng(1)),
    ):
        assert s.n_events == 730 and s.n_triggered == 1460
        assert s.impact_mean[0, 0] == 7.0
        assert np.array_equal(s.year_impact, [7.0 * 365, 7.0 * 365])

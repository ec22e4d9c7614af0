"""The computation (nsra.engine: impact, likelihood, cascade, ranking, compute).

Properties over random inputs for every shipped method, and exact numbers on small assessments
written here, computed by hand from the published formulas (the BNRA's application,
NCCN-CIPRA/cipra-bnra; the method files) and docs/decisions.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.engine.compute import Results, compute
from nsra.engine.impact import ImpactModel
from nsra.engine.inputs import AssessmentInput, CascadeRows, EstimateRows, IntArray
from nsra.engine.likelihood import (
    LikelihoodModel,
    probability_from_rate,
    probability_over,
    rate_from_probability,
)
from nsra.engine.scales import ScaleKernel
from nsra.io.methods import load_method
from nsra.io.validate import read_assessment
from nsra.model.method import Method
from tests.helpers import BNRA_BASE, EXAMPLES, METHOD_IDS, NL_BASE, parse, replace_once

METHODS = {mid: load_method(mid) for mid in METHOD_IDS}


# -- random inputs for a method --------------------------------------------------------------------
def _span(method: Method, scale_id: str) -> tuple[float, float]:
    k = ScaleKernel.of(method.scale(scale_id))
    if method.continuous:
        return k.min_position, k.max_position
    return float(k.first_index), float(k.first_index + k.n_classes - 1)


def _int_columns(cols: list[list[Any]]) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Cause, cause level, effect and effect level columns of cascade rows."""
    a, b, c, d = (np.asarray(col, dtype=np.int64) for col in cols)
    return a, b, c, d


def _position(draw: Any, method: Method, lo: float, hi: float) -> float:
    if method.continuous:
        return float(draw(st.floats(lo, hi)))
    return float(draw(st.integers(int(lo), int(hi))))


@st.composite
def assessment_inputs(draw: Any, method: Method) -> AssessmentInput:
    """A random assessment for ``method``: 1-5 scenarios, 0-3 analysts per cell, ranges,
    consensus now and then, and random cascades where the method has them."""
    n_s = draw(st.integers(1, 5))
    n_l = max(len(method.intensity_levels), 1)
    k = len(method.criteria)
    malicious = np.array(draw(st.lists(st.booleans(), min_size=n_s, max_size=n_s)), dtype=bool)
    spans = [_span(method, c.scale) for c in method.criteria]
    lik_spans = {f: _span(method, method.likelihood.scale_for(f).scale) for f in (True, False)}
    est: list[list[float]] = [[] for _ in range(7)]
    cons: list[list[float]] = [[] for _ in range(7)]

    def add(cols: list[list[float]], *row: float) -> None:
        for col, v in zip(cols, row, strict=True):
            col.append(v)

    for s in range(n_s):
        for lv in range(n_l):
            for slot in range(k + 1):
                lo_hi = spans[slot] if slot < k else lik_spans[bool(malicious[s])]
                n_a = draw(st.integers(0, 3))
                for a in range(n_a):
                    x = _position(draw, method, *lo_hi)
                    y = x if draw(st.booleans()) else _position(draw, method, *lo_hi)
                    add(est, s, lv, slot, a, min(x, y), max(x, y), (x + y) / 2)
                if draw(st.integers(0, 9)) == 0:
                    x = _position(draw, method, *lo_hi)
                    add(cons, s, lv, slot, -1, x, x, x)
    casc: list[list[float]] = [[] for _ in range(5)]
    if method.cascades is not None and n_s > 1:
        cp = ScaleKernel.of(method.scale(method.cascades.scale))
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, n_s - 1), st.integers(0, n_s - 1)),
                max_size=4,
                unique=True,
            )
        )
        for cause, effect in pairs:
            if cause == effect:
                continue
            a, b = draw(st.integers(0, n_l - 1)), draw(st.integers(0, n_l - 1))
            p = float(cp.value(draw(st.floats(cp.min_position, cp.max_position))))
            for col, v in zip(casc, (cause, a, effect, b, p), strict=True):
                col.append(v)
    cascades = (
        CascadeRows(*_int_columns(casc[:4]), np.asarray(casc[4], dtype=float))
        if casc[0]
        else CascadeRows.empty()
    )
    return AssessmentInput(
        n_scenarios=n_s,
        n_levels=n_l,
        n_criteria=k,
        malicious=malicious,
        estimates=EstimateRows.from_lists(*est),  # type: ignore[arg-type]
        consensus=EstimateRows.from_lists(*cons),  # type: ignore[arg-type]
        cascades=cascades,
    )


@st.composite
def method_and_inputs(draw: Any) -> tuple[Method, AssessmentInput]:
    method = METHODS[draw(st.sampled_from(METHOD_IDS))]
    return method, draw(assessment_inputs(method))


def _raise_row(rows: EstimateRows, i: int, delta: float, top: float) -> EstimateRows:
    def bump(a: np.ndarray) -> np.ndarray:
        out = a.copy()
        out[i] = min(out[i] + delta, top)
        return out

    return EstimateRows(
        rows.scenario,
        rows.level,
        rows.slot,
        rows.analyst,
        bump(rows.low),
        bump(rows.high),
        bump(rows.central),
    )


def _not_below(new: np.ndarray, old: np.ndarray) -> bool:
    both = ~np.isnan(old)
    return bool(np.all(np.isnan(new) == np.isnan(old))) and bool(
        np.all(new[both] >= old[both] - 1e-12 * np.abs(old[both]))
    )


# -- properties ------------------------------------------------------------------------------------
@given(data=st.data(), mi=method_and_inputs())
def test_raising_a_criterion_estimate_never_lowers_total_impact(
    data: st.DataObject, mi: tuple[Method, AssessmentInput]
) -> None:
    method, inputs = mi
    k = inputs.n_criteria
    criterion_rows = np.flatnonzero(inputs.estimates.slot < k)
    if criterion_rows.size == 0:
        return
    i = int(data.draw(st.sampled_from(criterion_rows.tolist())))
    slot = int(inputs.estimates.slot[i])
    top = _span(method, method.criteria[slot].scale)[1]
    delta = data.draw(st.floats(0.0, 6.0)) if method.continuous else data.draw(st.integers(0, 5))
    raised = AssessmentInput(
        inputs.n_scenarios,
        inputs.n_levels,
        k,
        inputs.malicious,
        _raise_row(inputs.estimates, i, float(delta), top),
        inputs.consensus,
        inputs.cascades,
    )
    before, after = compute(inputs, method), compute(raised, method)
    assert _not_below(after.direct_impact, before.direct_impact)
    assert _not_below(after.total_impact, before.total_impact)
    assert _not_below(after.impact_position, before.impact_position)


@pytest.mark.parametrize("method_id", METHOD_IDS)
def test_weight_profiles_are_normalised(method_id: str) -> None:
    method = METHODS[method_id]
    ids: list[str | None] = [p.id for p in method.profiles] or [None]
    for pid in ids:
        model = ImpactModel.of(method, pid)
        if method.aggregation.kind == "monetised":
            assert np.all(model.weights == 1.0)  # euros are summed, not weighted
            continue
        assert float(model.weights.sum()) == pytest.approx(1.0, abs=1e-12)
        assert np.all(model.weights >= 0)
        profile = method.profile(pid)
        assert profile is not None
        raw = np.array([profile.weights.get(c.id, 0.0) for c in method.criteria])
        assert model.weights == pytest.approx(raw / raw.sum(), abs=1e-15)


def test_weighted_methods_have_profiles() -> None:
    for method in METHODS.values():
        if method.aggregation.kind != "monetised":
            assert method.profiles


def _permuted_equal(a: Results, b: Results, order: np.ndarray) -> None:
    """``b`` is ``a`` computed with scenarios renumbered: new i is old order[i]."""
    for name in (
        "direct_impact",
        "indirect_impact",
        "total_impact",
        "direct_probability",
        "indirect_probability",
        "total_probability",
        "level_risk",
        "risk",
        "impact_position",
        "likelihood_position",
        "interest_impact",
        "criterion_values",
    ):
        old, new = getattr(a, name), getattr(b, name)
        np.testing.assert_allclose(new, old[order], rtol=1e-12, atol=0, err_msg=name)
    assert b.rank.tolist() == a.rank[order].tolist()
    assert b.level.tolist() == a.level[order].tolist()
    np.testing.assert_array_equal(b.cells.analysts, a.cells.analysts[order])


@given(data=st.data(), mi=method_and_inputs())
def test_results_do_not_depend_on_scenario_order(
    data: st.DataObject, mi: tuple[Method, AssessmentInput]
) -> None:
    method, inputs = mi
    order = np.array(data.draw(st.permutations(range(inputs.n_scenarios))), dtype=np.int64)
    _permuted_equal(compute(inputs, method), compute(inputs.take(order), method), order)


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Any:
    return read_assessment(str(request.param))


@given(data=st.data())
def test_examples_do_not_depend_on_scenario_order(example: Any, data: st.DataObject) -> None:
    inputs = example.inputs
    order = np.array(data.draw(st.permutations(range(inputs.n_scenarios))), dtype=np.int64)
    for profile in [p.id for p in example.method.profiles] or [None]:
        a = compute(inputs, example.method, profile)
        _permuted_equal(a, compute(inputs.take(order), example.method, profile), order)


@given(mi=method_and_inputs())
def test_interests_add_up_to_the_direct_impact(mi: tuple[Method, AssessmentInput]) -> None:
    method, inputs = mi
    res = compute(inputs, method)
    ok = ~np.isnan(res.direct_impact)
    summed = res.interest_impact.sum(axis=2)
    np.testing.assert_allclose(summed[ok], res.direct_impact[ok], rtol=1e-9, atol=1e-12)


@given(mi=method_and_inputs())
def test_probabilities_stay_probabilities(mi: tuple[Method, AssessmentInput]) -> None:
    method, inputs = mi
    res = compute(inputs, method)
    for p in (res.direct_probability, res.total_probability):
        ok = ~np.isnan(p)
        assert np.all((p[ok] >= 0) & (p[ok] <= 1))


# -- ranking (the rule itself: tests/engine/test_ranking.py) ---------------------------------------
def test_equal_scenarios_share_a_rank_through_compute() -> None:
    twin = """\
  - id: attack-2
    title: Attack again
    theme: terrorism
    domain: both
    malicious: true
    owner: bz
    estimates:
      - analyst: a1
        likelihood: D
        impact:
          "2.1": B
          "5.3": D
cascades:
"""
    text = replace_once(NL_BASE, "cascades:\n", twin)
    res = compute(parse(text).inputs, parse(text).method)
    # scenarios: flood, attack, attack-2; the two attacks are equal and outrank the flood
    assert res.risk[1] == res.risk[2]
    assert res.rank.tolist() == [3, 1, 1]


# -- likelihood ------------------------------------------------------------------------------------
@given(p=st.floats(0.0, 0.999), months=st.sampled_from([12.0, 24.0, 36.0, 60.0]))
def test_poisson_rate_round_trip(p: float, months: float) -> None:
    rate = rate_from_probability(np.array(p), months)
    assert float(probability_from_rate(rate, months)) == pytest.approx(p, abs=1e-12)


@given(p=st.floats(0.0, 0.999))
def test_probability_over_60_months_of_a_2_year_probability(p: float) -> None:
    rate = rate_from_probability(np.array(p), 24.0)
    assert float(probability_from_rate(rate, 60.0)) == pytest.approx(1 - (1 - p) ** 2.5, abs=1e-12)


def _uk_text(malicious: bool, likelihood: str) -> str:
    return f"""\
title: UK
method: uk-nsra-2023
date: 2026-01-15
classification: OFFICIAL
organisations: [{{id: co, name: Cabinet Office}}]
analysts: [{{id: a, organisation: co}}]
scenarios:
  - id: s
    title: S
    theme: t
    domain: internal
    malicious: {str(malicious).lower()}
    owner: co
    estimates:
      - analyst: a
        likelihood: {likelihood}
        impact: {{human-welfare: "3", economic: "4"}}
"""


def test_uk_malicious_two_year_probability_on_the_five_year_basis() -> None:
    loaded = parse(_uk_text(True, '"3"'))
    res = compute(loaded.inputs, loaded.method)
    p2 = math.sqrt(0.01 * 0.05)  # centre of class 3 (1-5%), log interpolation
    assert float(res.direct_probability[0, 0]) == pytest.approx(1 - (1 - p2) ** 2.5, rel=1e-12)


def test_uk_non_malicious_five_year_probability_is_unchanged() -> None:
    loaded = parse(_uk_text(False, '"3"'))
    res = compute(loaded.inputs, loaded.method)
    assert float(res.direct_probability[0, 0]) == pytest.approx(math.sqrt(0.01 * 0.05), rel=1e-12)


def test_uk_weighted_average_over_the_assessed_dimensions() -> None:
    loaded = parse(_uk_text(False, '"3"'))
    res = compute(loaded.inputs, loaded.method)
    # two of seven dimensions assessed, equal weights: (3 + 4) / 2
    assert float(res.direct_impact[0, 0]) == pytest.approx(3.5, rel=1e-12)


def test_probability_over_a_return_period() -> None:
    bnra = METHODS["be-bnra-2023"]
    spec = bnra.likelihood.scale_for(False)
    kernel = ScaleKernel.of(bnra.scale(spec.scale))
    # DP 3: return period 36 * 10**1.5 months; probability over 12 months 1 - exp(-12 / R)
    got = probability_over(np.array([3.0]), kernel, spec, 12.0)
    assert float(got[0]) == pytest.approx(1 - math.exp(-12 / (36 * 10**1.5)), rel=1e-12)


def test_likelihood_model_picks_the_scale_by_the_malicious_flag() -> None:
    model = LikelihoodModel.of(METHODS["be-bnra-2023"])
    p = model.probability(np.array([[1.0], [1.0]]), np.array([True, False]))
    # M 1.0 = 25.5% in 3 years -> one year; DP 1.0 = return period 36 * 10**3.5 months
    assert float(p[0, 0]) == pytest.approx(1 - (1 - 0.255) ** (12 / 36), rel=1e-12)
    assert float(p[1, 0]) == pytest.approx(1 - math.exp(-12 / (36 * 10**3.5)), rel=1e-12)


def test_bnra_return_period_given_in_years() -> None:
    text = replace_once(
        BNRA_BASE,
        'level: considerable\n        likelihood: "3"',
        "level: considerable\n        likelihood: {value: 100}",
    )
    loaded = parse(text)
    res = compute(loaded.inputs, loaded.method)
    # a return period of 100 years (1200 months): yearly probability 1 - exp(-12 / 1200)
    assert float(res.direct_probability[0, 0]) == pytest.approx(1 - math.exp(-0.01), rel=1e-12)
    assert float(res.likelihood_position[0, 0]) == pytest.approx(
        4.5 - math.log10(1200 / 36), abs=1e-12
    )


# -- first-order cascades --------------------------------------------------------------------------
def test_nl_cascade_is_computed_but_not_counted_in_risk() -> None:
    loaded = parse(NL_BASE)
    res = compute(loaded.inputs, loaded.method)
    # flood likelihood: C (3) and B..C (2.5) -> median 2.75, in class C [0.5%, 5%], log-linear
    p_flood = 0.005 * (0.05 / 0.005) ** 0.25
    assert float(res.direct_probability[0, 0]) == pytest.approx(p_flood, rel=1e-12)
    # conditional probability B on the NL cp scale: centre of 1-10% (linear) = 5.5%
    assert float(res.indirect_probability[1, 0]) == pytest.approx(p_flood * 0.055, rel=1e-12)
    # nl-snv does not count cascades in risk
    assert res.total_probability[1, 0] == res.direct_probability[1, 0]
    assert res.total_impact[0, 0] == res.direct_impact[0, 0]


def test_nl_impact_and_risk_by_hand() -> None:
    loaded = parse(NL_BASE)
    res = compute(loaded.inputs, loaded.method)
    # flood: 2.1 = median(B, C) = 2.5 -> score between 3 and 9 = 6; 3.1 = 2e9 EUR -> class C = 9
    # equal weights over 12 criteria
    assert float(res.direct_impact[0, 0]) == pytest.approx((6 + 9) / 12, rel=1e-12)
    # attack: 2.1 B = 3, 5.3 D = 27; likelihood D (centre of 5-50%, log) over 5 years
    assert float(res.direct_impact[1, 0]) == pytest.approx((3 + 27) / 12, rel=1e-12)
    p_attack = math.sqrt(0.05 * 0.5)
    assert float(res.risk[1]) == pytest.approx(p_attack * 30 / 12, rel=1e-12)


# -- BNRA: risk of a risk is the mean over its levels ----------------------------------------------
def eur(s: float) -> float:
    return 1.6e6 * 10**s


def test_bnra_cascades_and_risk_by_hand() -> None:
    loaded = parse(BNRA_BASE)
    res = compute(loaded.inputs, loaded.method)
    # levels: considerable, major, extreme; scenarios: flood (0), sabotage (1)
    p_flood = 1 - math.exp(-12 / (36 * 10**1.5))  # DP 3 at every level, one year
    p_sabotage = 1 - (1 - 0.255) ** (12 / 36)  # M 1 = 25.5% in three years
    i_flood = [eur(1), eur(2), eur(3) + eur(2)]  # Fa 1 / Fa 2 / Fa 3 + Ha 2
    i_sabotage = [eur(2)] * 3  # Fb 2
    cp2 = 0.01 + (0.10 - 0.01) * 0.5  # CP class 2 centre
    cp3 = 0.10 + (0.50 - 0.10) * 0.5  # CP class 3 centre

    np.testing.assert_allclose(res.direct_impact[0], i_flood, rtol=1e-12)
    np.testing.assert_allclose(res.direct_impact[1], i_sabotage, rtol=1e-12)
    np.testing.assert_allclose(res.direct_probability[0], [p_flood] * 3, rtol=1e-12)
    np.testing.assert_allclose(res.direct_probability[1], [p_sabotage] * 3, rtol=1e-12)

    # cascade flood -> sabotage: considerable -> considerable CP 2; extreme -> major CP 3
    ind_p = [p_flood * cp2, p_flood * cp3, 0.0]
    ind_i = [cp2 * i_sabotage[0], 0.0, cp3 * i_sabotage[1]]
    np.testing.assert_allclose(res.indirect_probability[1], ind_p, rtol=1e-12)
    np.testing.assert_allclose(res.indirect_impact[0], ind_i, rtol=1e-12)
    assert np.all(res.indirect_probability[0] == 0)
    assert np.all(res.indirect_impact[1] == 0)

    # the BNRA counts cascades in risk
    total_i_flood = [a + b for a, b in zip(i_flood, ind_i, strict=True)]
    total_p_sabotage = [p_sabotage + x for x in ind_p]
    np.testing.assert_allclose(res.total_impact[0], total_i_flood, rtol=1e-12)
    np.testing.assert_allclose(res.total_probability[1], total_p_sabotage, rtol=1e-12)

    risk_flood = sum(p_flood * i for i in total_i_flood) / 3
    risk_sabotage = sum(p * i for p, i in zip(total_p_sabotage, i_sabotage, strict=True)) / 3
    assert float(res.risk[0]) == pytest.approx(risk_flood, rel=1e-12)
    assert float(res.risk[1]) == pytest.approx(risk_sabotage, rel=1e-12)
    assert res.rank.tolist() == ([1, 2] if risk_flood > risk_sabotage else [2, 1])

    # interests: Fa and Fb are financial, Ha human
    interests = [i.id for i in loaded.method.interests]
    fin, hum = interests.index("financial"), interests.index("human")
    assert float(res.interest_impact[0, 2, fin]) == pytest.approx(eur(3), rel=1e-12)
    assert float(res.interest_impact[0, 2, hum]) == pytest.approx(eur(2), rel=1e-12)

    # the level shown is the one with the highest risk; impact position on 8e8 * 5**(s-1)
    level = int(np.argmax([p_flood * i for i in total_i_flood]))
    assert int(res.level[0]) == level
    expected_pos = 1 + math.log(total_i_flood[2] / 8e8, 5)
    assert float(res.impact_position[0, 2]) == pytest.approx(expected_pos, abs=1e-12)


def test_bnra_unassessed_level_is_left_out_of_the_mean() -> None:
    text = replace_once(
        BNRA_BASE,
        '      - analyst: a1\n        level: extreme\n        likelihood: "1"\n'
        '        impact: {Fb: "2"}\n',
        "",
    )
    loaded = parse(text)
    res = compute(loaded.inputs, loaded.method)
    assert math.isnan(float(res.level_risk[1, 2]))
    assert float(res.risk[1]) == pytest.approx(np.nanmean(res.level_risk[1]), rel=1e-12)


def test_impact_position_of_a_weighted_total_reads_on_the_class_scores() -> None:
    nl = METHODS["nl-snv"]
    model = ImpactModel.of(nl)
    # scores X=0, A=1, B=3, C=9, D=27, E=81: a total of 9 reads as C (3), 6 halfway B..C
    got = model.total_position(np.array([0.0, 1.0, 9.0, 6.0, 81.0]))
    np.testing.assert_allclose(got, [0.0, 1.0, 3.0, 2.5, 5.0])


# -- nothing estimated -----------------------------------------------------------------------------
QUIET = """\
  - id: quiet
    title: Nobody looked
    theme: t
    domain: external
    malicious: false
    owner: jenv
cascades:
"""


def test_a_scenario_nobody_estimated_is_not_ranked() -> None:
    loaded = parse(replace_once(NL_BASE, "cascades:\n", QUIET))
    res = compute(loaded.inputs, loaded.method)
    assert math.isnan(float(res.risk[2]))
    assert int(res.rank[2]) == 0
    assert res.rank[:2].tolist() == [2, 1]
    assert math.isnan(float(res.direct_impact[2, 0]))
    assert math.isnan(float(res.direct_probability[2, 0]))


def test_a_scenario_nobody_estimated_has_no_impact_per_interest() -> None:
    """Impact per interest must be "not computed" (NaN, JSON null) like the total, not 0
    (BUG, minor: ``compute`` masks ``direct_impact`` where nothing was assessed but not
    ``interest_impact``, so the JSON and CSV show 0 on every interest next to a null total)."""
    loaded = parse(replace_once(NL_BASE, "cascades:\n", QUIET))
    res = compute(loaded.inputs, loaded.method)
    assert np.all(np.isnan(res.interest_impact[2, 0])), res.interest_impact[2, 0]

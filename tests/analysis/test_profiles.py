"""Results under every weight profile of the method (nsra.analysis.profiles): risks worked out by
hand on a tiny assessment, ties, unranked scenarios, and agreement with the computation."""

from __future__ import annotations

import math

import numpy as np

from nsra.analysis.profiles import compare_profiles
from nsra.engine.compute import compute
from nsra.io.validate import read_assessment
from tests.helpers import ROOT, parse

NL = ROOT / "examples" / "nl-integrated.yaml"

# nl-snv's profiles: equal (12 criteria, weight 1 each), equal-interests (2.1 weighs 2 and 3.1
# weighs 6 of 36), physical-first (2.1: 3 and 3.1: 1 of 18), no-international (1 and 1 of 10).
# Class scores: B = 3, C = 9; probability at the centre of a class on the log scale.
PROFILES = """\
title: Profiles by hand
method: nl-snv
date: 2026-01-15
classification: TEST
organisations: [{id: o, name: O}]
analysts: [{id: a1, organisation: o}]
scenarios:
  - id: economic
    title: Economic damage
    theme: economy
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: C, impact: {"3.1": C}}
  - id: physical
    title: Fatalities
    theme: health
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: C, impact: {"2.1": C}}
  - id: disaster
    title: Disaster
    theme: nature
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: E, impact: {"2.1": B, "3.1": B}}
"""


def test_profile_risks_and_ranks_by_hand() -> None:
    loaded = parse(PROFILES)
    results = compute(loaded.inputs, loaded.method)
    cmp = compare_profiles(loaded.inputs, loaded.method, results.cells)
    assert cmp.profiles == ["equal", "equal-interests", "physical-first", "no-international"]
    impact = np.array(
        [
            # economic, physical, disaster
            [9 / 12, 9 / 12, (3 + 3) / 12],
            [9 * 6 / 36, 9 * 2 / 36, (3 * 2 + 3 * 6) / 36],
            [9 * 1 / 18, 9 * 3 / 18, (3 * 3 + 3 * 1) / 18],
            [9 / 10, 9 / 10, (3 + 3) / 10],
        ]
    )
    p = np.array([math.sqrt(0.005 * 0.05)] * 2 + [math.sqrt(0.5 * 1.0)])
    np.testing.assert_allclose(cmp.total_impact, impact, rtol=1e-12)
    np.testing.assert_allclose(cmp.risk, impact * p, rtol=1e-12)
    # equal weights tie economic and physical; the interests' weights put economy first, the
    # physical-first profile fatalities; the disaster, likely but of the smallest impact, is
    # always first
    assert cmp.rank.tolist() == [[2, 2, 1], [2, 3, 1], [3, 2, 1], [2, 2, 1]]
    assert cmp.rank_range.tolist() == [1, 1, 0]
    assert cmp.changes == [0, 1]


def test_an_unranked_scenario_does_not_count_as_a_change() -> None:
    text = (
        PROFILES
        + """\
  - id: unknown
    title: Not assessed yet
    theme: other
    domain: internal
    malicious: false
    owner: o
    estimates: []
"""
    )
    loaded = parse(text)
    cmp = compare_profiles(
        loaded.inputs, loaded.method, compute(loaded.inputs, loaded.method).cells
    )
    assert np.all(np.isnan(cmp.risk[:, 3])) and np.all(cmp.rank[:, 3] == 0)
    assert cmp.rank_range.tolist() == [1, 1, 0, 0]
    assert cmp.changes == [0, 1]


def test_a_monetised_method_has_one_row() -> None:
    loaded = read_assessment(str(ROOT / "examples" / "be-bnra.yaml"))
    results = compute(loaded.inputs, loaded.method)
    cmp = compare_profiles(loaded.inputs, loaded.method, results.cells)
    assert cmp.profiles == [""]
    np.testing.assert_array_equal(cmp.risk[0], results.risk)
    np.testing.assert_array_equal(cmp.rank[0], results.rank)
    # the total impact at each scenario's level of the highest risk (not always the first level)
    assert len(set(results.level.tolist())) > 1
    np.testing.assert_array_equal(cmp.total_impact[0], results.total_impact[results.shown])
    assert cmp.changes == []


def test_profiles_show_which_scenarios_change_rank() -> None:
    loaded = read_assessment(str(NL))
    results = compute(loaded.inputs, loaded.method)
    cmp = compare_profiles(loaded.inputs, loaded.method, results.cells)
    assert cmp.profiles == [p.id for p in loaded.method.profiles]
    default = cmp.profiles.index(results.profile_id or "")
    assert np.array_equal(cmp.rank[default], results.rank)
    for p, pid in enumerate(cmp.profiles):
        expected = compute(loaded.inputs, loaded.method, pid).rank
        assert np.array_equal(cmp.rank[p], expected)
    moved = cmp.changes
    assert moved == [i for i in range(cmp.rank.shape[1]) if len(set(cmp.rank[:, i])) > 1]

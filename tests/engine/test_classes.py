"""Class indices of results and the serious-risk rule (nsra.engine.classes)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.engine.classes import NO_CLASS, class_indices, serious
from nsra.engine.compute import compute
from nsra.engine.scales import ScaleKernel
from nsra.io.methods import load_method
from nsra.io.validate import read_assessment
from tests.helpers import EXAMPLES, parse


def _kernel(method_id: str, scale_id: str) -> ScaleKernel:
    return ScaleKernel.of(load_method(method_id).scale(scale_id))


def test_class_of_a_position_is_floor_of_position_plus_a_half_clamped() -> None:
    k = _kernel("nl-snv", "impact")  # X=0, A..E = 1..5
    pos = np.array([0.0, 0.49, 0.5, 1.49, 2.5, 4.99, 5.5, 7.0, np.nan])
    assert class_indices(k, pos).tolist() == [0, 0, 1, 1, 3, 5, 5, 5, NO_CLASS]


def test_missing_positions_have_no_class_in_any_shape() -> None:
    k = _kernel("be-bnra-2023", "ti")
    pos = np.array([[np.nan, 1.2], [3.0, np.nan]])
    out = class_indices(k, pos)
    assert out.shape == (2, 2)
    assert out.tolist() == [[NO_CLASS, 1], [3, NO_CLASS]]


def test_serious_by_impact_class_alone() -> None:
    lik = np.array([1, 5, NO_CLASS, 3])
    imp = np.array([3, 2, 4, NO_CLASS])
    assert serious(lik, imp, 3, None).tolist() == [True, False, True, False]


def test_serious_by_the_sum_of_classes_the_red_zone() -> None:
    lik = np.array([4, 3, NO_CLASS, 5, 1])
    imp = np.array([3, 3, 3, NO_CLASS, 4])
    # impact from 5, or likelihood + impact from 7
    assert serious(lik, imp, 5, 7).tolist() == [True, False, False, False, False]


@given(
    st.lists(st.tuples(st.integers(-1, 6), st.integers(-1, 6)), min_size=1, max_size=30),
    st.integers(0, 6),
    st.one_of(st.none(), st.integers(0, 12)),
)
def test_serious_is_the_published_rule_for_every_pair(
    pairs: list[tuple[int, int]], serious_from: int, sum_from: int | None
) -> None:
    lik = np.array([p[0] for p in pairs])
    imp = np.array([p[1] for p in pairs])
    got = serious(lik, imp, serious_from, sum_from).tolist()
    for (x, y), flag in zip(pairs, got, strict=True):
        expected = y != NO_CLASS and (
            y >= serious_from or (sum_from is not None and x != NO_CLASS and x + y >= sum_from)
        )
        assert flag == expected


def test_results_carry_classes_of_central_lowest_and_highest_estimate() -> None:
    loaded = parse(
        """
title: classes
method: nl-snv
date: 2025-01-01
classification: test
organisations: [{id: o, name: O}]
analysts: [{id: a1, organisation: o}, {id: a2, organisation: o}, {id: a3, organisation: o}]
scenarios:
  - id: s
    title: S
    theme: t
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: B, impact: {"2.1": A}}
      - {analyst: a2, likelihood: C, impact: {"2.1": C}}
      - {analyst: a3, likelihood: E, impact: {"2.1": D..E}}
"""
    )
    r = compute(loaded.inputs, loaded.method)
    j = [c.id for c in loaded.method.criteria].index("2.1")
    c = r.classes
    # likelihood B, C, E: median C, lowest B, highest E (classes 2, 3, 5)
    assert (c.likelihood[0, 0], c.likelihood_low[0, 0], c.likelihood_high[0, 0]) == (3, 2, 5)
    # 2.1: A, C, D..E (central 1, 3, 4.5): median C, lowest A, highest E
    assert (c.criterion[0, 0, j], c.criterion_low[0, 0, j], c.criterion_high[0, 0, j]) == (3, 1, 5)
    # criteria nobody scored have no class
    other = [i for i in range(len(loaded.method.criteria)) if i != j]
    assert np.all(c.criterion[0, 0, other] == NO_CLASS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_serious_flags_follow_the_classes_at_the_level_shown(path: object) -> None:
    loaded = read_assessment(str(path))
    r = compute(loaded.inputs, loaded.method)
    d = loaded.method.diagram
    s = np.arange(r.level.shape[0])
    lik, imp = r.classes.likelihood[s, r.level], r.classes.impact[s, r.level]
    assert r.serious.tolist() == serious(lik, imp, d.serious_from, d.serious_sum_from).tolist()
    # and the impact class is the class of the aggregated impact position
    kernel = ScaleKernel.of(loaded.method.scale(loaded.method.aggregation.total_scale))
    assert np.array_equal(r.classes.impact, class_indices(kernel, r.impact_position))

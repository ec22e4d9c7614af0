"""Analyst aggregation (nsra.engine.aggregate): consensus wins, else the median, spread kept."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.engine.aggregate import aggregate, cell_index, group_median
from nsra.engine.compute import compute
from nsra.engine.inputs import AssessmentInput, CascadeRows, EstimateRows
from nsra.io.results import results_document
from tests.helpers import parse

Row = tuple[int, int, int, int, float, float, float]  # scenario, level, slot, analyst, lo, hi, c


def rows(items: list[Row]) -> EstimateRows:
    cols: list[list[Any]] = [list(c) for c in zip(*items, strict=True)] if items else [[]] * 7
    return EstimateRows.from_lists(*cols)


def inputs(
    estimates: list[Row], consensus: list[Row] | None = None, s: int = 1, lv: int = 1, k: int = 2
) -> AssessmentInput:
    return AssessmentInput(
        n_scenarios=s,
        n_levels=lv,
        n_criteria=k,
        malicious=np.zeros(s, dtype=bool),
        estimates=rows(estimates),
        consensus=rows(consensus or []),
        cascades=CascadeRows.empty(),
    )


def cls(s: int, lv: int, slot: int, a: int, k: float) -> Row:
    return (s, lv, slot, a, k, k, k)


def rng(s: int, lv: int, slot: int, a: int, lo: float, hi: float) -> Row:
    return (s, lv, slot, a, lo, hi, (lo + hi) / 2)


# -- group_median ----------------------------------------------------------------------------------
def test_group_median_by_hand() -> None:
    cell = np.array([2, 0, 2, 2, 0])
    values = np.array([5.0, 1.0, 3.0, 4.0, 2.0])
    median, counts = group_median(cell, values, 4)
    assert counts.tolist() == [2, 0, 3, 0]
    assert median[0] == 1.5  # even: midpoint of 1 and 2
    assert median[2] == 4.0  # odd: middle of 3, 4, 5
    assert math.isnan(median[1])
    assert math.isnan(median[3])


def test_group_median_of_nothing() -> None:
    median, counts = group_median(np.zeros(0, dtype=np.int64), np.zeros(0), 3)
    assert counts.tolist() == [0, 0, 0]
    assert np.all(np.isnan(median))


def test_group_median_single_value() -> None:
    median, counts = group_median(np.array([1]), np.array([2.5]), 2)
    assert counts.tolist() == [0, 1]
    assert median[1] == 2.5


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.floats(-10, 10, allow_nan=False)),
        min_size=0,
        max_size=40,
    )
)
def test_group_median_agrees_with_numpy(pairs: list[tuple[int, float]]) -> None:
    cell = np.array([c for c, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=float)
    median, counts = group_median(cell, values, 6)
    for c in range(6):
        mine = values[cell == c]
        assert counts[c] == mine.size
        if mine.size:
            assert median[c] == pytest.approx(float(np.median(mine)), abs=1e-12)
        else:
            assert math.isnan(median[c])


def test_cell_index_is_scenario_level_slot() -> None:
    r = rows([cls(1, 2, 3, 0, 1.0), cls(0, 0, 0, 0, 1.0)])
    assert cell_index(r, n_levels=3, n_slots=4).tolist() == [(1 * 3 + 2) * 4 + 3, 0]


# -- aggregate -------------------------------------------------------------------------------------
def test_median_of_an_odd_number_of_analysts() -> None:
    cells = aggregate(inputs([cls(0, 0, 0, 0, 1), cls(0, 0, 0, 1, 3), cls(0, 0, 0, 2, 2)]))
    assert cells.central[0, 0, 0] == 2.0
    assert cells.median[0, 0, 0] == 2.0
    assert cells.analysts[0, 0, 0] == 3
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (1.0, 3.0)
    assert not cells.consensus[0, 0, 0]


def test_median_of_an_even_number_of_analysts_is_the_midpoint() -> None:
    cells = aggregate(
        inputs([cls(0, 0, 0, 0, 1), cls(0, 0, 0, 1, 5), cls(0, 0, 0, 2, 2), cls(0, 0, 0, 3, 4)])
    )
    assert cells.central[0, 0, 0] == 3.0  # (2 + 4) / 2
    assert cells.analysts[0, 0, 0] == 4


def test_two_analysts_b_and_c_give_two_and_a_half() -> None:
    cells = aggregate(inputs([cls(0, 0, 1, 0, 2), cls(0, 0, 1, 1, 3)]))
    assert cells.central[0, 0, 1] == 2.5


def test_a_range_counts_with_its_middle_and_both_ends() -> None:
    # analyst 0: range 2..4 (middle 3); analyst 1: class 1
    cells = aggregate(inputs([rng(0, 0, 0, 0, 2, 4), cls(0, 0, 0, 1, 1)]))
    assert cells.central[0, 0, 0] == 2.0  # median of 3 and 1
    assert cells.low[0, 0, 0] == 1.0
    assert cells.high[0, 0, 0] == 4.0  # the top of the range, not its middle
    assert cells.analysts[0, 0, 0] == 2


def test_consensus_wins_and_the_analysts_stay_visible() -> None:
    cells = aggregate(
        inputs([cls(0, 0, 0, 0, 2), cls(0, 0, 0, 1, 3)], consensus=[cls(0, 0, 0, -1, 2.2)])
    )
    assert cells.central[0, 0, 0] == 2.2
    assert cells.median[0, 0, 0] == 2.5
    assert cells.consensus[0, 0, 0]
    assert cells.analysts[0, 0, 0] == 2  # the consensus is not an analyst
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (2.0, 3.0)


def test_a_consensus_outside_every_estimate_widens_the_spread() -> None:
    cells = aggregate(
        inputs([cls(0, 0, 0, 0, 2), cls(0, 0, 0, 1, 3)], consensus=[cls(0, 0, 0, -1, 5)])
    )
    assert cells.central[0, 0, 0] == 5.0
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (2.0, 5.0)


def test_a_consensus_without_analysts() -> None:
    cells = aggregate(inputs([], consensus=[rng(0, 0, 2, -1, 1, 2)]))
    assert cells.central[0, 0, 2] == 1.5
    assert math.isnan(cells.median[0, 0, 2])
    assert cells.analysts[0, 0, 2] == 0
    assert (cells.low[0, 0, 2], cells.high[0, 0, 2]) == (1.0, 2.0)


def test_cells_nobody_estimated_are_nan() -> None:
    cells = aggregate(inputs([cls(0, 0, 0, 0, 2)], s=2, lv=2))
    assert cells.central.shape == (2, 2, 3)
    assert cells.analysts.sum() == 1
    empty = np.ones((2, 2, 3), dtype=bool)
    empty[0, 0, 0] = False
    for arr in (cells.central, cells.median, cells.low, cells.high):
        assert np.all(np.isnan(arr[empty]))


def test_cells_are_kept_apart() -> None:
    est = [
        cls(0, 0, 0, 0, 1),
        cls(0, 1, 0, 0, 2),
        cls(1, 0, 0, 0, 3),
        cls(1, 0, 1, 0, 4),
        cls(1, 0, 2, 0, 5),
    ]
    cells = aggregate(inputs(est, s=2, lv=2))
    assert cells.central[0, 0, 0] == 1
    assert cells.central[0, 1, 0] == 2
    assert cells.central[1, 0, 0] == 3
    assert cells.central[1, 0, 1] == 4
    assert cells.central[1, 0, 2] == 5


@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=30
    )
)
def test_central_lies_within_the_spread(items: list[tuple[int, int, int]]) -> None:
    est: list[Row] = [
        (0, 0, slot, a, float(min(x, y)), float(max(x, y)), (x + y) / 2)
        for a, (slot, x, y) in enumerate(items)
    ]
    cells = aggregate(inputs(est, k=2))
    ok = cells.analysts > 0
    assert np.all(cells.low[ok] <= cells.central[ok])
    assert np.all(cells.central[ok] <= cells.high[ok])
    assert cells.analysts.sum() == len(items)


# -- through an assessment file --------------------------------------------------------------------
AGG_TEXT = """\
title: Aggregation
method: nl-snv
date: 2026-01-15
classification: none
organisations: [{id: o, name: O}]
analysts:
  - {id: a1, organisation: o}
  - {id: a2, organisation: o}
  - {id: a3, organisation: o}
  - {id: a4, organisation: o}
scenarios:
  - id: odd-even
    title: Three analysts on 2.1, four on likelihood
    theme: t
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: B, impact: {"2.1": A}}
      - {analyst: a2, likelihood: C, impact: {"2.1": C..D}}
      - {analyst: a3, likelihood: D, impact: {"2.1": B}}
      - {analyst: a4, likelihood: E}
  - id: agreed
    title: Consensus
    theme: t
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, likelihood: B, impact: {"2.1": B}}
      - {analyst: a2, likelihood: C, impact: {"2.1": C}}
    consensus:
      - likelihood: A
        impact: {"2.1": E}
        rationale: agreed in the workshop
"""


def test_aggregation_through_a_file() -> None:
    loaded = parse(AGG_TEXT)
    res = compute(loaded.inputs, loaded.method)
    doc = results_document(loaded, res)
    by_id = {sc["id"]: sc for sc in doc["scenarios"]}

    odd = by_id["odd-even"]
    c21 = odd["spread"]["impact"]["2.1"]
    # centrals A=1, C..D=3.5, B=2: median 2 (B); spread A..D; three analysts
    assert odd["impact"]["criteria"]["2.1"]["class"] == "B"
    assert odd["impact"]["criteria"]["2.1"]["position"] == 2.0
    assert (c21["min"], c21["max"], c21["analysts"], c21["consensus"]) == ("A", "D", 3, False)
    assert (c21["min_position"], c21["max_position"]) == (1.0, 4.0)
    lik = odd["spread"]["likelihood"]
    # B, C, D, E: even count, midpoint 3.5, shown as class D (halves round up)
    assert odd["likelihood"]["position"] == 3.5
    assert odd["likelihood"]["class"] == "D"
    assert (lik["min"], lik["max"], lik["analysts"]) == ("B", "E", 4)

    agreed = by_id["agreed"]
    c21 = agreed["spread"]["impact"]["2.1"]
    assert agreed["impact"]["criteria"]["2.1"]["class"] == "E"
    assert agreed["impact"]["criteria"]["2.1"]["value"] == 81.0  # score of E
    assert c21["median_position"] == 2.5
    assert (c21["min"], c21["max"], c21["analysts"], c21["consensus"]) == ("B", "E", 2, True)
    assert agreed["likelihood"]["class"] == "A"
    assert agreed["spread"]["likelihood"]["min"] == "A"
    assert agreed["spread"]["likelihood"]["max"] == "C"
    assert agreed["spread"]["likelihood"]["consensus"] is True


# -- asymmetric examples: a mean of the analysts would differ from their median ------------------
def exact_rows(items: list[Row], exact: list[bool]) -> EstimateRows:
    """Rows with the ``exact`` flags of values and scale positions (no half class around)."""
    plain = rows(items)
    return EstimateRows(
        plain.scenario,
        plain.level,
        plain.slot,
        plain.analyst,
        plain.low,
        plain.high,
        plain.central,
        np.asarray(exact, dtype=bool),
    )


def test_classes_a_a_e_give_a_not_their_mean() -> None:
    # A, A, E = 1, 1, 5: median 1 (A); a mean, 7/3 = 2.33, would read as B
    cells = aggregate(inputs([cls(0, 0, 0, 0, 1), cls(0, 0, 0, 1, 1), cls(0, 0, 0, 2, 5)]))
    assert cells.central[0, 0, 0] == 1.0
    assert cells.median[0, 0, 0] == 1.0
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (1.0, 5.0)
    assert (cells.edge_low[0, 0, 0], cells.edge_high[0, 0, 0]) == (0.5, 5.5)
    assert cells.analysts[0, 0, 0] == 3
    assert not cells.consensus[0, 0, 0]


def test_classes_b_e_e_give_e() -> None:
    # B, E, E = 2, 5, 5: median 5 (E); a mean, 4, would read as D
    cells = aggregate(inputs([cls(0, 0, 1, 0, 5), cls(0, 0, 1, 1, 2), cls(0, 0, 1, 2, 5)]))
    assert cells.central[0, 0, 1] == 5.0
    assert (cells.low[0, 0, 1], cells.high[0, 0, 1]) == (2.0, 5.0)
    assert cells.analysts[0, 0, 1] == 3


def test_an_even_number_of_asymmetric_classes_gives_the_midpoint_of_the_middle_two() -> None:
    # A, B, C, E = 1, 2, 3, 5: midpoint of 2 and 3 = 2.5 (a mean: 2.75)
    cells = aggregate(
        inputs([cls(0, 0, 0, a, k) for a, k in enumerate([5, 1, 3, 2])], k=1),
    )
    assert cells.central[0, 0, 0] == 2.5
    assert cells.analysts[0, 0, 0] == 4
    # A, A, A, E = 1, 1, 1, 5: midpoint of 1 and 1 = 1 (a mean: 2)
    cells = aggregate(inputs([cls(0, 0, 0, a, k) for a, k in enumerate([1, 5, 1, 1])], k=1))
    assert cells.central[0, 0, 0] == 1.0
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (1.0, 5.0)
    assert cells.analysts[0, 0, 0] == 4


def test_asymmetric_ranges_count_with_their_middles_and_their_ends() -> None:
    # A, A..B, D..E: middles 1, 1.5, 4.5: median 1.5 (a mean: 7/3); spread from A to E
    cells = aggregate(
        inputs([cls(0, 0, 2, 0, 1), rng(0, 0, 2, 1, 1, 2), rng(0, 0, 2, 2, 4, 5)], k=2)
    )
    assert cells.central[0, 0, 2] == 1.5
    assert cells.median[0, 0, 2] == 1.5
    assert (cells.low[0, 0, 2], cells.high[0, 0, 2]) == (1.0, 5.0)
    assert (cells.edge_low[0, 0, 2], cells.edge_high[0, 0, 2]) == (0.5, 5.5)
    assert cells.analysts[0, 0, 2] == 3


def test_asymmetric_values_give_their_median_and_exact_ends() -> None:
    # positions 0.2, 0.3, 4.9 from values: median 0.3 (a mean: 1.8); the ends are the values
    # themselves (a value stands for itself, not for half a class around it)
    items = [cls(0, 0, 0, 0, 4.9), cls(0, 0, 0, 1, 0.2), cls(0, 0, 0, 2, 0.3)]
    est = exact_rows(items, [True, True, True])
    cells = aggregate(
        AssessmentInput(1, 1, 2, np.zeros(1, dtype=bool), est, rows([]), CascadeRows.empty())
    )
    assert cells.central[0, 0, 0] == 0.3
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (0.2, 4.9)
    assert (cells.edge_low[0, 0, 0], cells.edge_high[0, 0, 0]) == (0.2, 4.9)
    assert cells.analysts[0, 0, 0] == 3


def test_a_value_and_two_classes() -> None:
    # class A (1), class A (1), a value at 4.2: median 1; ends: A's lower edge, the value
    est = exact_rows(
        [cls(0, 0, 0, 0, 1), cls(0, 0, 0, 1, 4.2), cls(0, 0, 0, 2, 1)], [False, True, False]
    )
    cells = aggregate(
        AssessmentInput(1, 1, 1, np.zeros(1, dtype=bool), est, rows([]), CascadeRows.empty())
    )
    assert cells.central[0, 0, 0] == 1.0
    assert (cells.edge_low[0, 0, 0], cells.edge_high[0, 0, 0]) == (0.5, 4.2)


def test_a_consensus_wins_over_asymmetric_analysts_whose_median_is_kept() -> None:
    # analysts A, A, E (median A = 1; a mean would be 7/3); consensus C = 3
    cells = aggregate(
        inputs(
            [cls(0, 0, 0, 0, 1), cls(0, 0, 0, 1, 5), cls(0, 0, 0, 2, 1)],
            consensus=[cls(0, 0, 0, -1, 3)],
        )
    )
    assert cells.central[0, 0, 0] == 3.0
    assert cells.median[0, 0, 0] == 1.0
    assert cells.consensus[0, 0, 0]
    assert cells.analysts[0, 0, 0] == 3
    assert (cells.low[0, 0, 0], cells.high[0, 0, 0]) == (1.0, 5.0)


def test_a_consensus_on_one_cell_leaves_the_median_of_the_others() -> None:
    # slot 0: analysts A, A, E with a consensus D; slot 1: analysts B, E, E without one
    est = [cls(0, 0, 0, a, k) for a, k in enumerate([1, 1, 5])]
    est += [cls(0, 0, 1, a, k) for a, k in enumerate([2, 5, 5])]
    cells = aggregate(inputs(est, consensus=[cls(0, 0, 0, -1, 4)]))
    assert cells.central[0, 0, 0] == 4.0
    assert cells.central[0, 0, 1] == 5.0
    assert cells.consensus[0, 0].tolist() == [True, False, False]
    assert cells.analysts[0, 0].tolist() == [3, 3, 0]


position = st.floats(0.0, 5.5, allow_nan=False)
an_estimate = st.one_of(
    st.integers(0, 5).map(lambda k: (float(k), float(k), float(k), False)),  # a class
    st.tuples(st.integers(0, 5), st.integers(0, 5)).map(  # a class range
        lambda ab: (float(min(ab)), float(max(ab)), (min(ab) + max(ab)) / 2, False)
    ),
    position.map(lambda v: (v, v, v, True)),  # a value or a scale position
)


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 2), an_estimate),
        max_size=30,
    )
)
def test_the_central_value_is_numpys_median_of_the_analysts(
    items: list[tuple[int, int, int, tuple[float, float, float, bool]]],
) -> None:
    """Any analysts (classes, ranges, values), no consensus: central = median = numpy's median
    of the central positions; the spread is the lowest and highest end; the count is right."""
    est = exact_rows(
        [(s, lv, slot, a, lo, hi, c) for a, (s, lv, slot, (lo, hi, c, _)) in enumerate(items)],
        [e[3][3] for e in items],
    )
    cells = aggregate(
        AssessmentInput(2, 2, 2, np.zeros(2, dtype=bool), est, rows([]), CascadeRows.empty())
    )
    assert not cells.consensus.any()
    for s in range(2):
        for lv in range(2):
            for slot in range(3):
                mine = [e for (s2, lv2, slot2, e) in items if (s2, lv2, slot2) == (s, lv, slot)]
                at = (s, lv, slot)
                assert cells.analysts[at] == len(mine)
                if not mine:
                    assert math.isnan(cells.central[at])
                    continue
                median = float(np.median([c for _, _, c, _ in mine]))
                assert cells.central[at] == median
                assert cells.median[at] == median
                assert cells.low[at] == min(lo for lo, _, _, _ in mine)
                assert cells.high[at] == max(hi for _, hi, _, _ in mine)


BNRA_POSITIONS = """\
title: Aggregation of scale positions
method: be-bnra-2023
date: 2026-01-15
classification: none
organisations: [{id: o, name: O}]
analysts:
  - {id: a1, organisation: o}
  - {id: a2, organisation: o}
  - {id: a3, organisation: o}
scenarios:
  - id: s
    title: S
    theme: t
    domain: internal
    malicious: false
    owner: o
    estimates:
      - {analyst: a1, level: major, likelihood: {scale: 1.2}, impact: {Fa: {scale: 4.9}}}
      - {analyst: a2, level: major, likelihood: "1..2", impact: {Fa: {scale: 0.2}}}
      - {analyst: a3, level: major, likelihood: "4", impact: {Fa: {scale: 0.3}}}
"""


def test_asymmetric_positions_through_a_file() -> None:
    loaded = parse(BNRA_POSITIONS)
    doc = results_document(loaded, compute(loaded.inputs, loaded.method))
    major = {lv["id"]: lv for lv in doc["scenarios"][0]["levels"]}["major"]
    fa = major["spread"]["impact"]["Fa"]
    # Fa at 4.9, 0.2, 0.3: median 0.3 (a mean: 1.8)
    assert major["impact"]["criteria"]["Fa"]["position"] == 0.3
    assert (fa["min_position"], fa["max_position"], fa["analysts"]) == (0.2, 4.9, 3)
    assert (fa["min"], fa["max"]) == ("0", "5")
    lik = major["spread"]["likelihood"]
    # likelihood at 1.2, 1..2 (middle 1.5), 4: median 1.5 (a mean: 2.23); spread 1 to 4
    assert major["likelihood"]["position"] == 1.5
    assert (lik["min_position"], lik["max_position"], lik["analysts"]) == (1.0, 4.0, 3)

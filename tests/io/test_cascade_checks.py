"""The cascades of an assessment file checked against its method (nsra.io.cascade_checks).

Each test breaks one cascade of a valid assessment (``NL_BASE``, ``BNRA_BASE``); the rows for the
engine are checked against the method's published class bounds (a class counts as the middle of
its probabilities on the methods of classes).
"""

from __future__ import annotations

from nsra.io.cascade_checks import cascade_rows
from nsra.io.estimates import targets
from nsra.io.methods import load_method
from nsra.io.problems import Path, Problem
from nsra.io.safeyaml import load
from tests.helpers import BNRA_BASE, NL_BASE, check_error, replace_once, single_error


# -- scenarios and pairs ---------------------------------------------------------------------------
def test_unknown_scenario_in_a_cascade() -> None:
    text = replace_once(NL_BASE, "effect: attack", "effect: atack")
    check_error(text, "unknown scenario 'atack'", "effect: atack")


def test_cascade_to_itself() -> None:
    text = replace_once(NL_BASE, "effect: attack", "effect: flood")
    check_error(text, "a scenario cannot be its own cause", "effect: flood", True)


def test_cascade_given_twice() -> None:
    text = NL_BASE + "  - cause: flood\n    effect: attack\n    probability: C\n"
    p = single_error(text)
    assert "the cascade flood -> attack is given twice" in p.message
    assert p.line == len(text.splitlines()) - 2


# -- probabilities per pair of intensity levels ----------------------------------------------------
def test_cascade_levels_needed_for_bnra() -> None:
    text = replace_once(
        BNRA_BASE,
        '    levels:\n      considerable: {considerable: "2"}\n      extreme: {major: "3"}\n',
        '    probability: "2"\n',
    )
    check_error(
        text, "method be-bnra-2023 scores cascades per pair of intensity levels", "cause: flood"
    )


# -- the rows for the engine (cascade_rows directly) -----------------------------------------------
def _rows(text: str) -> tuple[list[tuple[int, int, int, int, float]], list[tuple[Path, str]]]:
    """The cascade rows of an assessment text and the problems, as plain tuples (probabilities
    to 12 digits)."""
    data = load(text)
    method = load_method(data["method"])
    scenarios = {sc["id"]: i for i, sc in enumerate(data["scenarios"])}
    levels = {lv.id: i for i, lv in enumerate(method.intensity_levels)}
    problems: list[Problem] = []
    rows = cascade_rows(data, method, scenarios, levels, targets(method)[2], problems)
    table = list(
        zip(
            rows.cause.tolist(),
            rows.cause_level.tolist(),
            rows.effect.tolist(),
            rows.effect_level.tolist(),
            [round(p, 12) for p in rows.probability.tolist()],  # 0.055, not 0.05500000000000001
            strict=True,
        )
    )
    return table, [(p.path, p.message) for p in problems]


def test_a_class_counts_as_the_middle_of_its_probabilities() -> None:
    """nl-snv's class B of conditional probability runs from 0.01 to 0.1 (linear): 0.055."""
    rows, problems = _rows(NL_BASE)
    assert problems == []
    assert rows == [(0, 0, 1, 0, 0.055)]


def test_a_value_on_a_discrete_method_counts_as_its_class() -> None:
    """0.2 lies in class C (0.1 to 0.5) of nl-snv, a method of classes: it counts as 0.3."""
    rows, _ = _rows(replace_once(NL_BASE, "probability: B", "probability: {value: 0.2}"))
    assert rows == [(0, 0, 1, 0, 0.3)]


def test_a_range_counts_as_its_middle_position() -> None:
    """B..C spans positions 2 to 3; its middle, 2.5, is the bound between B and C: 0.1."""
    rows, _ = _rows(replace_once(NL_BASE, "probability: B", "probability: B..C"))
    assert rows == [(0, 0, 1, 0, 0.1)]


def test_one_row_per_pair_of_levels() -> None:
    """be-bnra-2023: considerable -> considerable class 2 (0.01 to 0.1: 0.055) and extreme ->
    major class 3 (0.1 to 0.5: 0.3); levels are numbered considerable 0, major 1, extreme 2."""
    rows, problems = _rows(BNRA_BASE)
    assert problems == []
    assert rows == [(0, 0, 1, 0, 0.055), (0, 2, 1, 1, 0.3)]


def test_a_value_on_a_continuous_method_keeps_its_probability() -> None:
    text = replace_once(BNRA_BASE, 'extreme: {major: "3"}', "extreme: {major: {value: 0.2}}")
    rows, _ = _rows(text)
    assert rows[1] == (0, 2, 1, 1, 0.2)


def test_a_probability_of_zero_gives_no_row() -> None:
    """be-bnra-2023's class 0 is a conditional probability of 0 at its middle."""
    rows, problems = _rows(
        replace_once(BNRA_BASE, 'extreme: {major: "3"}', 'extreme: {major: "0"}')
    )
    assert problems == []
    assert rows == [(0, 0, 1, 0, 0.055)]


def test_a_cascade_given_twice_adds_no_second_row() -> None:
    rows, problems = _rows(NL_BASE + "  - cause: flood\n    effect: attack\n    probability: E\n")
    assert rows == [(0, 0, 1, 0, 0.055)]
    assert [path for path, _ in problems] == [("cascades", 1)]


def test_cascades_on_a_method_without_them() -> None:
    """uk-nsra-2023 defines no cascades: the section is one problem, not one per entry."""
    text = replace_once(NL_BASE, "method: nl-snv", "method: uk-nsra-2023")
    rows, problems = _rows(text)
    assert rows == []
    assert problems == [
        (("cascades",), "method uk-nsra-2023 defines no cascades; remove the cascades section")
    ]


def test_levels_on_a_method_without_levels() -> None:
    text = replace_once(NL_BASE, "probability: B", "levels: {x: {y: B}}")
    rows, problems = _rows(text)
    assert rows == []
    assert problems == [
        (
            ("cascades", 0),
            "give the conditional probability as probability: class (A, B, C, D, E) or "
            "{value: 0.2}",
        )
    ]


def test_unknown_levels_of_a_cascade() -> None:
    text = replace_once(
        BNRA_BASE,
        'considerable: {considerable: "2"}\n      extreme: {major: "3"}',
        'huge: {considerable: "2"}\n      extreme: {tiny: "3", major: "4"}',
    )
    rows, problems = _rows(text)
    allowed = "allowed: considerable, major, extreme"
    assert problems == [
        (("cascades", 0, "levels", "huge"), f"unknown intensity level 'huge'; {allowed}"),
        (
            ("cascades", 0, "levels", "extreme", "tiny"),
            f"unknown intensity level 'tiny'; {allowed}",
        ),
    ]
    assert rows == [(0, 2, 1, 1, 0.7)]  # class 4: 0.5 to 0.9


def test_a_level_that_is_not_a_mapping() -> None:
    text = replace_once(BNRA_BASE, 'extreme: {major: "3"}', 'extreme: "3"')
    _, problems = _rows(text)
    assert problems == [
        (("cascades", 0, "levels", "extreme"), "expected effect level: class pairs")
    ]


def test_a_bad_probability_is_placed_inside_the_estimate() -> None:
    text = replace_once(BNRA_BASE, 'extreme: {major: "3"}', "extreme: {major: {class: '9'}}")
    _, problems = _rows(text)
    assert problems == [
        (
            ("cascades", 0, "levels", "extreme", "major", "class"),
            "the conditional probability has no class '9'; allowed: 0, 1, 2, 3, 4, 5",
        )
    ]

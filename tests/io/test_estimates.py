"""Reading one estimate (nsra.io.estimates): each form an analyst may write, its position, and
the plain message when it cannot be read, at the line of the estimate.

Each test starts from a valid assessment (``NL_BASE``, ``BNRA_BASE`` in helpers) and breaks one
estimate; ``line_of`` finds the expected line by a marker in the broken text.
"""

from __future__ import annotations

import math

import pytest

from nsra.io.estimates import estimate_problem, targets
from nsra.io.methods import load_method
from nsra.io.validate import parse_assessment
from tests.helpers import BNRA_BASE, NL_BASE, check_error, line_of, replace_once, single_error


# -- classes and values ----------------------------------------------------------------------------
def test_unknown_class() -> None:
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n')
    check_error(text, "criterion 2.1 has no class 'F'; allowed: X, A, B, C, D, E", '"2.1": F', True)


def test_unknown_class_in_a_range() -> None:
    text = replace_once(NL_BASE, "likelihood: B..C", "likelihood: B..Z")
    p = check_error(text, "has no class 'Z'; allowed: A, B, C, D, E", "B..Z")
    assert "likelihood" in p.message


def test_range_running_downwards() -> None:
    text = replace_once(NL_BASE, "likelihood: B..C", "likelihood: C..B")
    check_error(text, "the range C..B runs downwards; write B..C", "C..B", True)


def test_bare_float_is_ambiguous() -> None:
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": 3.5\n')
    p = check_error(text, "a bare number is ambiguous for criterion 2.1", '"2.1": 3.5')
    assert "{value: 3.5}" in p.message  # says how to write a value
    assert "X, A, B, C, D, E" in p.message


def test_bare_float_on_a_continuous_method_offers_a_scale_position() -> None:
    text = replace_once(BNRA_BASE, 'impact: {Fa: "2"}', "impact: {Fa: 2.5}")
    p = check_error(text, "a bare number is ambiguous for criterion Fa", "Fa: 2.5")
    assert "{scale: 2.5}" in p.message
    assert "{value: 2.5}" in p.message


def test_negative_value_is_out_of_range() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: -5}")
    check_error(text, "criterion 3.1 cannot be negative; found -5", "{value: -5}")


def test_scale_position_out_of_range() -> None:
    text = replace_once(BNRA_BASE, 'impact: {Fa: "2"}', "impact: {Fa: {scale: 7.5}}")
    check_error(text, "7.5 is outside the scale of criterion Fa (0.0..5.5)", "scale: 7.5")


def test_scale_position_on_a_discrete_method() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{scale: 2.5}")
    check_error(
        text, "this method scores classes, not positions on a continuous scale", "{scale: 2.5}"
    )


def test_value_on_a_qualitative_criterion() -> None:
    text = replace_once(NL_BASE, '"5.3": D', '"5.3": {value: 3}')
    check_error(
        text,
        "criterion 5.3 is qualitative: give a class (X, A, B, C, D, E), not a value",
        '"5.3": {value: 3}',
        True,
    )


def test_class_and_value_together() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: 2.0e9, class: C}")
    check_error(text, "give exactly one of class, value or scale (found class, value)", "class: C")


def test_probability_above_one() -> None:
    text = replace_once(NL_BASE, "probability: B", "probability: {value: 1.5}")
    check_error(
        text,
        "the conditional probability must be a probability between 0 and 1; found 1.5",
        "{value: 1.5}",
        True,
    )


def test_likelihood_probability_above_one() -> None:
    text = replace_once(NL_BASE, "likelihood: D", "likelihood: {value: 2}")
    check_error(text, "must be a probability between 0 and 1; found 2", "{value: 2}")


def test_negative_return_period() -> None:
    text = replace_once(
        BNRA_BASE,
        'level: considerable\n        likelihood: "3"',
        "level: considerable\n        likelihood: {value: -10}",
    )
    p = single_error(text)
    assert p.line == line_of(text, "{value: -10}")
    assert "-10" in p.message


# -- the written-out form --------------------------------------------------------------------------
def test_unknown_field_in_an_estimate_detail() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{valeu: 2.0e9}")
    check_error(
        text,
        "unknown field 'valeu'; allowed fields: class, value, scale, rationale",
        "valeu",
        True,
    )


def test_text_where_a_number_is_expected() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: lots}")
    check_error(text, "expected a finite number; found 'lots'", "{value: lots}", True)


def test_huge_whole_number_value_is_a_problem_not_a_crash() -> None:
    """``{value: 1000...0}`` (400 digits) is read as a Python int; ``float()`` of it raises
    OverflowError in ``Target._detail`` (BUG, see the report)."""
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: 1" + "0" * 400 + "}")
    p = single_error(text)
    assert "finite number" in p.message


# -- values beyond the ends of a scale -------------------------------------------------------------
def test_values_beyond_the_scale_count_as_its_end_with_a_warning() -> None:
    text = (
        "title: clamp\nmethod: be-bnra-2023\ndate: 2026-01-01\nclassification: T\n"
        "organisations: [{id: o, name: O}]\nanalysts: [{id: a, organisation: o}]\n"
        "scenarios:\n  - id: f\n    title: F\n    theme: t\n    domain: internal\n"
        "    malicious: false\n    owner: o\n    estimates:\n"
        "      - {analyst: a, level: major, likelihood: {value: 0.001},"
        " impact: {Ha: {value: 1e12}}}\n"
    )
    loaded = parse_assessment(text, "clamp.yaml")
    notes = [p.message for p in loaded.warnings if p.path[-1:] == ("value",)]
    assert any("return period of 0.001 years" in n for n in notes)
    assert any("1e+12" in n and "criterion Ha" in n for n in notes)
    rows = loaded.inputs.estimates
    assert float(rows.central[rows.slot == 0][0]) == 5.5


# -- the targets of a method and one estimate (nsra.io.estimates directly) -------------------------
def test_the_targets_of_a_method() -> None:
    crit, lik, casc = targets(load_method("nl-snv"))
    assert [t.name for t in crit][:3] == ["criterion 1.1", "criterion 1.2", "criterion 2.1"]
    assert crit[0].unit is None  # qualitative: no values
    assert crit[2].unit == "persons"
    assert lik[True].name == "likelihood (malicious)"
    assert lik[False].name == "likelihood (non-malicious)"
    assert lik[True].unit == "probability over 60 months"
    assert casc is not None and casc.name == "the conditional probability"
    assert casc.unit == "probability (0..1)"
    assert casc.allowed() == "A, B, C, D, E"
    _, bnra_lik, _ = targets(load_method("be-bnra-2023"))
    assert bnra_lik[False].unit == "years (return period)"
    assert bnra_lik[True].unit == "probability over 36 months"
    assert targets(load_method("uk-nsra-2023"))[2] is None  # no cascades in the UK method


def test_a_value_on_a_method_of_classes_is_its_class() -> None:
    """nl-snv's likelihood classes (A = 1): 0.01 over five years lies in C (0.005 to 0.05)."""
    _, lik, _ = targets(load_method("nl-snv"))
    assert lik[False].resolve({"value": 0.01}) == (3.0, 3.0, 3.0)
    assert lik[False].resolve("B..D") == (2.0, 4.0, 3.0)


def test_a_return_period_in_years_on_the_published_curve() -> None:
    """be-bnra-2023's non-malicious likelihood is a return period in months on
    q = 1138419.96 x 0.1^s: 100 years are 1200 months, s = log10(1138419.96 / 1200)."""
    _, lik, _ = targets(load_method("be-bnra-2023"))
    s = math.log10(1138419.9576606166 / 1200)
    assert lik[False].resolve({"value": 100}) == pytest.approx((s, s, s))
    assert lik[False].resolve({"scale": 2.5}) == (2.5, 2.5, 2.5)


def test_estimate_problem_says_what_and_where_inside_the_estimate() -> None:
    crit, lik, _ = targets(load_method("nl-snv"))
    assert estimate_problem(crit[2], "C") is None
    assert estimate_problem(crit[2], {"class": "C", "rationale": "why"}) is None
    p = estimate_problem(crit[2], {"class": "Z"})
    assert p is not None
    assert (p.path, p.message) == (
        ("class",),
        "criterion 2.1 has no class 'Z'; allowed: X, A, B, C, D, E",
    )
    p = estimate_problem(lik[True], {"value": 2})
    assert p is not None
    assert (p.path, p.message) == (
        ("value",),
        "likelihood (malicious) must be a probability between 0 and 1; found 2",
    )


def test_estimate_problem_leaves_no_notes_behind() -> None:
    """A value beyond the scale is good (it counts as the end) and its note is not kept for the
    next estimate of the same target."""
    crit, _, _ = targets(load_method("be-bnra-2023"))
    ha = crit[0]
    assert estimate_problem(ha, {"value": 1e12}) is None
    assert ha.notes == []
    ha.resolve({"value": 1e12})
    assert ha.notes == [
        "1e+12 lies beyond the top of the scale of criterion Ha; it counts as the top"
    ]

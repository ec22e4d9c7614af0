"""The strategy parts of an assessment file are checked with file, line and field, in plain words
(nsra.io.strategy_checks)."""

from __future__ import annotations

import pytest

from tests.analysis.strategy.cases import HEAD, scenario
from tests.helpers import check_error, parse

BASE = (
    HEAD
    + "scenarios:\n"
    + scenario("a")
    + scenario("b")
    + "strategies: [{id: nat, title: N, scope: national, owner: jv}]\n"
)


def measure(extra: str) -> str:
    return (
        BASE
        + "measures:\n  - id: m\n    title: M\n    owners: [jv, bz]\n    strategy: nat\n"
        + "    phase: prevent\n    scenarios: [a]\n"
        + extra
    )


def development(effect: str) -> str:
    return (
        BASE + "developments:\n  - id: d\n    title: D\n    kind: climate\n    effects:\n" + effect
    )


def test_a_valid_strategy_file() -> None:
    text = measure(
        "    lead: bz\n    status: planned\n    cost: 2500000\n"
        "    effects:\n"
        '      - {likelihood: {factor: 0.5, low: 0.3, high: 0.9}, impact: {"2.1": -1}}\n'
        "    side_effects: [{scenario: b, direction: raises}]\n"
    )
    a = parse(
        text + "developments:\n  - {id: d, title: D, kind: climate, horizon: 2050, "
        "effects: [{scenario: a, likelihood: 1, confidence: high}]}\n"
    ).assessment
    m = a.measures[0]
    assert (m.lead, m.status, m.cost) == ("bz", "planned", 2500000)
    assert a.developments[0].horizon == 2050


@pytest.mark.parametrize(
    ("extra", "message", "marker"),
    [
        (
            "    lead: def\n",
            "the lead 'def' must be one of the measure's owners (jv, bz)",
            "lead: def",
        ),
        ("    lead: xx\n", "unknown organisation 'xx'", "lead: xx"),
        (
            "    effects:\n      - {likelihood: 1}\n",
            "a measure's effect lowers risk: give class steps of 0 or below",
            "likelihood: 1}",
        ),
        (
            "    effects:\n      - {likelihood: {factor: 0.5, high: 1.2}}\n",
            "give a factor of 1 or below",
            "high: 1.2",
        ),
        (
            "    effects:\n      - {likelihood: {factor: 0.5, low: 0.6}}\n",
            "the interval 0.6..0.5 must hold the central value 0.5",
            "low: 0.6",
        ),
        (
            "    effects:\n      - {likelihood: {steps: -1, factor: 0.5}}\n",
            "give either steps (class steps) or factor",
            "factor: 0.5}",
        ),
        (
            "    effects:\n      - {likelihood: {factor: 0}}\n",
            "must be greater than 0",
            "factor: 0}",
        ),
        (
            "    effects:\n      - {likelihood: high}\n",
            "expected class steps (a number such as 1 or -0.5)",
            "likelihood: high",
        ),
        (
            "    effects:\n      - {scenario: b, likelihood: -1}\n",
            "the measure does not address 'b'",
            "scenario: b",
        ),
        ("    effects:\n      - {rationale: nothing}\n", "say what changes", "rationale: nothing"),
        (
            '    effects:\n      - {impact: {"9.9": -1}}\n',
            "'9.9' is neither a criterion nor an interest",
            "9.9",
        ),
        (
            '    effects:\n      - {impact: {physical: -1, "2.1": -1}}\n',
            "'2.1' belongs to the interest 'physical'",
            "physical",
        ),
        (
            "    effects:\n      - {levels: [high], likelihood: -1}\n",
            "the method nl-snv has no intensity levels",
            "levels",
        ),
        (
            "    side_effects: [{scenario: a, direction: raises}]\n",
            "is a scenario this measure addresses",
            "side_effects",
        ),
        (
            "    side_effects: [{scenario: zz, direction: raises}]\n",
            "unknown scenario 'zz'",
            "side_effects",
        ),
        ("    status: dreamt\n", "allowed: in_place, planned or proposed", "status"),
        ("    cost: -5\n", "must be at least 0", "cost"),
    ],
)
def test_measure_problems(extra: str, message: str, marker: str) -> None:
    check_error(measure(extra), message, marker)


@pytest.mark.parametrize(
    ("effect", "message", "marker"),
    [
        (
            "      - {likelihood: 1}\n",
            "name the scenario this development affects",
            "likelihood: 1",
        ),
        ("      - {scenario: zz, likelihood: 1}\n", "unknown scenario 'zz'", "scenario: zz"),
        (
            "      - {scenario: a, likelihood: {factor: 2, low: 3}}\n",
            "must hold the central value 2",
            "low: 3",
        ),
        (
            "      - {scenario: a, likelihood: {steps: 1, oops: 2}}\n",
            "unknown field 'oops'; allowed fields: steps, factor, low, high",
            "oops",
        ),
        (
            "      - {scenario: a, likelihood: 1, confidence: sure}\n",
            "allowed: low, medium or high",
            "confidence",
        ),
    ],
)
def test_development_problems(effect: str, message: str, marker: str) -> None:
    check_error(development(effect), message, marker)


def test_a_development_may_raise_and_lower() -> None:
    text = development('      - {scenario: a, likelihood: 2, impact: {"2.1": {factor: 0.5}}}\n')
    assert parse(text).assessment.developments[0].effects[0].likelihood == 2


def test_capability_problems() -> None:
    base = BASE + "capabilities:\n  - id: c\n    title: C\n    kind: people\n    owners: [jv]\n"
    check_error(
        base.replace("owners: [jv]\n", "owners: [nobody]\n"),
        "unknown organisation 'nobody'",
        "nobody",
    )
    check_error(
        base + "    needed:\n      - {scenario: zz, phases: [respond], adequacy: partly}\n",
        "unknown scenario 'zz'",
        "zz",
    )
    check_error(
        base
        + "    needed:\n      - {scenario: a, phases: [respond], adequacy: partly}\n"
        + "      - {scenario: a, phases: [prevent, respond], adequacy: sufficient}\n",
        "'a' in the phase 'respond' is already given at entry 1",
        "prevent, respond",
    )
    check_error(
        base + "    needed:\n      - {scenario: a, phases: [respond], adequacy: meh}\n",
        "allowed: sufficient, partly or insufficient",
        "meh",
    )

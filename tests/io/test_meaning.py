"""The meaning of an assessment file checked against its method (nsra.io.meaning): ids,
references, intensity levels, one estimate per analyst and level, and the warnings for missing
estimates. Each test breaks one thing in a valid assessment (``NL_BASE``, ``BNRA_BASE``).
"""

from __future__ import annotations

import math

import pytest

from nsra.engine.inputs import AssessmentInput
from nsra.io.meaning import check_meaning
from nsra.io.methods import load_method
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import load
from nsra.io.validate import parse_assessment
from tests.helpers import (
    BNRA_BASE,
    NL_BASE,
    check_error,
    errors_of,
    line_of,
    parse,
    problems_of,
    replace_once,
    single_error,
)


# -- references ------------------------------------------------------------------------------------
def test_unknown_criterion() -> None:
    text = replace_once(NL_BASE, '"5.3": D', '"9.9": D')
    p = check_error(
        text, "criterion '9.9' is not in method nl-snv; criteria: 1.1, 1.2, 2.1", '"9.9"'
    )
    assert "6.2" in p.message


def test_unknown_analyst() -> None:
    text = replace_once(NL_BASE, "- analyst: a2", "- analyst: bob")
    check_error(text, "unknown analyst 'bob'; known: a1, a2", "analyst: bob", True)


def test_unknown_scenario() -> None:
    text = replace_once(NL_BASE, "scenarios: [flood]", "scenarios: [flod]")
    check_error(text, "unknown scenario 'flod'; known: flood, attack", "[flod]", True)


def test_unknown_organisation() -> None:
    text = replace_once(NL_BASE, "    owner: bz\n", "    owner: nobody\n")
    check_error(text, "unknown organisation 'nobody'; known: jenv, bz", "owner: nobody", True)


def test_unknown_organisation_of_an_analyst() -> None:
    text = replace_once(
        NL_BASE, "  - id: a2\n    organisation: bz", "  - id: a2\n    organisation: bx"
    )
    check_error(text, "unknown organisation 'bx'", "organisation: bx")


def test_unknown_strategy() -> None:
    text = replace_once(NL_BASE, "strategy: nss", "strategy: nsx")
    check_error(text, "unknown strategy 'nsx'; known: nss", "strategy: nsx", True)


def test_duplicate_id() -> None:
    text = replace_once(
        NL_BASE, "  - id: bz\n    name: Foreign Affairs\n", "  - id: jenv\n    name: Again\n"
    )
    text = text.replace("owner: bz", "owner: jenv").replace(
        "organisation: bz", "organisation: jenv"
    )
    p = single_error(text)
    assert p.message.startswith("the organisation id 'jenv' is used twice (also at entry 1)")
    assert p.line == line_of(text, "name: Again") - 1  # the second id line


def test_duplicate_scenario_id() -> None:
    text = replace_once(NL_BASE, "  - id: attack\n", "  - id: flood\n")
    errors = errors_of(text)
    dup = [p for p in errors if "used twice" in p.message]
    assert len(dup) == 1
    assert dup[0].message.startswith("the scenario id 'flood' is used twice")
    assert dup[0].line == line_of(text, "title: Attack") - 1


def test_reinforcing_itself() -> None:
    text = replace_once(
        NL_BASE, "    theme: water\n", "    theme: water\n    reinforces: [flood]\n"
    )
    check_error(text, "a scenario cannot reinforce itself", "reinforces: [flood]", True)


# -- one estimate per analyst and level, one consensus ---------------------------------------------
def test_duplicate_estimate_of_one_analyst() -> None:
    text = replace_once(NL_BASE, "- analyst: a2", "- analyst: a1")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "- analyst: a1" in line]
    p = single_error(text)
    assert "analyst 'a1' has a second estimate for this scenario" in p.message
    assert "merge them" in p.message
    assert p.line == lines[1]  # the second one, not the first


def test_duplicate_estimate_at_one_level_bnra() -> None:
    text = replace_once(
        BNRA_BASE,
        'level: major\n        likelihood: "3"',
        'level: considerable\n        likelihood: "3"  # second',
    )
    p = single_error(text)
    assert "second estimate for this scenario at level considerable" in p.message
    assert p.line == line_of(text, "# second") - 2  # the analyst line of the second one


def test_second_consensus_for_the_same_scenario() -> None:
    text = replace_once(
        NL_BASE,
        "cascades:\n",
        "    consensus:\n      - likelihood: D\n      - likelihood: C  # again\ncascades:\n",
    )
    check_error(text, "a second consensus for the same scenario; keep one", "# again")


# -- intensity levels ------------------------------------------------------------------------------
def test_missing_level_for_bnra() -> None:
    text = replace_once(
        BNRA_BASE,
        '      - analyst: a1\n        level: major\n        likelihood: "3"',
        '      - analyst: a1  # here\n        likelihood: "3"',
    )
    check_error(
        text,
        "method be-bnra-2023 scores each intensity level: add 'level' "
        "(considerable, major, extreme)",
        "# here",
        True,
    )


def test_unknown_level_for_bnra() -> None:
    text = replace_once(
        BNRA_BASE, 'level: major\n        likelihood: "3"', 'level: huge\n        likelihood: "3"'
    )
    check_error(
        text,
        "unknown intensity level 'huge'; allowed: considerable, major, extreme",
        "level: huge",
        True,
    )


def test_level_given_for_nl() -> None:
    text = replace_once(
        NL_BASE, "      - analyst: a2\n", "      - analyst: a2\n        level: major\n"
    )
    check_error(text, "method nl-snv has no intensity levels; remove 'level'", "level: major", True)


# -- warnings, and every problem at once -----------------------------------------------------------
def test_warnings_do_not_stop_the_reading() -> None:
    text = replace_once(NL_BASE, "        likelihood: D\n", "")
    loaded = parse(text)
    assert any("no likelihood estimate" in w.message for w in loaded.warnings)
    assert all(w.severity == "warning" for w in loaded.warnings)


def test_problems_inside_an_estimate_of_an_unknown_analyst_are_reported_too() -> None:
    """All problems at once: an unknown analyst must not hide an unknown class in the same
    estimate (BUG, minor: ``check_meaning`` skips the estimate when its analyst is unknown, so
    the class problem appears only after the analyst is fixed)."""
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n')
    text = replace_once(text, "- analyst: a2", "- analyst: bob")
    messages = [p.message for p in errors_of(text)]
    assert any("unknown analyst 'bob'" in m for m in messages), messages
    assert any("no class 'F'" in m for m in messages), messages


def test_invalid_malicious_flag_gives_no_false_likelihood_warning() -> None:
    """With ``malicious: yes`` (text) the file has a likelihood estimate, yet a warning says it
    has none, because the likelihood is skipped when the flag is not a boolean (BUG, minor)."""
    text = replace_once(NL_BASE, "malicious: false", "malicious: yes")
    problems = problems_of(text)
    assert [p.message for p in problems if p.severity == "error"] == [
        "expected true or false; found 'yes'"
    ]
    assert not [p for p in problems if "no likelihood estimate" in p.message], [
        str(p) for p in problems
    ]


# -- bugs: wrong types in lists crash the checker (see the report) ---------------------------------
WRONG_CONTAINERS = {
    "estimates: 5": (
        "    owner: bz\n    estimates:\n",
        "    owner: bz\n    estimates: 5\n    x:\n",
    ),
    "reinforces: 5": ("    theme: water\n", "    theme: water\n    reinforces: 5\n"),
    "consensus: 5": ("    theme: water\n", "    theme: water\n    consensus: 5\n"),
    "measure owners: 5": ("owners: [jenv]", "owners: 5"),
    "measure scenarios: 7": ("scenarios: [flood]", "scenarios: 7"),
    "cascade levels: 5": ("probability: B", "levels: 5"),
    "impact: 5": ('        impact:\n          "2.1": B\n          "5.3": D', "        impact: 5"),
}


def test_wrong_types_are_problems_not_crashes() -> None:
    """A number where a list is expected must be reported, not crash (BUG, see the report).

    ``check_meaning`` iterates ``sc.get("estimates") or []`` (and reinforces, consensus, a
    measure's owners and scenarios) without checking that it is a list: ``estimates: 5`` raises
    ``TypeError: 'int' object is not iterable`` and the command line stops with an internal error.
    Likewise ``level: [major]`` (a list) raises ``TypeError: unhashable type: 'list'`` in
    ``level_of``.
    """
    cases = [
        (name, replace_once(NL_BASE, old, new)) for name, (old, new) in WRONG_CONTAINERS.items()
    ]
    # a list as an intensity level: ``lv not in levels`` raises "unhashable type: 'list'"
    cases.append(
        (
            "level: [major]",
            replace_once(
                BNRA_BASE,
                'level: major\n        likelihood: "3"',
                'level: [major]\n        likelihood: "3"',
            ),
        )
    )
    crashes = []
    for name, text in cases:
        try:
            parse_assessment(text, "test.yaml")
            crashes.append(f"{name}: accepted")
        except InputError as exc:
            assert exc.problems
        except Exception as exc:
            crashes.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not crashes, "; ".join(crashes)


# -- check_meaning directly: the order of its problems, the engine's input -------------------------
def _meaning(text: str) -> tuple[AssessmentInput | None, list[Problem]]:
    data = load(text)
    return check_meaning(data, load_method(data["method"]))


def test_problems_come_in_the_order_of_the_checks() -> None:
    """Ids, analysts, each scenario (owner, reinforces, estimates, consensus), cascades,
    strategies, measures; then the warnings. (The file has strategies and measures before the
    scenarios: the reader sorts by line later, ties keep this order.)"""
    text = replace_once(NL_BASE, "  - id: bz\n    name: Foreign", "  - id: jenv\n    name: Foreign")
    text = replace_once(
        text, "  - id: a2\n    organisation: bz", "  - id: a2\n    organisation: nn"
    )
    text = replace_once(
        text, "    owner: jenv\n    estimates:", "    owner: nobody\n    estimates:"
    )
    text = replace_once(text, "    theme: water\n", "    theme: water\n    reinforces: [fire]\n")
    text = replace_once(
        text, "- analyst: a2\n        likelihood: B..C", "- analyst: bob\n        likelihood: Z"
    )
    text = replace_once(
        text, "      - analyst: a1\n        likelihood: D\n", "      - analyst: a1\n"
    )
    text = replace_once(text, "effect: attack", "effect: atack")
    text = replace_once(
        text, "    scope: national\n    owner: jenv", "    scope: national\n    owner: nn"
    )
    text = replace_once(text, "strategy: nss", "strategy: nsx")
    inputs, problems = _meaning(text)
    assert inputs is None
    assert [(p.severity, p.path) for p in problems] == [
        ("error", ("organisations", 1, "id")),
        ("error", ("analysts", 1, "organisation")),
        ("error", ("scenarios", 0, "owner")),
        ("error", ("scenarios", 0, "reinforces", 0)),
        ("error", ("scenarios", 0, "estimates", 1, "analyst")),
        ("error", ("scenarios", 0, "estimates", 1, "likelihood")),
        ("error", ("scenarios", 1, "owner")),  # bz is no longer declared
        ("error", ("cascades", 0, "effect")),
        ("error", ("strategies", 0, "owner")),
        ("error", ("measures", 0, "strategy")),
        ("warning", ("scenarios", 1)),  # attack: no likelihood estimate
    ]
    assert problems[-1].message == "no likelihood estimate: the scenario cannot be ranked"


def test_the_engine_input_of_a_valid_file() -> None:
    """Rows by hand from NL_BASE and nl-snv: slots are the criteria in the method's order (2.1 is
    slot 2, 3.1 slot 5, 5.3 slot 9) and the likelihood after them (slot 12); classes count from
    X = 0 on the criteria and A = 1 on the likelihood; 2.0e9 EUR lies in class C of 3.1
    (5e8 to 5e9); a range B..C spans positions 2 to 3 with 2.5 as its centre."""
    inputs, problems = _meaning(NL_BASE)
    assert problems == []
    assert inputs is not None
    assert (inputs.n_scenarios, inputs.n_levels, inputs.n_criteria) == (2, 1, 12)
    assert inputs.malicious.tolist() == [False, True]
    assert inputs.actor is not None and inputs.actor.tolist() == [False, False]
    e = inputs.estimates
    rows = list(
        zip(
            e.scenario.tolist(),
            e.level.tolist(),
            e.slot.tolist(),
            e.analyst.tolist(),
            e.low.tolist(),
            e.high.tolist(),
            e.central.tolist(),
            strict=True,
        )
    )
    assert rows == [
        (0, 0, 12, 0, 3.0, 3.0, 3.0),  # flood, a1: likelihood C
        (0, 0, 2, 0, 2.0, 2.0, 2.0),  # 2.1: B
        (0, 0, 5, 0, 3.0, 3.0, 3.0),  # 3.1: {value: 2.0e9}, class C
        (0, 0, 12, 1, 2.0, 3.0, 2.5),  # flood, a2: likelihood B..C
        (0, 0, 2, 1, 3.0, 3.0, 3.0),  # 2.1: C
        (1, 0, 12, 0, 4.0, 4.0, 4.0),  # attack, a1: likelihood D
        (1, 0, 2, 0, 2.0, 2.0, 2.0),  # 2.1: B
        (1, 0, 9, 0, 4.0, 4.0, 4.0),  # 5.3: D
    ]
    assert e.exact is not None and not e.exact.any()  # a method of classes: nothing is exact
    assert len(inputs.consensus.scenario) == 0
    assert len(inputs.cascades) == 1


def test_consensus_rows_have_no_analyst() -> None:
    text = replace_once(
        NL_BASE,
        "cascades:\n",
        '    consensus:\n      - {likelihood: E, impact: {"2.1": A}}\ncascades:\n',
    )
    inputs, problems = _meaning(text)
    assert problems == []
    assert inputs is not None
    c = inputs.consensus
    assert list(
        zip(
            c.scenario.tolist(),
            c.slot.tolist(),
            c.analyst.tolist(),
            c.central.tolist(),
            strict=True,
        )
    ) == [
        (1, 12, -1, 5.0),
        (1, 2, -1, 1.0),
    ]


def test_a_value_on_a_continuous_method_is_exact() -> None:
    """be-bnra-2023 monetises Ha at 5e6 EUR a person on the curve 1.6e6 x 10^s: 50 persons are
    2.5e8 EUR, s = log10(156.25); 50 lies in class 2 (10 to 100 persons), which holds s."""
    text = replace_once(
        BNRA_BASE, 'impact: {Fa: "3", Ha: "2"}', 'impact: {Fa: "3", Ha: {value: 50}}'
    )
    inputs, problems = _meaning(text)
    assert [p for p in problems if p.severity == "error"] == []
    assert inputs is not None
    e = inputs.estimates
    assert e.exact is not None
    ha = (e.scenario == 0) & (e.level == 2) & (e.slot == 0)
    assert e.central[ha].tolist() == [pytest.approx(math.log10(156.25))]
    assert e.exact[ha].tolist() == [True]
    assert int(e.exact.sum()) == 1  # the classes are not exact
    assert e.level.tolist()[:6] == [0, 0, 1, 1, 2, 2]  # considerable, major, extreme


def test_missing_estimates_are_warned_per_level() -> None:
    text = replace_once(
        BNRA_BASE,
        '      - analyst: a1\n        level: extreme\n        likelihood: "3"\n'
        '        impact: {Fa: "3", Ha: "2"}\n',
        "",
    )
    inputs, problems = _meaning(text)
    assert inputs is not None
    assert [(p.severity, p.path, p.message) for p in problems] == [
        (
            "warning",
            ("scenarios", 0),
            "no likelihood estimate at level extreme: the scenario cannot be ranked at that level",
        ),
        ("warning", ("scenarios", 0), "no impact estimate at level extreme"),
    ]

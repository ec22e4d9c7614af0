"""The meaning of an assessment file checked against its method (nsra.io.meaning): ids,
references, intensity levels, one estimate per analyst and level, and the warnings for missing
estimates. Each test breaks one thing in a valid assessment (``NL_BASE``, ``BNRA_BASE``).
"""

from __future__ import annotations

from helpers import (
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
from nsra.io.problems import InputError
from nsra.io.validate import parse_assessment


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

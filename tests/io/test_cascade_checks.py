"""The cascades of an assessment file checked against its method (nsra.io.cascade_checks).

Each test breaks one cascade of a valid assessment (``NL_BASE``, ``BNRA_BASE``).
"""

from __future__ import annotations

from helpers import BNRA_BASE, NL_BASE, check_error, replace_once, single_error


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

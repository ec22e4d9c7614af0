"""Reading and checking assessment files (nsra.io.validate, nsra.io.safeyaml).

One test per kind of invalid input: the message says what is wrong in plain words and the line
number points at the offending line. Each test starts from a valid assessment written here
(``NL_BASE``, ``BNRA_BASE``) and breaks one thing; ``line_of`` finds the expected line by a marker
in the broken text, so no line number is hard-coded.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from helpers import BNRA_BASE, NL_BASE, errors_of, line_of, parse, problems_of, replace_once
from nsra.io.problems import InputError, Problem
from nsra.io.safeyaml import Limits, load, read_text
from nsra.io.validate import parse_assessment, read_assessment


def single_error(text: str) -> Problem:
    errors = errors_of(text)
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


def check(text: str, message: str, marker: str, exact: bool = False) -> Problem:
    """The text has exactly one error; it contains ``message`` and sits on the marker's line."""
    p = single_error(text)
    if exact:
        assert p.message == message
    else:
        assert message in p.message, p.message
    assert p.line == line_of(text, marker), str(p)
    assert p.file == "test.yaml"
    return p


def test_the_base_assessments_are_valid() -> None:
    assert len(parse(NL_BASE).assessment.scenarios) == 2
    assert len(parse(BNRA_BASE).assessment.scenarios) == 2


# -- classes and values ----------------------------------------------------------------------------
def test_unknown_class() -> None:
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n')
    check(text, "criterion 2.1 has no class 'F'; allowed: X, A, B, C, D, E", '"2.1": F', True)


def test_unknown_class_in_a_range() -> None:
    text = replace_once(NL_BASE, "likelihood: B..C", "likelihood: B..Z")
    p = check(text, "has no class 'Z'; allowed: A, B, C, D, E", "B..Z")
    assert "likelihood" in p.message


def test_range_running_downwards() -> None:
    text = replace_once(NL_BASE, "likelihood: B..C", "likelihood: C..B")
    check(text, "the range C..B runs downwards; write B..C", "C..B", True)


def test_bare_float_is_ambiguous() -> None:
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": 3.5\n')
    p = check(text, "a bare number is ambiguous for criterion 2.1", '"2.1": 3.5')
    assert "{value: 3.5}" in p.message  # says how to write a value
    assert "X, A, B, C, D, E" in p.message


def test_bare_float_on_a_continuous_method_offers_a_scale_position() -> None:
    text = replace_once(BNRA_BASE, 'impact: {Fa: "2"}', "impact: {Fa: 2.5}")
    p = check(text, "a bare number is ambiguous for criterion Fa", "Fa: 2.5")
    assert "{scale: 2.5}" in p.message
    assert "{value: 2.5}" in p.message


def test_negative_value_is_out_of_range() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: -5}")
    check(text, "criterion 3.1 cannot be negative; found -5", "{value: -5}")


def test_scale_position_out_of_range() -> None:
    text = replace_once(BNRA_BASE, 'impact: {Fa: "2"}', "impact: {Fa: {scale: 7.5}}")
    check(text, "7.5 is outside the scale of criterion Fa (0.0..5.5)", "scale: 7.5")


def test_scale_position_on_a_discrete_method() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{scale: 2.5}")
    check(text, "this method scores classes, not positions on a continuous scale", "{scale: 2.5}")


def test_value_on_a_qualitative_criterion() -> None:
    text = replace_once(NL_BASE, '"5.3": D', '"5.3": {value: 3}')
    check(
        text,
        "criterion 5.3 is qualitative: give a class (X, A, B, C, D, E), not a value",
        '"5.3": {value: 3}',
        True,
    )


def test_unknown_criterion() -> None:
    text = replace_once(NL_BASE, '"5.3": D', '"9.9": D')
    p = check(text, "criterion '9.9' is not in method nl-snv; criteria: 1.1, 1.2, 2.1", '"9.9"')
    assert "6.2" in p.message


def test_class_and_value_together() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: 2.0e9, class: C}")
    check(text, "give exactly one of class, value or scale (found class, value)", "class: C")


def test_probability_above_one() -> None:
    text = replace_once(NL_BASE, "probability: B", "probability: {value: 1.5}")
    check(
        text,
        "the conditional probability must be a probability between 0 and 1; found 1.5",
        "{value: 1.5}",
        True,
    )


def test_likelihood_probability_above_one() -> None:
    text = replace_once(NL_BASE, "likelihood: D", "likelihood: {value: 2}")
    check(text, "must be a probability between 0 and 1; found 2", "{value: 2}")


def test_negative_return_period() -> None:
    text = replace_once(
        BNRA_BASE,
        'level: considerable\n        likelihood: "3"',
        "level: considerable\n        likelihood: {value: -10}",
    )
    p = single_error(text)
    assert p.line == line_of(text, "{value: -10}")
    assert "-10" in p.message


# -- references ------------------------------------------------------------------------------------
def test_unknown_analyst() -> None:
    text = replace_once(NL_BASE, "- analyst: a2", "- analyst: bob")
    check(text, "unknown analyst 'bob'; known: a1, a2", "analyst: bob", True)


def test_unknown_scenario() -> None:
    text = replace_once(NL_BASE, "scenarios: [flood]", "scenarios: [flod]")
    check(text, "unknown scenario 'flod'; known: flood, attack", "[flod]", True)


def test_unknown_scenario_in_a_cascade() -> None:
    text = replace_once(NL_BASE, "effect: attack", "effect: atack")
    check(text, "unknown scenario 'atack'", "effect: atack")


def test_unknown_organisation() -> None:
    text = replace_once(NL_BASE, "    owner: bz\n", "    owner: nobody\n")
    check(text, "unknown organisation 'nobody'; known: jenv, bz", "owner: nobody", True)


def test_unknown_organisation_of_an_analyst() -> None:
    text = replace_once(
        NL_BASE, "  - id: a2\n    organisation: bz", "  - id: a2\n    organisation: bx"
    )
    check(text, "unknown organisation 'bx'", "organisation: bx")


def test_unknown_strategy() -> None:
    text = replace_once(NL_BASE, "strategy: nss", "strategy: nsx")
    check(text, "unknown strategy 'nsx'; known: nss", "strategy: nsx", True)


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
    check(text, "a second consensus for the same scenario; keep one", "# again")


# -- intensity levels ------------------------------------------------------------------------------
def test_missing_level_for_bnra() -> None:
    text = replace_once(
        BNRA_BASE,
        '      - analyst: a1\n        level: major\n        likelihood: "3"',
        '      - analyst: a1  # here\n        likelihood: "3"',
    )
    check(
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
    check(
        text,
        "unknown intensity level 'huge'; allowed: considerable, major, extreme",
        "level: huge",
        True,
    )


def test_level_given_for_nl() -> None:
    text = replace_once(
        NL_BASE, "      - analyst: a2\n", "      - analyst: a2\n        level: major\n"
    )
    check(text, "method nl-snv has no intensity levels; remove 'level'", "level: major", True)


def test_cascade_levels_needed_for_bnra() -> None:
    text = replace_once(
        BNRA_BASE,
        '    levels:\n      considerable: {considerable: "2"}\n      extreme: {major: "3"}\n',
        '    probability: "2"\n',
    )
    check(text, "method be-bnra-2023 scores cascades per pair of intensity levels", "cause: flood")


# -- cascades --------------------------------------------------------------------------------------
def test_cascade_to_itself() -> None:
    text = replace_once(NL_BASE, "effect: attack", "effect: flood")
    check(text, "a scenario cannot be its own cause", "effect: flood", True)


def test_cascade_given_twice() -> None:
    text = NL_BASE + "  - cause: flood\n    effect: attack\n    probability: C\n"
    p = single_error(text)
    assert "the cascade flood -> attack is given twice" in p.message
    assert p.line == len(text.splitlines()) - 2


def test_reinforcing_itself() -> None:
    text = replace_once(
        NL_BASE, "    theme: water\n", "    theme: water\n    reinforces: [flood]\n"
    )
    check(text, "a scenario cannot reinforce itself", "reinforces: [flood]", True)


# -- shape: fields, types, dates -------------------------------------------------------------------
def test_unknown_field_lists_the_allowed_fields() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: water\n    colour: red\n")
    p = check(text, "unknown field 'colour'; allowed fields: id, title, theme, domain", "colour")
    for name in ("malicious", "owner", "estimates", "consensus"):
        assert name in p.message


def test_unknown_field_in_an_estimate_detail() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{valeu: 2.0e9}")
    check(
        text,
        "unknown field 'valeu'; allowed fields: class, value, scale, rationale",
        "valeu",
        True,
    )


def test_unknown_top_level_field() -> None:
    text = NL_BASE.replace(
        "classification: UNCLASSIFIED\n", "classification: UNCLASSIFIED\nowner: me\n"
    )
    p = check(text, "unknown field 'owner'; allowed fields: title, method, date", "owner: me")
    assert "scenarios" in p.message


def test_text_where_a_number_is_expected() -> None:
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: lots}")
    check(text, "expected a finite number; found 'lots'", "{value: lots}", True)


def test_text_where_true_or_false_is_expected() -> None:
    text = replace_once(NL_BASE, "malicious: true", "malicious: maybe")
    check(text, "expected true or false; found 'maybe'", "malicious: maybe")


def test_list_where_a_mapping_is_expected() -> None:
    text = replace_once(
        NL_BASE, '        impact:\n          "2.1": B\n          "5.3": D', "        impact: [B, D]"
    )
    check(text, "expected a mapping", "impact: [B, D]")


def test_missing_required_field() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "")
    check(text, "the field 'theme' is required but missing", "- id: flood", True)


def test_missing_required_top_level_field() -> None:
    text = replace_once(NL_BASE, "classification: UNCLASSIFIED\n", "")
    p = single_error(text)
    assert p.message == "the field 'classification' is required but missing"
    assert p.line == 1


@pytest.mark.parametrize("date", ["2026-13-45", "15-01-2026", "20260115", "yesterday"])
def test_bad_date(date: str) -> None:
    text = replace_once(NL_BASE, "date: 2026-01-15", f"date: {date}")
    p = check(text, "expected a date such as 2026-11-29", f"date: {date}")
    assert date in p.message


@pytest.mark.parametrize("domain", ["abroad", "no", "Internal"])
def test_domain_not_internal_external_or_both(domain: str) -> None:
    text = replace_once(NL_BASE, "domain: internal", f"domain: {domain}")
    p = check(text, "allowed: internal, external", f"domain: {domain}")
    assert domain in p.message
    assert "both" in p.message


def test_bad_identifier() -> None:
    text = replace_once(NL_BASE, "  - id: attack\n", "  - id: an attack!\n")
    errors = errors_of(text)
    assert any("is not a valid id" in p.message for p in errors)
    assert any(p.line == line_of(text, "an attack!") for p in errors)


def test_unknown_method() -> None:
    text = replace_once(NL_BASE, "method: nl-snv", "method: nl-snx")
    p = check(text, "unknown method 'nl-snx'; shipped methods: be-bnra-2023, nl-snv", "method:")
    assert "uk-nsra-2023" in p.message


def test_an_assessment_must_be_a_mapping() -> None:
    (p,) = problems_of("- a\n- b\n")
    assert "must be a mapping" in p.message
    assert p.line == 1


# -- hostile YAML ----------------------------------------------------------------------------------
def test_custom_tag_is_refused_not_run(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    text = replace_once(
        NL_BASE,
        "    theme: water\n",
        f'    theme: !!python/object/apply:os.system ["touch {target}"]\n',
    )
    p = check(
        text, "the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed", "!!py"
    )
    assert "only plain data" in p.message
    assert not target.exists()


def test_include_tag_is_refused() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: !include secrets.yaml\n")
    check(text, "the tag !include is not allowed", "!include")


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))
    text = NL_BASE + 'lol:\n  l0: &l0 "lol"\n' + bomb
    start = time.perf_counter()
    p = check(text, "anchors and aliases (&name, *name) are not allowed", "l1: &l1")
    assert time.perf_counter() - start < 2.0
    assert "write the value out" in p.message


def test_a_single_alias_is_refused() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: &t water\n")
    text = replace_once(text, "    theme: terrorism\n", "    theme: *t\n")
    check(text, "anchors and aliases", "theme: *t")


def test_nesting_10000_deep_is_refused_quickly() -> None:
    text = replace_once(
        NL_BASE, "    theme: water\n", "    theme: " + "[" * 10_000 + "]" * 10_000 + "\n"
    )
    start = time.perf_counter()
    p = single_error(text)
    assert time.perf_counter() - start < 2.0
    assert "nest" in p.message
    assert p.line == line_of(text, "[[[[")


def test_nested_mappings_beyond_the_depth_limit() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n"
    with pytest.raises(InputError) as info:
        load(deep, "deep.yaml", Limits(max_depth=40))
    (p,) = info.value.problems
    assert p.message == "the data is nested more than 40 levels deep"
    assert p.line == 41


def test_file_above_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(NL_BASE, encoding="utf-8")
    size = path.stat().st_size
    with pytest.raises(InputError) as info:
        read_assessment(str(path), Limits(max_bytes=1000))
    (p,) = info.value.problems
    assert f"the file is {size:,} bytes, above the limit of 1,000 bytes" in p.message
    assert "--max-size" in p.message
    assert p.file == str(path)
    # the same file within the limit is fine
    assert read_assessment(str(path), Limits(max_bytes=size)).assessment.title == "Test assessment"


def test_non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    text = replace_once(NL_BASE, "title: River flood", "title: Café flood")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as info:
        read_assessment(str(path))
    (p,) = info.value.problems
    assert "the file is not UTF-8 text (byte 0xe9" in p.message
    assert "UTF-8" in p.message
    assert p.line == line_of(text, "Café")
    assert p.column == len("    title: Caf") + 1


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + NL_BASE.encode("utf-8"))
    assert read_assessment(str(path)).assessment.title == "Test assessment"


def test_duplicate_key_in_a_mapping() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: water\n    theme: fire\n")
    check(text, "the key 'theme' appears twice in this mapping; keep one", "theme: fire", True)


def test_multiple_documents() -> None:
    text = NL_BASE + "---\ntitle: another\n"
    check(text, "the file holds more than one YAML document; keep one", "---", True)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    (p,) = problems_of(text)
    assert p.message == "the file is empty"
    assert p.line == 1


def test_yaml_syntax_error_has_a_line() -> None:
    text = replace_once(NL_BASE, "scenarios: [flood]", "scenarios: [flood")
    p = single_error(text)
    assert p.message.startswith("not valid YAML")
    assert p.line is not None
    assert p.line >= line_of(text, "[flood")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_text(str(tmp_path / "missing.yaml"))
    assert "cannot read the file" in info.value.problems[0].message


# -- all problems at once --------------------------------------------------------------------------
def test_all_problems_are_reported_at_once() -> None:
    text = replace_once(NL_BASE, '"2.1": B\n          "3.1"', '"2.1": F\n          "3.1"')
    text = replace_once(text, "- analyst: a2", "- analyst: bob")
    text = replace_once(text, "domain: both", "domain: everywhere")
    errors = errors_of(text)
    assert len(errors) == 3, [str(p) for p in errors]
    lines = [p.line for p in errors]
    assert lines == sorted(
        [line_of(text, '"2.1": F'), line_of(text, "analyst: bob"), line_of(text, "everywhere")]
    )
    messages = " | ".join(p.message for p in errors)
    assert "no class 'F'" in messages
    assert "unknown analyst 'bob'" in messages
    assert "everywhere" in messages


def test_problems_inside_an_estimate_of_an_unknown_analyst_are_reported_too() -> None:
    """All problems at once: an unknown analyst must not hide an unknown class in the same
    estimate (BUG, minor: ``check_meaning`` skips the estimate when its analyst is unknown, so
    the class problem appears only after the analyst is fixed)."""
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n')
    text = replace_once(text, "- analyst: a2", "- analyst: bob")
    messages = [p.message for p in errors_of(text)]
    assert any("unknown analyst 'bob'" in m for m in messages), messages
    assert any("no class 'F'" in m for m in messages), messages


def test_problems_say_file_line_column_and_field() -> None:
    text = replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n')
    p = single_error(text)
    line = line_of(text, '"2.1": F')
    assert str(p).startswith(f"test.yaml:{line}:")
    assert "scenarios[0].estimates[1].impact.2.1" in str(p)
    assert p.as_dict()["line"] == line


def test_warnings_do_not_stop_the_reading() -> None:
    text = replace_once(NL_BASE, "        likelihood: D\n", "")
    loaded = parse(text)
    assert any("no likelihood estimate" in w.message for w in loaded.warnings)
    assert all(w.severity == "warning" for w in loaded.warnings)


# -- the Norway problem ----------------------------------------------------------------------------
def test_plain_scalars_stay_text() -> None:
    data = load("a: no\nb: yes\nc: on\nd: off\ne: NO\n2.1: x\n1: y\nf: 2.1\ng: true\nh: null\n")
    assert data == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "off",
        "e": "NO",
        "2.1": "x",
        "1": "y",
        "f": 2.1,
        "g": True,
        "h": None,
    }


def test_norway_in_an_assessment() -> None:
    text = replace_once(NL_BASE, "    theme: water\n", "    theme: no\n")
    text = replace_once(text, '          "2.1": C\n', "          2.1: C\n")
    loaded = parse(text)
    assert loaded.assessment.scenarios[0].theme == "no"
    # the unquoted key 2.1 is the criterion "2.1": analyst a2's C is there
    assert loaded.assessment.scenarios[0].estimates[1].impact == {"2.1": "C"}


def test_domain_no_is_reported_as_the_text_no() -> None:
    text = replace_once(NL_BASE, "domain: internal", "domain: no")
    p = single_error(text)
    assert "found no;" in p.message
    assert "False" not in p.message


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


def test_huge_whole_number_value_is_a_problem_not_a_crash() -> None:
    """``{value: 1000...0}`` (400 digits) is read as a Python int; ``float()`` of it raises
    OverflowError in ``Target._detail`` (BUG, see the report)."""
    text = replace_once(NL_BASE, "{value: 2.0e9}", "{value: 1" + "0" * 400 + "}")
    p = single_error(text)
    assert "finite number" in p.message


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


def test_missing_method_file_points_at_the_method_line(tmp_path: Path) -> None:
    """A method path that does not exist: the problem must not claim line 1 of the missing
    file; ``with_positions`` fills in a line found in the *assessment* text (BUG, minor)."""
    path = tmp_path / "a.yaml"
    text = replace_once(NL_BASE, "method: nl-snv", "method: ./nope.yaml")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_assessment(str(path))
    (p,) = [p for p in info.value.problems if p.severity == "error"]
    assert "cannot read the file" in p.message
    points_at_method_line = p.file == str(path) and p.line == line_of(text, "method:")
    unpositioned_in_method_file = p.file is not None and "nope.yaml" in p.file and p.line is None
    assert points_at_method_line or unpositioned_in_method_file, str(p)


# -- any junk gives problems, never a crash --------------------------------------------------------
def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


_NL_DATA = load(NL_BASE)
_NL_PATHS = _paths(_NL_DATA)
_BNRA_DATA = load(BNRA_BASE)
_BNRA_PATHS = _paths(_BNRA_DATA)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "class", "value"]), st.integers(0, 3), max_size=2),
)


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(data))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy


def _problems_not_a_crash(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)  # JSON is YAML
    try:
        parse_assessment(text, "junk.json")
    except InputError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message


@example(path=("measures", 0, "owners"), junk=True)  # the crash of the wrong-types test
@given(path=st.sampled_from(_NL_PATHS), junk=JUNK)
def test_junk_anywhere_gives_problems_not_a_crash(path: tuple[Any, ...], junk: Any) -> None:
    _problems_not_a_crash(_replace(_NL_DATA, path, junk))


@example(path=("scenarios", 1, "estimates", 0, "level"), junk=[])  # unhashable level
@given(path=st.sampled_from(_BNRA_PATHS), junk=JUNK)
def test_junk_anywhere_in_a_bnra_file_gives_problems_not_a_crash(
    path: tuple[Any, ...], junk: Any
) -> None:
    _problems_not_a_crash(_replace(_BNRA_DATA, path, junk))


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

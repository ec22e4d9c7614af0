"""Hand-checked golden cases of ``nsra compute``: one feature each, OpenQuake style.

Each folder under ``tests/golden/cases/`` holds an ``assessment.yaml`` (its comments work out
the expected numbers by hand, from the rules in docs/decisions.md and the formulas of the
method), often its own small ``method.yaml``, and ``expected.json``: the values of the fields
that matter for the case, written from that hand computation, never copied from nsra's output.

``expected.json`` is a part of the ``nsra compute --format json`` document, with scenarios and
intensity levels keyed by their id instead of listed in rank order::

    {"scenarios": {"alpha": {"rank": 1, "levels": {"high": {"risk": 8.1}}}}}

Every field it names must be in the output with that value (numbers within a relative 1e-9);
fields it does not name are not compared. A case folder without ``expected.json`` fails.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.golden.compare import differences, report
from tests.golden.runs import CASES_DIR, case_dirs, compute_case

CASES = case_dirs()

FEATURES = {
    "tie",
    "unassessed-level",
    "range",
    "cascade",
    "consensus",
    "even-analysts",
    "value-discrete",
    "value-continuous",
    "time-basis",
    "likelihood-scales",
}
"""The features the hand-checked cases must cover (one folder each)."""

DISAGREEMENTS: dict[str, str] = {}
"""Cases where the code disagrees with the hand computation, reported and not yet fixed: they
must fail (strict), so the entry goes when the fix comes. Never change the expected values to
make a case pass."""


def case_param(case: Path) -> Any:
    reason = DISAGREEMENTS.get(case.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.name, marks=marks)


def keyed(doc: Any) -> Any:
    """``doc`` with every list of objects that all carry an ``id`` turned into a mapping by id
    (scenarios, intensity levels), so an expected value names a scenario, not its place."""
    if isinstance(doc, dict):
        return {k: keyed(v) for k, v in doc.items()}
    if isinstance(doc, list):
        items = [keyed(v) for v in doc]
        if items and all(isinstance(v, dict) and isinstance(v.get("id"), str) for v in items):
            ids = [v["id"] for v in items]
            if len(set(ids)) == len(ids):
                return {v["id"]: v for v in items}
        return items
    return doc


def case_problems(case: Path) -> list[str]:
    """What is wrong with a case: no expected values, or outputs that differ from them."""
    expected_file = case / "expected.json"
    if not (case / "assessment.yaml").is_file():
        return [f"{case.name}: no assessment.yaml"]
    if not expected_file.is_file():
        return [f"{case.name}: no expected.json (work the values out by hand and write them)"]
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    if not isinstance(expected, dict) or not expected:
        return [f"{case.name}: expected.json names no field"]
    return differences(expected, keyed(compute_case(case)), subset=True)


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_case(case: Path) -> None:
    problems = case_problems(case)
    assert not problems, f"case {case.name}: " + report(problems)


def test_every_feature_has_its_case() -> None:
    assert {c.name for c in CASES} >= FEATURES
    assert set(DISAGREEMENTS) <= FEATURES


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_hand_computation_is_written_in_the_case(case: Path) -> None:
    comments = [
        line
        for line in (case / "assessment.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    ]
    assert len(comments) >= 5 or (case / "README.md").is_file(), (
        f"case {case.name}: write the hand computation in the comments of assessment.yaml "
        "(or in a README.md of the case)"
    )


# -- the harness itself ----------------------------------------------------------------------------
@pytest.fixture
def tie_copy(tmp_path: Path) -> Path:
    case = tmp_path / "tie"
    shutil.copytree(CASES_DIR / "tie", case)
    return case


def test_a_case_without_expected_values_fails(tie_copy: Path) -> None:
    (tie_copy / "expected.json").unlink()
    assert case_problems(tie_copy) == [
        "tie: no expected.json (work the values out by hand and write them)"
    ]
    (tie_copy / "expected.json").write_text("{}", encoding="utf-8")
    assert case_problems(tie_copy) == ["tie: expected.json names no field"]


def test_an_expected_field_missing_in_the_output_fails(tie_copy: Path) -> None:
    expected = {"scenarios": {"alpha": {"rank": 1, "no_such_field": 2}, "zulu": {"rank": 1}}}
    (tie_copy / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    assert case_problems(tie_copy) == [
        "$.scenarios.zulu: missing",
        "$.scenarios.alpha.no_such_field: missing",
    ]


def test_a_wrong_expected_value_fails(tie_copy: Path) -> None:
    expected = {"scenarios": {"alpha": {"rank": 2, "risk": 2.7 * (1 + 1e-8)}}}
    (tie_copy / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    problems = case_problems(tie_copy)
    assert [p.split(":")[0] for p in problems] == [
        "$.scenarios.alpha.rank",
        "$.scenarios.alpha.risk",
    ]


def test_keyed_turns_lists_of_identified_objects_into_mappings() -> None:
    doc = {"scenarios": [{"id": "b", "levels": [{"id": "x", "r": 1}]}, {"id": "a"}], "l": [1, 2]}
    assert keyed(doc) == {
        "scenarios": {"b": {"id": "b", "levels": {"x": {"id": "x", "r": 1}}}, "a": {"id": "a"}},
        "l": [1, 2],
    }
    assert keyed([{"id": "a"}, {"id": "a"}]) == [{"id": "a"}, {"id": "a"}]  # ids not unique

"""The comparison of golden files (tests/golden/compare.py)."""

from __future__ import annotations

from tests.golden.compare import differences, report, stable


def test_differences_uses_a_relative_tolerance() -> None:
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-12}) == []
    assert differences({"a": 1e12}, {"a": 1e12 * (1 + 1e-10)}) == []
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-6}) != []
    assert differences({"a": 0.0}, {"a": 1e-300}) != []
    assert differences({"a": None}, {"a": 0.0}) != []
    assert differences({"a": True}, {"a": 1}) != []
    assert differences([1, 2], [1, 2, 3]) != []
    assert differences({"a": "x"}, {"a": "x", "b": 1}) != []


def test_differences_say_where_and_what() -> None:
    expected = {"s": [{"risk": 2.0, "rank": 1}], "gone": 1}
    got = {"s": [{"risk": 2.5, "rank": 1, "new": None}]}
    assert differences(expected, got) == [
        "$.gone: missing",
        "$.s[0].new: not in the golden file",
        "$.s[0].risk: 2.5, expected 2.0",
    ]


def test_a_subset_names_only_the_fields_it_checks() -> None:
    got = {"a": {"b": 1.0, "c": 2.0}, "d": [1, 2]}
    assert differences({"a": {"b": 1.0}}, got, subset=True) == []
    assert differences({"a": {"b": 1.0}}, got) == [
        "$.d: not in the golden file",
        "$.a.c: not in the golden file",
    ]
    assert differences({"a": {"x": 1}}, got, subset=True) == ["$.a.x: missing"]
    assert differences({"a": {"b": 3.0}}, got, subset=True) == ["$.a.b: 1.0, expected 3.0"]
    assert differences({"d": [1]}, got, subset=True) == ["$.d: 2 items, expected 1"]


def test_stable_drops_only_the_volatile_fields() -> None:
    doc = {"nsra_version": "1", "assessment": {"source": "x.yaml", "title": "T"}, "n": 1}
    assert stable(doc) == {"assessment": {"title": "T"}, "n": 1}
    assert doc["nsra_version"] == "1"  # a copy: the document itself is kept


def test_report_shows_the_count_and_the_first_differences() -> None:
    text = report([f"$.x[{i}]: 1, expected 0" for i in range(25)], first=2)
    assert text == "25 differences:\n$.x[0]: 1, expected 0\n$.x[1]: 1, expected 0\n... and 23 more"

"""Ids and references in the plain data of an assessment file (nsra.io.references)."""

from __future__ import annotations

from typing import Any

import pytest

from nsra.io.problems import Problem
from nsra.io.references import ids, items, ref


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"scenarios": [1, {"id": "a"}]}, [1, {"id": "a"}]),
        ({"scenarios": 5}, []),  # not a list: its shape problem is reported elsewhere
        ({"scenarios": None}, []),
        ({}, []),
        ([["scenarios"]], []),
        ("scenarios", []),
    ],
)
def test_items_are_a_list_or_nothing(data: Any, expected: list[Any]) -> None:
    assert items(data, "scenarios") == expected


def test_ids_index_the_entries_and_repeats_are_problems() -> None:
    problems: list[Problem] = []
    entries = [{"id": "a"}, {"id": "b"}, "junk", {"id": 3}, {"id": "a"}, {"title": "no id"}]
    assert ids(entries, ("analysts",), "analyst", problems) == {"a": 0, "b": 1}
    assert [(p.path, p.message) for p in problems] == [
        (
            ("analysts", 4, "id"),
            "the analyst id 'a' is used twice (also at entry 1); ids must be unique",
        )
    ]


def test_a_known_reference_gives_its_index() -> None:
    problems: list[Problem] = []
    assert ref("b", {"a": 0, "b": 1}, "scenario", ("x",), problems) == 1
    assert problems == []


def test_a_reference_that_is_not_text_is_left_to_the_shape_check() -> None:
    problems: list[Problem] = []
    assert ref(5, {"a": 0}, "scenario", ("x",), problems) is None
    assert ref(None, {"a": 0}, "scenario", ("x",), problems) is None
    assert problems == []


def test_an_unknown_reference_lists_the_known_ids() -> None:
    problems: list[Problem] = []
    assert ref("c", {"a": 0, "b": 1}, "scenario", ("measures", 0, "scenarios", 2), problems) is None
    assert [(p.path, p.message) for p in problems] == [
        (("measures", 0, "scenarios", 2), "unknown scenario 'c'; known: a, b")
    ]


def test_an_unknown_reference_lists_at_most_twelve_ids() -> None:
    problems: list[Problem] = []
    known = {f"s{i}": i for i in range(13)}
    ref("x", known, "scenario", (), problems)
    listing = ", ".join(f"s{i}" for i in range(12))
    assert problems[0].message == f"unknown scenario 'x'; known: {listing} ..."
    problems.clear()
    ref("x", {f"s{i}": i for i in range(12)}, "scenario", (), problems)
    assert problems[0].message == f"unknown scenario 'x'; known: {listing}"


def test_an_unknown_reference_when_none_is_declared() -> None:
    problems: list[Problem] = []
    ref("jenv", {}, "organisation", ("scenarios", 0, "owner"), problems)
    assert problems[0].message == "unknown organisation 'jenv'; none is declared in the file"

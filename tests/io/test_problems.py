"""Problems said in plain words with where they are (nsra.io.problems): the field path as a
reader writes it, the one-line form the command prints, the form the API returns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nsra.io.problems import InputError, Problem, format_path


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("title",), "title"),
        ((0,), "[0]"),
        (("scenarios", 3, "impact", "2.1"), "scenarios[3].impact.2.1"),
        (("cascades", 0, "levels", "major", "extreme"), "cascades[0].levels.major.extreme"),
        (("a", 1, 2, "b"), "a[1][2].b"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


@given(
    st.lists(st.one_of(st.integers(0, 99), st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)))
)
def test_format_path_writes_each_part_once_in_order(path: list[str | int]) -> None:
    """Indices in brackets, names joined by dots: reading the text back gives the path."""
    text = format_path(tuple(path))
    back: list[str | int] = []
    for name_and_indices in text.split("."):
        name, *indices = name_and_indices.split("[")
        if name:
            back.append(name)
        back.extend(int(i.rstrip("]")) for i in indices)
    assert back == path


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("m"), "error: m"),
        (Problem("m", ("scenarios", 0, "id")), "error: scenarios[0].id: m"),
        (Problem("m", (), "warning", "a.yaml"), "a.yaml: warning: m"),
        (Problem("m", ("title",), "error", "a.yaml", 3), "a.yaml:3: error: title: m"),
        (Problem("m", ("title",), "error", "a.yaml", 3, 7), "a.yaml:3:7: error: title: m"),
        (Problem("m", (), "error", None, 3, 7), "<input>:3:7: error: m"),
        (Problem("m", (), "error", "a.yaml", None, 7), "a.yaml: error: m"),  # no line, no column
    ],
)
def test_a_problem_in_one_line(problem: Problem, text: str) -> None:
    assert str(problem) == text


def test_where_without_a_file_says_input() -> None:
    assert Problem("m").where() == "<input>"
    assert Problem("m", line=2).where() == "<input>:2"
    assert Problem("m", file="f.json", line=2, column=5).where() == "f.json:2:5"


def test_a_problem_as_the_api_returns_it() -> None:
    p = Problem(
        "unknown analyst 'bob'",
        ("scenarios", 1, "estimates", 0, "analyst"),
        "error",
        "f.yaml",
        12,
        9,
    )
    assert p.as_dict() == {
        "severity": "error",
        "file": "f.yaml",
        "line": 12,
        "column": 9,
        "field": "scenarios[1].estimates[0].analyst",
        "message": "unknown analyst 'bob'",
    }
    assert Problem("m").as_dict() == {
        "severity": "error",
        "file": None,
        "line": None,
        "column": None,
        "field": "",
        "message": "m",
    }


def test_an_input_error_carries_every_problem_and_says_the_first() -> None:
    first = Problem("the file is empty", (), "error", "a.yaml", 1)
    second = Problem("m", ("title",))
    exc = InputError([first, second])
    assert exc.problems == [first, second]
    assert str(exc) == "a.yaml:1: error: the file is empty"
    assert str(InputError([])) == "error: invalid input"

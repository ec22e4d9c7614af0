"""What the command says (nsra.cli.console): problems on standard error with where they are and
how many, and numbers written for people."""

from __future__ import annotations

from pathlib import Path

import pytest

from nsra.cli.console import amount, number, show_problems
from nsra.io.problems import Problem
from tests.helpers import no_traceback, run_cli


@pytest.mark.parametrize(
    ("x", "said"),
    [
        (0.0, "0"),
        (12_000.0, "12,000"),
        (999_999.0, "999,999"),
        (1e6, "1.0 M"),
        (35e6, "35.0 M"),
        (1.25e9, "1.2 bn"),  # one decimal, rounded half to even as Python's format does
        (1.26e9, "1.3 bn"),
        (2e12, "2.0 tn"),
        (-2.5e6, "-2.5 M"),
    ],
)
def test_amount_of_euros(x: float, said: str) -> None:
    assert amount(x) == said


@pytest.mark.parametrize(
    ("x", "said"),
    [
        (0.0, "0"),
        (10.0, "10"),
        (2e6, "2,000,000"),
        (5e10, "50,000,000,000"),
        (0.0005, "0.0005"),
        (1.5, "1.5"),
        (123_456.789, "123,457"),
        (1e15, "1e+15"),
    ],
)
def test_number_of_a_bound(x: float, said: str) -> None:
    assert number(x) == said


def test_problems_are_listed_then_counted(capsys: pytest.CaptureFixture[str]) -> None:
    show_problems(
        [
            Problem("no class 'F'", ("scenarios", 0, "impact", "2.1"), file="a.yaml", line=4),
            Problem("no impact estimate", ("scenarios", 1), "warning", file="a.yaml", line=9),
        ]
    )
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "a.yaml:4: error: scenarios[0].impact.2.1: no class 'F'\n"
        "a.yaml:9: warning: scenarios[1]: no impact estimate\n"
        "1 problem found; nothing was computed or written.\n"
    )


def test_warnings_alone_are_not_counted(capsys: pytest.CaptureFixture[str]) -> None:
    show_problems([Problem("no impact estimate", severity="warning")])
    assert capsys.readouterr().err == "warning: no impact estimate\n"


def test_text_is_printed_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    """Square brackets and colons in a file name or a field are the user's text, not markup or
    emoji codes: "[/x]" does not stop the command, "[red]" and ":fire:" are not swallowed."""
    show_problems([Problem("unknown field '[/x]' :fire:", ("[bold]",), file="[red]a.yaml")])
    assert capsys.readouterr().err.splitlines()[0] == (
        "[red]a.yaml: error: [bold]: unknown field '[/x]' :fire:"
    )


def test_a_field_like_markup_is_reported_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "[b]x.yaml"
    path.write_text('title: t\nmethod: nl-snv\n"[/x]": 1\n', encoding="utf-8")
    proc = run_cli("validate", str(path))
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:3:1: error: [/x]: unknown field '[/x]'" in proc.stderr
    no_traceback(proc)

"""What the command says and how it ends: results on standard output, problems and progress on
standard error, numbers written for people, and the exit codes.

Exit codes: 0 success, :data:`EXIT_PROBLEMS` problems in the input (or a broken audit trail),
2 wrong use of the command (said by typer itself), :data:`EXIT_INTERNAL` an internal error (a bug
in nsra), :data:`EXIT_INTERRUPTED` interrupted by the user.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

from nsra.io.problems import Problem

EXIT_PROBLEMS = 1
"""Problems in the input: listed on standard error; nothing was computed or written."""

EXIT_INTERNAL = 3
"""An internal error: a bug in nsra, said in one sentence (no traceback)."""

EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C), as shells report a process ended by SIGINT."""


def _width(stream: TextIO) -> int | None:
    """The terminal's width, or 200 columns when the output goes to a file or a pipe."""
    return None if stream.isatty() else 200


# Text is printed as it is: no markup ("[b]" in a title or a file name stays "[b]", and a "[/x]"
# cannot stop the command), no emoji codes, no highlighting; styles are given explicitly.
out = Console(width=_width(sys.stdout), markup=False, emoji=False, highlight=False, soft_wrap=True)
"""Standard output: what the command produces."""

err = Console(
    stderr=True,
    width=_width(sys.stderr),
    markup=False,
    emoji=False,
    highlight=False,
    soft_wrap=True,
)
"""Standard error: problems, warnings and progress."""


def show_problems(problems: list[Problem]) -> None:
    """Every problem on standard error (errors red, warnings yellow), then how many errors."""
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        err.print(str(p), style=style)
    if errors:
        n = len(errors)
        err.print(f"{n} problem{'s' if n != 1 else ''} found; nothing was computed or written.")


def amount(x: float) -> str:
    """Euros for people: 1.2 bn, 35.0 M, 12,000."""
    for size, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "M")):
        if abs(x) >= size:
            return f"{x / size:,.1f} {word}"
    return f"{x:,.0f}"


def number(x: float) -> str:
    """A bound or value for people: 2,000,000 rather than 2e+06."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"

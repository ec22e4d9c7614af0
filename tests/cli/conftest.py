"""Fixtures of the command's tests: an assessment file with one error, and the command run in
this process (``invoke``: faster than a subprocess, and lets a test replace what the command
calls)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nsra.cli import app
from tests.helpers import NL_BASE, replace_once

Invoke = Callable[..., Result]


@pytest.fixture
def invalid_file(tmp_path: Path) -> Path:
    """The small Dutch assessment with one impact class the criterion does not have (F)."""
    path = tmp_path / "invalid.yaml"
    path.write_text(replace_once(NL_BASE, '"2.1": C\n', '"2.1": F\n'), encoding="utf-8")
    return path


@pytest.fixture
def invoke() -> Invoke:
    """``invoke("compute", "x.yaml", input=...)``: the command in this process, 200 columns wide
    and without colour, as :func:`helpers.run_cli` runs it. An ``InputError`` is left in
    ``result.exception`` (``nsra.cli.main`` turns it into the message and exit code 1)."""
    runner = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "NSRA_DEBUG": None})

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return run

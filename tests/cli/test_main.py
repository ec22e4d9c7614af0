"""The command as a whole (nsra.cli): its entry points, the order of its help, and ``main``,
which turns every way a command can end into a plain message and an exit code: 0 success,
1 problems in the input, 2 wrong use of the command, 3 internal error, 130 interrupted. A user
never sees a Python traceback."""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from typing import NoReturn

import pytest

import nsra
from nsra.cli import main
from nsra.io.problems import InputError, Problem
from nsra.version import __version__
from tests.helpers import EXAMPLES, no_traceback, run_cli

EXAMPLE = str(EXAMPLES[0])


def test_version() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("nsra ")


def test_wrong_use_of_the_command_exits_2() -> None:
    proc = run_cli("compute")
    assert proc.returncode == 2
    no_traceback(proc)
    proc = run_cli("no-such-command")
    assert proc.returncode == 2
    no_traceback(proc)


def test_the_console_script_is_main() -> None:
    (script,) = entry_points(group="console_scripts", name="nsra")
    assert script.value == "nsra.cli:main"
    assert script.load() is main


def test_python_m_nsra_cli_is_the_command() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage: python -m nsra.cli [OPTIONS] COMMAND [ARGS]..." in proc.stdout
    commands = re.findall(r"^│ ([a-z]+) ", proc.stdout, re.M)
    assert commands == [
        *("schema", "validate", "compute", "analyse", "strategy", "report", "compare"),
        *("demo", "serve"),
        *("backup", "restore", "methods", "excel", "db", "users", "audit"),
    ]


# -- main: every ending a plain message -------------------------------------------------------
def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``main()`` on ``nsra ARGS`` in this process; its exit code."""
    monkeypatch.setattr("sys.argv", ["nsra", *args])
    monkeypatch.delenv("NSRA_DEBUG", raising=False)
    with pytest.raises(SystemExit) as ended:
        main()
    code = ended.value.code
    return 0 if code is None else int(code)


def reading_fails_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def broken(*_args: object, **_kwargs: object) -> NoReturn:
        raise exc

    monkeypatch.setattr(nsra, "read", broken)


def test_main_success_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(monkeypatch, "--version") == 0
    assert capsys.readouterr().out == f"nsra {__version__}\n"


def test_main_problems_exit_1_listed_and_counted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems = [
        Problem("first", ("scenarios", 0, "title"), file="a.yaml", line=3, column=5),
        Problem("second", file="a.yaml", line=9),
        Problem("just so", severity="warning"),
    ]
    reading_fails_with(monkeypatch, InputError(problems))
    assert run_main(monkeypatch, "compute", EXAMPLE) == 1
    err = capsys.readouterr().err
    assert err == (
        "a.yaml:3:5: error: scenarios[0].title: first\n"
        "a.yaml:9: error: second\n"
        "warning: just so\n"
        "2 problems found; nothing was computed or written.\n"
    )


def test_main_wrong_use_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(monkeypatch, "compute", EXAMPLE, "--format", "pdf") == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--format'" in err
    assert "Traceback" not in err


def test_main_internal_error_exits_3_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reading_fails_with(monkeypatch, RuntimeError("boom"))
    assert run_main(monkeypatch, "compute", EXAMPLE) == 3
    err = capsys.readouterr().err
    assert err.startswith("nsra stopped on an internal error: RuntimeError: boom\n")
    assert "This is a bug in nsra, not in your file." in err
    assert "NSRA_DEBUG=1" in err
    assert "Traceback" not in err


def test_main_internal_error_with_nsra_debug_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    reading_fails_with(monkeypatch, RuntimeError("boom"))
    monkeypatch.setattr("sys.argv", ["nsra", "compute", EXAMPLE])
    monkeypatch.setenv("NSRA_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main()


def test_main_interrupted_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Typer itself ends an interrupted command with 130, silently (``main`` says
    "Interrupted." should an interrupt reach it)."""
    reading_fails_with(monkeypatch, KeyboardInterrupt())
    assert run_main(monkeypatch, "compute", EXAMPLE) == 130
    assert "Traceback" not in capsys.readouterr().err

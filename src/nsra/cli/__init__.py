"""The ``nsra`` command. Problems are said in plain words; never a traceback.

The command is a thin edge: each command parses its options, calls the library (``nsra.read``,
``nsra.compute``, ``nsra.analyse``, the documents, the report, the server's database) and prints.

- :mod:`.methods`: ``nsra methods``, ``nsra methods show``, ``nsra schema``;
- :mod:`.assessment`: ``nsra validate``, ``nsra compute``;
- :mod:`.analyses`: ``nsra analyse`` and the executors the analyses run on;
- :mod:`.strategy`: ``nsra strategy``;
- :mod:`.report`: ``nsra report``, ``nsra demo``;
- :mod:`.compare`: ``nsra compare`` (changes since the previous edition);
- :mod:`.excel`: ``nsra excel template``, ``nsra excel export``, ``nsra excel import``;
- :mod:`.server`: ``nsra serve``, ``nsra users``;
- :mod:`.database`: ``nsra db``, ``nsra audit``, ``nsra backup``, ``nsra restore``;
- shared: :mod:`.console` (output, problems, exit codes), :mod:`.options`, :mod:`.files`.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from nsra.cli import (
    analyses,
    assessment,
    compare,
    database,
    excel,
    methods,
    report,
    server,
    strategy,
)
from nsra.cli.console import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PROBLEMS, err, out, show_problems
from nsra.io.problems import InputError
from nsra.version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    name="nsra",
    help="Integrated national security risk assessment: methods, estimates, risk picture.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# The commands in the order of the help; then the groups.
app.command()(methods.schema)
app.command()(assessment.validate)
app.command()(assessment.compute)
app.command()(analyses.analyse)
app.command()(strategy.strategy)
app.command()(report.report)
app.command()(compare.compare)
app.command()(report.demo)
app.command()(server.serve)
app.command()(database.backup)
app.command()(database.restore)
app.add_typer(methods.methods_app, name="methods")
app.add_typer(excel.excel_app, name="excel")
app.add_typer(database.db_app, name="db")
app.add_typer(server.users_app, name="users")
app.add_typer(database.audit_app, name="audit")


def version_callback(value: bool) -> None:
    if value:
        out.print(f"nsra {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Integrated national security risk assessment."""


def main() -> None:
    """Entry point: problems become plain messages and exit codes, never a traceback.

    Exit codes: 0 success, 1 problems in the input, 2 wrong use of the command, 3 internal error.
    """
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)  # numpy's NaN notes: handled
    try:
        app()  # usage errors are reported by typer itself (exit code 2)
    except InputError as exc:
        show_problems(exc.problems)
        sys.exit(EXIT_PROBLEMS)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # the last line of defence: no traceback for a user
        if os.environ.get("NSRA_DEBUG"):
            raise
        err.print(
            f"nsra stopped on an internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in nsra, not in your file. Run again with NSRA_DEBUG=1 for details "
            "and report it."
        )
        sys.exit(EXIT_INTERNAL)

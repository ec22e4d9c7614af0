"""The commands on the server's database: ``nsra db`` (create or upgrade it, import and export
assessment files), ``nsra audit`` (check the audit trail), ``nsra backup`` and ``nsra restore``.
Database errors become plain problems (:func:`database`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nsra.cli.console import EXIT_PROBLEMS, err, out
from nsra.cli.files import write_atomic
from nsra.cli.options import DbUrl
from nsra.io.problems import InputError, Problem

if TYPE_CHECKING:
    from sqlalchemy import Engine

db_app = typer.Typer(
    help="The assessment database: create or upgrade it, import and export assessment files.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The audit trail of the database's changes.", no_args_is_help=True)


URL_EXAMPLE = "sqlite:///nsra.db or postgresql+psycopg://user@host/nsra"
"""What a database URL looks like, said when one cannot be used."""


@contextmanager
def database(url: str | None, need_current: bool = True) -> Iterator[Engine]:
    """An engine for the database (``url``, else ``NSRA_DATABASE_URL``, else the default);
    database errors, a URL that cannot be used included, become plain problems. Messages show
    the URL without its password."""
    from sqlalchemy.exc import SQLAlchemyError

    from nsra.server.db import database_url, make_engine
    from nsra.server.db.engine import schema_is_current

    shown = _without_password(database_url(url))
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ImportError) as exc:  # not a URL, an unknown or missing driver
        raise InputError(
            [Problem(f"database {shown}: {_reason(exc)}; a database URL looks like {URL_EXAMPLE}")]
        ) from None
    try:
        if need_current and not schema_is_current(engine):
            raise InputError(
                [
                    Problem(
                        f"the database {shown} is not up to date (or not created); "
                        "run: nsra db upgrade" + (f" --url {shown}" if url else "")
                    )
                ]
            )
        yield engine
    except SQLAlchemyError as exc:
        raise InputError([Problem(f"database {shown}: {_reason(exc)}")]) from None
    finally:
        engine.dispose()


def _without_password(url: str) -> str:
    """``postgresql://ann:***@host/nsra`` for ``postgresql://ann:secret@host/nsra``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url  # not a URL: shown as given, for the user to see what is wrong with it


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc.args[0] if exc.args else exc}"


# -- db ---------------------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(url: DbUrl = None) -> None:
    """Create the database or bring its tables to the newest version; register shipped methods."""
    from nsra.server.db import upgrade

    with database(url, need_current=False) as engine:
        upgrade(engine)
        out.print(f"Database up to date: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("import")
def db_import(
    file: Annotated[Path, typer.Argument(help="The assessment file (YAML or JSON).")],
    url: DbUrl = None,
) -> None:
    """Check an assessment file and store it, whole or not at all; prints the new id."""
    from nsra.server.db import import_file

    with database(url) as engine:
        assessment_id = import_file(engine, str(file))
    out.print(f"Imported {file} as assessment {assessment_id}.")


@db_app.command("export")
def db_export(
    assessment_id: Annotated[int, typer.Argument(help="The assessment's id in the database.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write (.json for JSON, else YAML).")
    ],
    url: DbUrl = None,
) -> None:
    """Write an assessment from the database to an assessment file."""
    from sqlalchemy.orm import Session

    from nsra.server.db.exporting import assessment_data, file_text

    with database(url) as engine, Session(engine) as session:
        text = file_text(assessment_data(session, assessment_id), str(output))
    write_atomic(output, text)
    out.print(f"Assessment {assessment_id} written: {output.resolve()}")


# -- audit ------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    url: DbUrl = None,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="SEQ:HASH printed earlier by nsra audit head: that entry must be unchanged.",
        ),
    ] = None,
) -> None:
    """Recompute the audit trail's hash chain; exit 1 and list the problems when it is broken."""
    from nsra.server.db import audit

    anchor: tuple[int, str] | None = None
    if expect is not None:
        seq_text, _, digest = expect.partition(":")
        if not seq_text.isdigit() or len(digest) != 64:
            raise InputError(
                [
                    Problem(
                        f"--expect must be SEQ:HASH as printed by nsra audit head; got {expect!r}"
                    )
                ]
            )
        anchor = (int(seq_text), digest)
    with database(url) as engine:
        problems = audit.verify(engine, expect=anchor)
        total = audit.count(engine)
    if problems:
        err.print(f"audit trail broken ({len(problems)} problem(s) in {total} entries):")
        for p in problems:
            err.print(f"  {p}")
        raise typer.Exit(EXIT_PROBLEMS)
    out.print(f"audit trail intact ({total} entries)")


@audit_app.command("head")
def audit_head(url: DbUrl = None) -> None:
    """Print the newest entry as SEQ:HASH; keep it outside the database (e.g. in the minutes)
    and check it later with nsra audit verify --expect SEQ:HASH."""
    from nsra.server.db import audit

    with database(url) as engine:
        seq, digest = audit.head(engine)
    sys.stdout.write(f"{seq}:{digest}\n")


# -- backup and restore -----------------------------------------------------------------------
def backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write (JSON).")],
    url: DbUrl = None,
) -> None:
    """Write a consistent copy of the whole database (every table, one transaction) to FILE."""
    from nsra.server.db.backup import backup_text

    with database(url) as engine:
        data = backup_text(engine)
    write_atomic(file, data)
    out.print(f"Backup written: {file.resolve()}")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup file written by nsra backup.")],
    url: DbUrl = None,
) -> None:
    """Load a backup into an empty database (created or upgraded first), whole or not at all."""
    from nsra.server.db.backup import restore_text

    try:
        data = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(f"cannot read {file}: {exc}")]) from None
    with database(url, need_current=False) as engine:
        n = restore_text(engine, data, str(file))
    out.print(f"Restored {n} rows from {file}.")

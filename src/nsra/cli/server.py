"""``nsra serve`` (the web server on the database, or on a throw-away demo database) and
``nsra users`` (the server's users and their API tokens)."""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nsra.cli.console import out
from nsra.cli.database import database
from nsra.cli.options import DbUrl
from nsra.io.problems import InputError, Problem
from nsra.server.settings import UPLOAD_ENV, UPLOAD_SIZE, WRITE_ENV, WRITE_SIZE

if TYPE_CHECKING:
    from sqlalchemy import Engine

users_app = typer.Typer(help="The users of the server and their API tokens.", no_args_is_help=True)


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    analyst = "analyst"
    viewer = "viewer"


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's name (unique).")],
    role: Annotated[Role, typer.Option("--role", help="admin, coordinator, analyst or viewer.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    url: DbUrl = None,
) -> None:
    """Add a user; the password is asked for (not shown) or read from standard input."""
    from sqlalchemy.orm import Session

    from nsra.server.db.access import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise InputError([Problem("the password is empty")])
    with database(url) as engine, Session(engine) as session, session.begin():
        add_user(session, name, role.value, password)
    out.print(f"User {name} added ({role.value}).")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="The user's name.")],
    url: DbUrl = None,
) -> None:
    """Make a new API token for a user and print it once (it is not stored, only its hash)."""
    from sqlalchemy.orm import Session

    from nsra.server.db.access import new_token, user_by_name

    with database(url) as engine, Session(engine) as session, session.begin():
        user = user_by_name(session, name)
        if user is None:
            raise InputError([Problem(f"there is no user named {name!r}")])
        token = new_token(session, user)
    sys.stdout.write(token + "\n")


def port_number(port: int) -> int:
    """A port a server can listen on (0 to 65535); else wrong use of the command (exit 2)."""
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"{port} is not a port; allowed: 0 to 65535")
    return port


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", callback=port_number)
    ] = 8000,
    url: DbUrl = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve a fresh throw-away database (temporary folder) with the integrated "
            "example and one user per role; prints their tokens.",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes; each opens its own connections to the database.",
        ),
    ] = 1,
    threads: Annotated[
        int,
        typer.Option(
            "--threads",
            min=1,
            max=64,
            help="Requests one worker handles at once (more queue): few keeps each answer "
            "quick on a small machine.",
        ),
    ] = 8,
    max_body: Annotated[
        int,
        typer.Option(
            "--max-body",
            min=1,
            help="Largest request body of a write, in kB (larger ones get 413 unread).",
        ),
    ] = WRITE_SIZE // 1024,
    max_upload: Annotated[
        int,
        typer.Option(
            "--max-upload",
            min=1,
            help="Largest upload (an assessment or workbook to import), in MB.",
        ),
    ] = UPLOAD_SIZE // 1024 // 1024,
) -> None:
    """Run the web server (pages at /, REST API at /api, docs at /api/docs) on the database,
    upgraded first.

    With --workers N > 1 the workers build the application themselves from NSRA_DATABASE_URL
    (set here to the database served), since uvicorn needs an import string to start them.
    """
    import uvicorn

    from nsra.server.api import create_app
    from nsra.server.api.app import THREADS_ENV
    from nsra.server.api.factory import IMPORT_STRING
    from nsra.server.db import ENV_VAR, database_url, upgrade

    os.environ[THREADS_ENV] = str(threads)  # read by each worker's application at start
    os.environ[WRITE_ENV] = str(max_body * 1024)
    os.environ[UPLOAD_ENV] = str(max_upload * 1024 * 1024)

    def run(engine: Engine, served: str) -> None:
        if workers == 1:
            uvicorn.run(create_app(engine), host=host, port=port)
            return
        os.environ[ENV_VAR] = served  # inherited by the worker processes
        uvicorn.run(IMPORT_STRING, factory=True, workers=workers, host=host, port=port)

    if demo:
        if url:
            raise InputError([Problem("--demo makes its own database; leave out --url")])
        from nsra.server.demo import demo_database

        with tempfile.TemporaryDirectory(prefix="nsra-demo-") as folder:
            info = demo_database(Path(folder))
            with database(info.url) as engine:
                address = f"http://{host}:{port}"
                out.print(f"nsra demo serving {address}/ (database {folder}, deleted at exit)")
                out.print(
                    f"Open {address}/ in a browser and sign in as nctv-analyst (an analyst) "
                    f"or demo-coordinator; every demo user's password: {info.password}"
                )
                out.print(f"Demo assessment {info.assessment_id}; users (role: name API token):")
                for user in info.users:
                    out.print(f"  {user.role:<12} {user.name:<18} {user.token}")
                out.print(f"The API: {address}/api/docs. Example:")
                out.print(
                    f"  curl -H 'Authorization: Bearer {info.users[0].token}' "
                    f"{address}/api/assessments"
                )
                run(engine, info.url)
        return
    with database(url, need_current=False) as engine:
        upgrade(engine)
        out.print(f"nsra serving http://{host}:{port}/ (the API: http://{host}:{port}/api/docs)")
        run(engine, database_url(url))

"""``nsra serve`` (the web server on the database, or on a throw-away demo database) and
``nsra users`` (the server's users and their API tokens)."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nsra.cli.console import out
from nsra.cli.database import database
from nsra.cli.options import DbUrl
from nsra.io.problems import InputError, Problem
from nsra.server.settings import (
    HOSTS_ENV,
    LOOPBACK_HOSTS,
    UPLOAD_ENV,
    UPLOAD_SIZE,
    WRITE_ENV,
    WRITE_SIZE,
)

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


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def host_names(host: str, given: str | None) -> tuple[str, ...]:
    """The host names to answer to: those given, else loopback's and the address listened on
    (unless that is every address, whose name nobody knows here)."""
    if given is not None:
        return tuple(h.strip() for h in given.split(",") if h.strip())
    extra = () if host in ("0.0.0.0", "::", "") else (host.strip("[]"),)
    return tuple(dict.fromkeys((*LOOPBACK_HOSTS, *extra)))


def uvicorn_options(
    host: str,
    port: int,
    forwarded_allow_ips: str | None,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> dict[str, Any]:
    """uvicorn's settings: proxy headers believed only from the proxies named, no ``Server``
    banner, TLS when a certificate is given."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": bool(forwarded_allow_ips),
        "forwarded_allow_ips": forwarded_allow_ips or "",
        "server_header": False,
    }
    if ssl_certfile is not None:
        options.update(
            ssl_certfile=str(ssl_certfile), ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None
        )
    return options


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
    allowed_hosts: Annotated[
        str | None,
        typer.Option(
            "--allowed-hosts",
            help="Host names the server answers to, comma-separated (others get 400); "
            "default: localhost, 127.0.0.1, ::1 and the --host address. '*' answers any.",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the reverse proxies whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed, comma-separated; default: none (the peer's "
            "address and scheme are used, whoever sends those headers).",
        ),
    ] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option("--ssl-certfile", help="Serve https with this certificate.")
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option("--ssl-keyfile", help="The certificate's private key.")
    ] = None,
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
    from nsra.server.workers import run as workers_run

    os.environ[THREADS_ENV] = str(threads)  # read by each worker's application at start
    os.environ[WRITE_ENV] = str(max_body * 1024)
    os.environ[UPLOAD_ENV] = str(max_upload * 1024 * 1024)
    os.environ[HOSTS_ENV] = ",".join(host_names(host, allowed_hosts))
    options = uvicorn_options(host, port, forwarded_allow_ips, ssl_certfile, ssl_keyfile)
    scheme = "https" if ssl_certfile else "http"

    def run(engine: Engine, served: str) -> None:
        if workers == 1:
            uvicorn.run(create_app(engine), **options)
            return
        os.environ[ENV_VAR] = served  # inherited by the worker processes
        workers_run(IMPORT_STRING, workers, options)

    if demo:
        if url:
            raise InputError([Problem("--demo makes its own database; leave out --url")])
        from nsra.server.demo import demo_database

        # uvicorn passes a SIGTERM on to the process once it has stopped serving: without a
        # handler that raises, the process ends there, before the folder below is removed
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            with tempfile.TemporaryDirectory(prefix="nsra-demo-") as folder:
                info = demo_database(Path(folder))
                with database(info.url) as engine:
                    address = f"{scheme}://{host}:{port}"
                    out.print(f"nsra demo serving {address}/ (database {folder}, deleted at exit)")
                    out.print(
                        f"Open {address}/ in a browser and sign in as nctv-analyst (an analyst) "
                        f"or demo-coordinator; every demo user's password: {info.password}"
                    )
                    out.print(
                        f"Demo assessment {info.assessment_id}; users (role: name API token):"
                    )
                    for user in info.users:
                        out.print(f"  {user.role:<12} {user.name:<18} {user.token}")
                    out.print(f"The API: {address}/api/docs. Example:")
                    out.print(
                        f"  curl -H 'Authorization: Bearer {info.users[0].token}' "
                        f"{address}/api/assessments"
                    )
                    run(engine, info.url)
        finally:
            signal.signal(signal.SIGTERM, previous)
        return
    with database(url, need_current=False) as engine:
        upgrade(engine)
        address = f"{scheme}://{host}:{port}"
        out.print(f"nsra serving {address}/ (the API: {address}/api/docs)")
        run(engine, database_url(url))

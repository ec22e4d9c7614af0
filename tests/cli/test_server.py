"""``nsra serve`` and ``nsra users`` (nsra.cli.server): what is served, on what database, with
how many workers, and the users' commands. uvicorn is replaced: nothing listens."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from nsra.cli.server import Role
from nsra.server.api.factory import IMPORT_STRING
from nsra.server.db import ENV_VAR
from nsra.server.db.access import GlobalRole
from tests.cli.conftest import Invoke


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What uvicorn.run (one worker) or nsra.server.workers.run (more) was asked to serve (it
    returns at once)."""
    calls: list[dict[str, Any]] = []

    def run(app: Any, **options: Any) -> None:
        calls.append({"app": app, "environ": os.environ.get(ENV_VAR), **options})

    def run_workers(app: str, workers: int, options: dict[str, Any]) -> None:
        run(app, workers=workers, **options)

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr("nsra.server.workers.run", run_workers)
    monkeypatch.delenv(ENV_VAR, raising=False)
    return calls


def test_serve_upgrades_then_serves_the_database(
    invoke: Invoke, served: list[dict[str, Any]], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    done = invoke("serve", "--url", url, "--host", "0.0.0.0", "--port", "8765")
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "nsra serving http://0.0.0.0:8765/ (the API: http://0.0.0.0:8765/api/docs)\n"
    )
    (call,) = served
    assert (call["host"], call["port"]) == ("0.0.0.0", 8765)
    assert type(call["app"]).__name__ == "FastAPI"
    assert (tmp_path / "nsra.db").is_file()


def test_serve_with_workers_passes_the_database_to_them(
    invoke: Invoke, served: list[dict[str, Any]], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    done = invoke("serve", "--url", url, "--workers", "3")
    assert done.exit_code == 0, done.output
    (call,) = served
    assert call["app"] == IMPORT_STRING
    assert call["workers"] == 3
    assert call["environ"] == url  # the workers read the database from the environment


def test_serve_demo_prints_a_user_of_each_role_and_deletes_its_database(
    invoke: Invoke, served: list[dict[str, Any]]
) -> None:
    done = invoke("serve", "--demo", "--port", "8100")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    folder = re.fullmatch(
        r"nsra demo serving http://127\.0\.0\.1:8100/ \(database (.+), deleted at exit\)",
        lines[0],
    )
    assert folder is not None
    assert not Path(folder.group(1)).exists()
    # what a person needs to open it in a browser: the address, who to be, the password
    browser = re.fullmatch(
        r"Open http://127\.0\.0\.1:8100/ in a browser and sign in as nctv-analyst \(an "
        r"analyst\) or demo-coordinator; every demo user's password: (\S+)",
        lines[1],
    )
    assert browser is not None
    assert re.fullmatch(r"Demo assessment \d+; users \(role: name API token\):", lines[2])
    users = [line.split() for line in lines[3:7]]
    assert [u[0] for u in users] == ["admin", "coordinator", "analyst", "viewer"]
    assert [u[1] for u in users][2] == "nctv-analyst"
    assert len({u[2] for u in users}) == 4  # a token each
    assert lines[7:] == [
        "The API: http://127.0.0.1:8100/api/docs. Example:",
        f"  curl -H 'Authorization: Bearer {users[0][2]}' http://127.0.0.1:8100/api/assessments",
    ]
    (call,) = served
    assert type(call["app"]).__name__ == "FastAPI"


def test_serve_demo_makes_its_own_database(invoke: Invoke, served: list[dict[str, Any]]) -> None:
    done = invoke("serve", "--demo", "--url", "sqlite:///x.db")
    assert done.exit_code == 1
    assert str(done.exception) == "error: --demo makes its own database; leave out --url"
    assert served == []


def test_the_roles_are_the_servers_roles() -> None:
    assert [r.value for r in Role] == list(get_args(GlobalRole))


def test_users_add_and_token(invoke: Invoke, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    assert invoke("db", "upgrade", "--url", url).exit_code == 0
    added = invoke("users", "add", "ann", "--role", "analyst", "--password-stdin", "--url", url,
                   input="s3cret\n")  # fmt: skip
    assert (added.exit_code, added.stdout) == (0, "User ann added (analyst).\n")
    token = invoke("users", "token", "ann", "--url", url)
    assert token.exit_code == 0, token.output
    assert re.fullmatch(r"\S{20,}\n", token.stdout)
    other = invoke("users", "token", "ann", "--url", url)
    assert other.stdout != token.stdout  # a new token each time


def test_users_add_refuses_an_empty_password(invoke: Invoke, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    done = invoke("users", "add", "ann", "--role", "viewer", "--password-stdin", "--url", url,
                  input="\n")  # fmt: skip
    assert done.exit_code == 1
    assert str(done.exception) == "error: the password is empty"


def test_users_add_refuses_an_unknown_role(invoke: Invoke) -> None:
    done = invoke("users", "add", "ann", "--role", "boss", "--password-stdin", input="x\n")
    assert done.exit_code == 2
    assert "'boss' is not one of 'admin', 'coordinator', 'analyst', 'viewer'" in done.stderr


@pytest.mark.parametrize("port", ["65536", "99999", "-1"])
def test_a_port_out_of_range_is_wrong_use(
    invoke: Invoke, served: list[dict[str, Any]], port: str
) -> None:
    """Not uvicorn's traceback of "bind(): port must be 0-65535"."""
    done = invoke("serve", "--port", port)
    assert done.exit_code == 2
    said = " ".join(done.stderr.replace("│", " ").split())
    assert f"Invalid value for '--port': {port} is not a port; allowed: 0 to 65535" in said
    assert served == []


def test_the_port_help_is_unchanged(invoke: Invoke) -> None:
    (line,) = [x for x in invoke("serve", "--help").stdout.splitlines() if "--port" in x]
    assert " ".join(line.strip("│ ").split()) == "--port <int> Port to listen on. [default: 8000]"

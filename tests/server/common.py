"""Shared helpers of the server tests: the example files they import, the JSON a client sends,
the error contract, a snapshot of every table, a free port, and the world a test's API runs in
(:class:`World`, made by the ``make_world`` fixture of ``tests/server/conftest.py``)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from nsra.server.db.models import Base
from tests.helpers import EXAMPLES_DIR

UK = EXAMPLES_DIR / "uk-nsra.yaml"
BE = EXAMPLES_DIR / "be-bnra.yaml"
NL = EXAMPLES_DIR / "nl-integrated.yaml"
UK_LABEL = "OFFICIAL (illustrative example)"
BE_LABEL = "NIET GECLASSIFICEERD / UNCLASSIFIED (illustrative example)"


def upload_body(path: Path) -> dict[str, Any]:
    """An example file as the JSON a client sends."""
    data: dict[str, Any] = json.loads(
        json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)
    )
    return data


def is_error(response: Any, status: int) -> dict[str, Any]:
    """An error response: the status, JSON ``{"error": message, "field": ...}``, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert "field" in body
    assert "Traceback" not in response.text
    return body


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare the database before and after."""
    with engine.connect() as conn:
        return {
            name: [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key))]
            for name, table in Base.metadata.tables.items()
        }


def is_classified(response: Any, label: str = UK_LABEL) -> None:
    """The classification label in the answer's header and body."""
    assert response.headers["X-Classification"] == label
    assert response.json()["classification"] == label


def poll_job(client: TestClient, location: str, headers: Mapping[str, str]) -> Any:
    """The answer of a job (``nsra.server.api.jobs``) once it is no longer 202 (at most 3
    minutes: the first job starts the pool's process)."""
    deadline = time.monotonic() + 180
    while True:
        r = client.get(location, headers=dict(headers))
        if r.status_code != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.2)


def free_port() -> int:
    """A port free on loopback now (a server started on it may lose it to another process)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """End a server started by a test: SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


# -- the world of an API test ---------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A user to make: global role, role in each assessment (by the name the test gives the
    assessment), password (``None``: API token only) and whether the account is active."""

    role: str
    member: Mapping[str, str] = field(default_factory=dict)
    password: str | None = None
    active: bool = True


@dataclass
class World:
    """Examples imported, users made (each with an API token), the application on them and a
    client. Test files subclass it for their own names and helpers."""

    engine: Engine
    app: FastAPI
    client: TestClient
    ids: dict[str, int]  # assessment name -> id
    tokens: dict[str, str]  # user name -> API token

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def call(self, who: str, method: str, path: str, **kw: Any) -> Any:
        return self.client.request(method, path, headers=self.auth(who), **kw)


@dataclass
class Callers(World):
    """Two assessments (``mine``: UK example, ``other``: Belgian example) and a user per kind of
    caller (:data:`CALLERS`); ``nobody`` sends no token, ``forger`` a token that is not one."""

    @property
    def mine(self) -> int:
        return self.ids["mine"]

    @property
    def other(self) -> int:
        return self.ids["other"]

    def auth(self, who: str) -> dict[str, str]:
        if who == "nobody":
            return {}
        if who == "forger":
            return {"Authorization": "Bearer nsra_not-a-real-token"}
        return super().auth(who)


# caller -> global role and roles in the assessments; "other" is the Belgian assessment
CALLERS: dict[str, User] = {
    "admin": User("admin"),
    "coordinator": User("coordinator", {"mine": "coordinator"}),
    "analyst": User("analyst", {"mine": "analyst"}),
    "viewer": User("viewer", {"mine": "viewer"}),
    "outsider": User("coordinator", {"other": "coordinator"}),
    "newcomer": User("viewer"),  # a user without any membership, added to assessments in tests
}

W = TypeVar("W", bound=World)


class MakeWorld(Protocol):
    @overload
    def __call__(self, examples: Mapping[str, Path], users: Mapping[str, User]) -> World: ...

    @overload
    def __call__(
        self, examples: Mapping[str, Path], users: Mapping[str, User], kind: type[W]
    ) -> W: ...

"""Fixtures of the server tests: ``make_world`` makes the world an API test runs in (examples
imported, users with roles, memberships and tokens, the application and a client) on the
``engine`` fixture's database (SQLite and PostgreSQL, see ``tests/conftest.py``); ``callers``
is the world of two assessments and a user per kind of caller that several files share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra.server.api import create_app
from nsra.server.db import import_file
from nsra.server.db.access import MembershipRow, add_user, new_token
from tests.server.common import BE, CALLERS, UK, Callers, MakeWorld, User, World


@pytest.fixture
def make_world(engine: Engine) -> Iterator[MakeWorld]:
    """``make_world(examples, users, kind=World)``: import each example (``{name: path}``, in
    that order), make each user (``{name: User(...)}``, in that order) with an API token and
    their memberships, and start the application on the database: a ``kind`` (a subclass of
    :class:`~tests.server.common.World`). The clients are closed at the end of the test."""
    with ExitStack() as stack:

        def make(
            examples: Mapping[str, Path], users: Mapping[str, User], kind: type[World] = World
        ) -> World:
            ids = {name: import_file(engine, str(path)) for name, path in examples.items()}
            tokens: dict[str, str] = {}
            with Session(engine) as s, s.begin():
                for name, spec in users.items():
                    user = add_user(s, name, spec.role, spec.password)
                    user.active = spec.active
                    tokens[name] = new_token(s, user)
                    for which, role in spec.member.items():
                        s.add(MembershipRow(user_id=user.id, assessment_id=ids[which], role=role))
            app = create_app(engine)
            client = stack.enter_context(TestClient(app))
            return kind(engine, app, client, ids, tokens)

        yield make  # type: ignore[misc]


@pytest.fixture
def callers(make_world: MakeWorld) -> Callers:
    """The UK example (``mine``) and the Belgian one (``other``) with a user per kind of caller
    (:data:`tests.server.common.CALLERS`)."""
    return make_world({"mine": UK, "other": BE}, CALLERS, Callers)

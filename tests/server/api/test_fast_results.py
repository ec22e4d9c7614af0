"""Cached results answered in one query (:mod:`nsra.server.api.fast_results`): the same answer
as the endpoint's, and never when the endpoint would answer otherwise (another status, a
hidden view, a newer revision)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from nsra.server.api import create_app
from nsra.server.api.fast_results import FastResults, LookupFailed, Reader
from nsra.server.db import make_engine, upgrade
from nsra.server.db.access import UserRow, add_user, new_token
from nsra.server.demo import DEMO_ANALYST, _fill
from tests.conftest import reset_postgres
from tests.server.common import is_error


@dataclass
class Demo:
    engine: Engine
    app: FastAPI
    client: TestClient
    lane: FastResults
    assessment_id: int
    tokens: dict[str, str]

    def get(self, user: str, suffix: str = "") -> Any:
        path = f"/api/assessments/{self.assessment_id}/results{suffix}"
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[user]}"})


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Demo]:
    if request.param == "postgresql":
        engine = reset_postgres()  # skips (or fails in CI) without PostgreSQL
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    upgrade(engine)
    assessment_id, users = _fill(engine)
    app = create_app(engine)
    with TestClient(app) as client:
        client.get("/api/openapi.json")  # builds the middleware stack
        lane = app.middleware_stack
        assert lane is not None
        yield Demo(
            engine, app, client, _lane_of(lane), assessment_id, {u.name: u.token for u in users}
        )
    engine.dispose()


def _lane_of(stack: Any) -> FastResults:
    layer = stack
    while layer is not None and not isinstance(layer, FastResults):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, FastResults)
    return layer


SAME = ("content-type", "x-classification", "cache-control", "content-security-policy")


@pytest.mark.parametrize("user", ["demo-admin", "demo-coordinator", DEMO_ANALYST, "demo-viewer"])
def test_the_second_read_is_served_from_the_cache_exactly_as_the_first(
    demo: Demo, user: str
) -> None:
    first = demo.get(user)  # computed by the endpoint
    assert first.status_code == 200 and demo.lane.served == 0
    second = demo.get(user)
    assert demo.lane.served == 1
    assert second.status_code == 200
    assert second.content == first.content
    for name in SAME:
        assert second.headers.get(name) == first.headers.get(name), name
    # a query string goes the usual way, with the same answer
    third = demo.get(user, "?x=1")
    assert demo.lane.served == 1 and third.content == first.content


def test_a_change_is_seen_at_once(demo: Demo) -> None:
    before = demo.get(DEMO_ANALYST)
    demo.get(DEMO_ANALYST)
    assert demo.lane.served == 1
    headers = {"Authorization": f"Bearer {demo.tokens[DEMO_ANALYST]}"}
    data = demo.client.get(f"/api/assessments/{demo.assessment_id}", headers=headers).json()
    scenario = next(
        sc["id"]
        for sc in data["assessment"]["scenarios"]
        if any(e["analyst"] == DEMO_ANALYST for e in sc.get("estimates", []))
    )
    slot = (
        f"/api/assessments/{demo.assessment_id}/scenarios/{scenario}"
        f"/estimates/{DEMO_ANALYST}/likelihood"
    )
    current = demo.client.get(slot, headers=headers)
    assert current.status_code == 200, current.text
    was = current.json()
    new = "A" if was["estimate"] != "A" else "B"
    changed = demo.client.put(
        slot, headers=headers, json={"estimate": new, "version": was["version"]}
    )
    assert changed.status_code == 200, changed.text
    after = demo.get(DEMO_ANALYST)
    assert demo.lane.served == 1  # a new revision: computed again by the endpoint
    assert after.content != before.content
    demo.get(DEMO_ANALYST)
    assert demo.lane.served == 2  # and then served from the cache again


def test_refusals_are_the_endpoints_own(demo: Demo) -> None:
    demo.get("demo-admin")  # cached
    path = f"/api/assessments/{demo.assessment_id}/results"
    is_error(demo.client.get(path, headers={"Authorization": "Bearer not-a-token"}), 401)
    is_error(demo.client.get(path), 401)
    admin = {"Authorization": f"Bearer {demo.tokens['demo-admin']}"}
    is_error(demo.client.get("/api/assessments/999/results", headers=admin), 404)
    with Session(demo.engine) as s, s.begin():
        outsider = add_user(s, "outsider", "viewer", None)  # a viewer, member of nothing
        token = new_token(s, outsider)
    is_error(demo.client.get(path, headers={"Authorization": f"Bearer {token}"}), 404)
    with Session(demo.engine) as s, s.begin():
        s.execute(update(UserRow).where(UserRow.name == "demo-viewer").values(active=False))
    is_error(demo.get("demo-viewer"), 401)  # an inactive user's token is refused at once
    assert demo.lane.served == 0


def test_an_analyst_during_an_open_round_gets_the_hidden_view(demo: Demo) -> None:
    demo.get(DEMO_ANALYST)
    demo.get(DEMO_ANALYST)
    assert demo.lane.served == 1
    coordinator = {"Authorization": f"Bearer {demo.tokens['demo-coordinator']}"}
    opened = demo.client.post(
        f"/api/assessments/{demo.assessment_id}/rounds", headers=coordinator, json={"note": None}
    )
    assert opened.status_code == 201, opened.text
    demo.get("demo-coordinator")  # the full view at the new revision, cached
    assert demo.get("demo-coordinator").status_code == 200
    served = demo.lane.served
    hidden = demo.get(DEMO_ANALYST)
    assert demo.lane.served == served  # never from the cache of the full view
    assert "hidden" in hidden.json()


def test_each_engine_reads_on_a_connection_of_the_lanes_own(demo: Demo) -> None:
    reader = demo.app.state.fast_reader
    assert reader.kind == demo.engine.dialect.name  # not the pool in a thread
    demo.get("demo-admin")
    demo.get("demo-admin")
    assert demo.lane.served == 1


def test_a_broken_connection_is_answered_by_the_endpoint_then_opened_again(demo: Demo) -> None:
    first = demo.get("demo-coordinator")
    demo.get("demo-coordinator")
    assert demo.lane.served == 1
    reader = demo.app.state.fast_reader
    connection = reader._pg if reader.kind == "postgresql" else reader._sqlite
    assert connection is not None
    if reader.kind == "postgresql":
        demo.client.portal.call(connection.close)  # type: ignore[union-attr]
    else:
        connection.close()
    again = demo.get("demo-coordinator")  # the lane's query fails: the endpoint answers
    assert again.status_code == 200 and again.content == first.content
    assert demo.lane.served == 1
    demo.get("demo-coordinator")  # a new connection
    assert demo.lane.served == 2


def test_concurrent_readers_share_a_query_on_postgresql(demo: Demo) -> None:
    """PostgreSQL answers the readers waiting together in one query; each still gets its own
    row (an outsider among them gets the endpoint's 404). SQLite: one query a read."""
    first = demo.get("demo-admin")
    with Session(demo.engine) as s, s.begin():
        outsider = new_token(s, add_user(s, "outsider", "viewer", None))  # member of nothing
    tokens = [demo.tokens[n] for n in ("demo-admin", "demo-coordinator", "demo-viewer")]
    tokens = [*tokens, demo.tokens[DEMO_ANALYST], outsider] * 4
    path = f"/api/assessments/{demo.assessment_id}/results"
    reader = demo.app.state.fast_reader

    async def many() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=demo.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await asyncio.gather(
                *(c.get(path, headers={"Authorization": f"Bearer {t}"}) for t in tokens)
            )

    batches = reader.batches
    portal = demo.client.portal
    assert portal is not None
    answers = portal.call(many)
    for token, answer in zip(tokens, answers, strict=True):
        if token == outsider:
            is_error(answer, 404)
        else:
            assert answer.status_code == 200 and answer.content == first.content
    assert demo.lane.served == len(tokens) - 4
    if reader.kind == "postgresql":
        assert 1 <= reader.batches - batches < len(tokens) // 2  # several readers a query
    else:
        assert reader.batches == 0


@pytest.mark.parametrize("mode", ["wal", "delete"])
def test_sqlite_never_holds_the_event_loop_behind_a_writer(tmp_path: Path, mode: str) -> None:
    """In WAL mode (as nsra opens SQLite) a read goes on beside an open write; in rollback-
    journal mode (a file that could not switch) it would have to wait: it fails at once instead
    and the endpoint answers (the driver would wait 5 s, holding the event loop)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    upgrade(engine)
    engine.dispose()
    setup = sqlite3.connect(tmp_path / "nsra.db", isolation_level=None)
    assert setup.execute(f"PRAGMA journal_mode={mode}").fetchone() == (mode,)
    setup.close()
    reader = Reader(make_engine(f"sqlite:///{tmp_path / 'nsra.db'}"))
    locker = sqlite3.connect(tmp_path / "nsra.db", isolation_level=None)
    try:
        assert asyncio.run(reader.who("0" * 64, 1)) is None  # no such token: no row
        locker.execute("BEGIN EXCLUSIVE")  # a writer committing
        locker.execute("UPDATE audit_head SET version = version + 1")
        t0 = time.perf_counter()
        if mode == "wal":
            assert asyncio.run(reader.who("0" * 64, 1)) is None
        else:
            with pytest.raises(LookupFailed):
                asyncio.run(reader.who("0" * 64, 1))
        assert time.perf_counter() - t0 < 0.5  # at once either way
    finally:
        locker.close()
        asyncio.run(reader.close())
        reader.engine.dispose()

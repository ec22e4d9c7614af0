"""Admission control (:mod:`nsra.server.api.admission`): a worker works on no more requests at
once than its database pool can serve, the rest wait in line, and overload is a 503, never a
500 (issue 12: under load, requests held connections between their dependencies and their
endpoint and the pool ran dry)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import create_engine, event
from starlette.types import Receive, Scope, Send

from nsra.server.api import create_app
from nsra.server.api.admission import CONNECTIONS_PER_REQUEST, RESERVED, Admission, admitted
from nsra.server.api.app import pool_capacity
from nsra.server.db import make_engine, upgrade
from nsra.server.db.engine import MAX_CONNECTIONS
from nsra.server.demo import DEMO_ANALYST, _fill
from tests.server.common import is_error


class Counting:
    """A toy ASGI app that counts the requests in progress at once and answers after a pause."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.now = 0
        self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(self.pause)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            self.now -= 1


async def _get_all(app: Any, paths: list[str]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return list(await asyncio.gather(*(client.get(p) for p in paths)))


def test_no_more_than_the_limit_in_progress_and_everyone_answered() -> None:
    inner = Counting(pause=0.01)
    answers = asyncio.run(_get_all(Admission(inner, limit=3), ["/api/x"] * 30))
    assert [r.status_code for r in answers] == [200] * 30
    assert inner.most == 3  # the line was used to the full, never beyond


def test_static_files_never_wait_in_line() -> None:
    inner = Counting(pause=0.05)
    answers = asyncio.run(_get_all(Admission(inner, limit=1), ["/static/app.css"] * 5))
    assert [r.status_code for r in answers] == [200] * 5
    assert inner.most == 5


def test_a_request_that_waits_too_long_is_told_the_server_is_busy() -> None:
    inner = Counting(pause=0.5)
    answers = asyncio.run(_get_all(Admission(inner, limit=1, wait=0.1), ["/api/x"] * 3))
    assert sorted(r.status_code for r in answers) == [200, 503, 503]
    busy = next(r for r in answers if r.status_code == 503)
    body = is_error(busy, 503)
    assert "busy" in body["error"]
    assert busy.headers["Retry-After"] == "5"


def test_the_limit_leaves_every_admitted_request_its_connections() -> None:
    for capacity in (6, 10, MAX_CONNECTIONS, 41):
        limit = admitted(capacity)
        assert limit * CONNECTIONS_PER_REQUEST + RESERVED <= capacity
        assert (limit + 1) * CONNECTIONS_PER_REQUEST + RESERVED > capacity  # not wastefully low
    assert admitted(1) == 1
    assert pool_capacity(make_engine("sqlite:///:memory:")) == 1 << 16  # one shared connection


def test_a_small_pool_under_many_clients_answers_every_request(tmp_path: Path) -> None:
    """40 clients at once on a pool of 10 connections with 4 threads (as ``nsra serve
    --threads 4``): without admission every connection was soon held by a request waiting for a
    thread while the threads waited for a connection, and requests failed with 500."""
    url = f"sqlite:///{tmp_path / 'nsra.db'}"
    setup = make_engine(url)
    upgrade(setup)
    assessment_id, users = _fill(setup)
    setup.dispose()
    token = next(u.token for u in users if u.name == DEMO_ANALYST)
    engine = create_engine(url, pool_size=2, max_overflow=8, pool_timeout=2)
    event.listen(engine, "connect", lambda c, _r: c.execute("PRAGMA foreign_keys=ON"))
    assert pool_capacity(engine) == 10
    app = create_app(engine)
    headers = {"Authorization": f"Bearer {token}"}

    async def load() -> list[httpx.Response]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 4
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=headers, timeout=120
        ) as client:
            paths = [f"/api/assessments/{assessment_id}/scenarios", "/api/assessments"] * 20
            return list(await asyncio.gather(*(client.get(p) for p in paths)))

    answers = asyncio.run(load())
    engine.dispose()
    assert [r.status_code for r in answers] == [200] * 40, {r.text for r in answers}


@pytest.mark.parametrize("capacity", [10])
def test_admitted_is_what_the_application_uses(tmp_path: Path, capacity: int) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", pool_size=2, max_overflow=capacity - 2)
    app = create_app(engine)
    built = app.build_middleware_stack()
    layer: Any = built
    limits = []
    while layer is not None:
        if isinstance(layer, Admission):
            limits.append(layer.limit)
        layer = getattr(layer, "app", None)
    assert limits == [admitted(capacity)]


def test_a_pool_that_runs_dry_anyway_is_a_503_not_a_500(tmp_path: Path) -> None:
    """The safety net behind admission: no connection in time is overload, said as such."""
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    app = create_app(make_engine(f"sqlite:///{tmp_path / 'y.db'}"))

    @app.get("/api/dry")
    def dry() -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 35 reached")

    answer = TestClient(app).get("/api/dry")
    assert "busy" in is_error(answer, 503)["error"]
    assert answer.headers["Retry-After"] == "5"

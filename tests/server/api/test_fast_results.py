"""Cached results answered in one query (:mod:`nsra.server.api.fast_results`): the same answer
as the endpoint's, and never when the endpoint would answer otherwise (another status, a
hidden view, a newer revision)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from nsra.server.api import create_app
from nsra.server.api.fast_results import FastResults
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

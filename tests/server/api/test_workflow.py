"""The interdepartmental workflow (nsra.server.api.workflow): a whole Delphi exercise through
the API, on SQLite and PostgreSQL.

A coordinator creates an assessment, invites two ministries and their analysts (users), assigns
scenarios and opens round 1. Each analyst estimates without seeing the other until they have
submitted; the coordinator sees the spread, closes the round, opens round 2, and the analysts
move closer; the rounds compare; the coordinator records the consensus with its rationale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from nsra.server.db import audit
from tests.server import common
from tests.server.common import MakeWorld, User

LABEL = "RESTRICTED (test)"
HEAT, FLOOD = "heatwave", "flooding"
BASE = {
    "title": {"en": "Delphi test"},
    "method": "uk-nsra-2023",
    "date": "2026-11-01",
    "classification": LABEL,
    "organisations": [{"id": "cabinet-office", "name": "Cabinet Office"}],
    "analysts": [],
    "scenarios": [
        {
            "id": sid,
            "title": {"en": sid},
            "theme": "natural hazards",
            "domain": "internal",
            "malicious": False,
            "owner": "cabinet-office",
        }
        for sid in (HEAT, FLOOD)
    ],
}


@dataclass
class Desk(common.World):
    aid: int = 0

    def call(self, who: str, method: str, path: str, **kw: Any) -> Any:
        url = f"/api/assessments/{self.aid}{path}" if not path.startswith("/api") else path
        return super().call(who, method, url, **kw)

    def ok(self, who: str, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.call(who, method, path, **kw)
        assert r.status_code == status, r.text
        return r.json()

    def estimate(self, who: str, scenario: str, analyst: str, slot: str, value: Any) -> Any:
        path = f"/scenarios/{scenario}/estimates/{analyst}/{slot}"
        current = self.call(who, "GET", path)
        version = current.json().get("version") if current.status_code == 200 else None
        return self.call(who, "PUT", path, json={"estimate": value, "version": version})


USERS = {
    "coord": User("coordinator"),
    "ana": User("analyst"),
    "bob": User("analyst"),
    "vera": User("viewer"),
}


@pytest.fixture
def desk(make_world: MakeWorld) -> Desk:
    d = make_world({}, USERS, Desk)
    d.aid = d.ok("coord", "POST", "/api/assessments", 201, json=BASE)["id"]
    return d


def _invite(d: Desk) -> None:
    d.ok("coord", "POST", "/organisations", 201, json={"id": "defra", "name": "DEFRA"})
    d.ok("coord", "POST", "/organisations", 201, json={"id": "dhsc", "name": "DHSC"})
    d.ok("coord", "PUT", "/analysts/defra-1", json={"organisation": "defra", "user": "ana"})
    d.ok("coord", "PUT", "/analysts/dhsc-1", json={"organisation": "dhsc", "user": "bob"})
    d.ok("coord", "POST", "/members", 201, json={"user": "vera", "role": "viewer"})
    for analyst in ("defra-1", "dhsc-1"):
        d.ok("coord", "PUT", f"/assignments/{HEAT}/{analyst}")
    d.ok("coord", "PUT", f"/assignments/{FLOOD}/defra-1")


def test_a_whole_delphi_exercise(desk: Desk) -> None:
    d = desk
    _invite(d)
    # invited analysts are members with the analyst role, linked to their analyst
    assert d.ok("ana", "GET", "")["role"] == "analyst"
    analysts = {a["id"]: a["user"] for a in d.ok("coord", "GET", "/analysts")["analysts"]}
    assert analysts == {"defra-1": "ana", "dhsc-1": "bob"}
    pairs = {
        (a["scenario"], a["analyst"]) for a in d.ok("ana", "GET", "/assignments")["assignments"]
    }
    assert pairs == {(HEAT, "defra-1"), (HEAT, "dhsc-1"), (FLOOD, "defra-1")}

    # before the first round analysts prepare freely; an unassigned scenario is refused
    assert d.estimate("bob", FLOOD, "dhsc-1", "likelihood", "3").status_code == 403
    assert d.estimate("ana", HEAT, "dhsc-1", "likelihood", "3").status_code == 403  # not hers

    r1 = d.ok("coord", "POST", "/rounds", 201, json={"note": "first estimates"})
    assert r1["number"] == 1 and r1["status"] == "open"
    assert d.call("coord", "POST", "/rounds", json={}).status_code == 409  # one open at a time

    for who, analyst, lik, hw in (("ana", "defra-1", "2", "2"), ("bob", "dhsc-1", "5", "4")):
        assert d.estimate(who, HEAT, analyst, "likelihood", lik).status_code == 200
        assert d.estimate(who, HEAT, analyst, "human-welfare", hw).status_code == 200

    # independence: ana cannot see bob's estimate of HEAT before she submits
    r = d.call("ana", "GET", f"/scenarios/{HEAT}/estimates/dhsc-1/likelihood")
    assert r.status_code == 403 and "submit" in r.json()["error"]
    seen = d.ok("ana", "GET", "")
    heat = next(s for s in seen["assessment"]["scenarios"] if s["id"] == HEAT)
    assert {e["analyst"] for e in heat["estimates"]} == {"defra-1"}
    assert HEAT in seen["hidden"]["scenarios"]
    results = d.ok("ana", "GET", "/results")
    heat_result = next(s for s in results["scenarios"] if s["id"] == HEAT)
    assert heat_result["spread"]["likelihood"]["analysts"] == 1  # only her own estimate
    # the coordinator sees both, and the pending submissions
    spread = d.ok("coord", "GET", "/rounds/1")
    heat_round = next(s for s in spread["scenarios"] if s["id"] == HEAT)
    assert heat_round["spread"]["likelihood"]["analysts"] == 2
    assert sorted(heat_round["pending"]) == ["defra-1", "dhsc-1"]
    # others may not see an open round's spread
    assert d.call("ana", "GET", "/rounds/1").status_code == 403

    d.ok("ana", "POST", f"/scenarios/{HEAT}/submit", 201, json={})
    assert d.call("ana", "POST", f"/scenarios/{HEAT}/submit", json={}).status_code == 409
    r = d.call("ana", "GET", f"/scenarios/{HEAT}/estimates/dhsc-1/likelihood")
    assert r.status_code == 200 and r.json()["estimate"] == "5"  # visible once submitted
    changed = d.estimate("ana", HEAT, "defra-1", "likelihood", "3")
    assert changed.status_code == 409 and "next round" in changed.json()["error"]
    # bob still cannot see hers
    assert (
        d.call("bob", "GET", f"/scenarios/{HEAT}/estimates/defra-1/likelihood").status_code == 403
    )
    d.ok("bob", "POST", f"/scenarios/{HEAT}/submit", 201, json={})
    assert d.call("bob", "POST", f"/scenarios/{FLOOD}/submit", json={}).status_code == 403

    closed = d.ok("coord", "POST", "/rounds/1/close")
    assert closed["status"] == "closed" and closed["submissions"] == 2
    # between rounds analysts do not write
    assert d.estimate("ana", HEAT, "defra-1", "likelihood", "3").status_code == 409
    assert d.ok("vera", "GET", "/rounds/1")["status"] == "closed"  # closed rounds are for all

    d.ok("coord", "POST", "/rounds", 201, json={"note": "after the discussion"})
    assert d.estimate("ana", HEAT, "defra-1", "likelihood", "3").status_code == 200
    assert d.estimate("bob", HEAT, "dhsc-1", "likelihood", "4").status_code == 200
    assert d.estimate("bob", HEAT, "dhsc-1", "human-welfare", "3").status_code == 200
    d.ok("coord", "POST", "/rounds/2/close")

    # round 1 kept its estimates; the comparison shows the spread narrowing
    first = d.ok("vera", "GET", "/rounds/1")
    heat1 = next(s for s in first["scenarios"] if s["id"] == HEAT)
    by = {e["analyst"]: e for e in heat1["estimates"]}
    assert by["defra-1"]["likelihood"] == "2" and by["dhsc-1"]["likelihood"] == "5"
    cmp = d.ok("vera", "GET", "/rounds/compare", params={"from": 1, "to": 2})
    heat_cmp = next(s for s in cmp["scenarios"] if s["id"] == HEAT)
    lik = next(x for x in heat_cmp["slots"] if x["slot"] == "likelihood")
    assert lik["from"]["width"] == 3.0 and lik["to"]["width"] == 1.0 and lik["narrowed"] is True
    assert lik["from"]["median"] == 3.5 and lik["to"]["median"] == 3.5
    hw = next(x for x in heat_cmp["slots"] if x["slot"] == "human-welfare")
    assert hw["from"]["width"] == 2.0 and hw["to"]["width"] == 1.0

    # consensus needs a rationale, then counts in the results
    path = f"/scenarios/{HEAT}/consensus"
    r = d.call("coord", "PUT", path, json={"item": {"likelihood": "4"}, "version": None})
    assert r.status_code == 422 and r.json()["field"] == "item.rationale"
    assert d.call("ana", "PUT", path, json={"item": {"likelihood": "4"}}).status_code == 403
    item = {"likelihood": "4", "impact": {"human-welfare": "3"}, "rationale": "agreed in round 2"}
    made = d.ok("coord", "PUT", path, json={"item": item, "version": None})
    assert made["item"]["rationale"] == "agreed in round 2" and made["version"] >= 1
    res = next(s for s in d.ok("vera", "GET", "/results")["scenarios"] if s["id"] == HEAT)
    assert (
        res["likelihood"]["class"] == "4"
        and res["impact"]["criteria"]["human-welfare"]["class"] == "3"
    )

    with Session(d.engine) as s:
        actions = [e.action for e in audit.entries(s, d.aid)]
    for action in (
        "organisations.create",
        "analysts.create",
        "assignments.create",
        "rounds.open",
        "submissions.create",
        "rounds.close",
        "consensus.create",
        "estimate.create",
        "estimate.update",
    ):
        assert action in actions, action
    assert audit.verify(d.engine) == []


def test_only_coordinators_run_the_workflow(desk: Desk) -> None:
    d = desk
    _invite(d)
    for who in ("ana", "vera"):
        assert d.call(who, "POST", "/rounds", json={}).status_code == 403
        assert d.call(who, "PUT", f"/assignments/{FLOOD}/dhsc-1").status_code == 403
        assert d.call(who, "PUT", "/analysts/x", json={"organisation": "defra"}).status_code == 403
        body = {"id": "mod", "name": "MOD"}
        assert d.call(who, "POST", "/organisations", json=body).status_code == 403
    # the viewer cannot submit or write
    d.ok("coord", "POST", "/rounds", 201, json={})
    assert d.call("vera", "POST", f"/scenarios/{HEAT}/submit", json={}).status_code == 403
    assert d.estimate("vera", HEAT, "defra-1", "likelihood", "2").status_code == 403


def test_invitations_are_checked(desk: Desk) -> None:
    d = desk
    r = d.call("coord", "PUT", "/analysts/a1", json={"organisation": "nowhere"})
    assert r.status_code == 422 and r.json()["field"] == "organisation"
    r = d.call("coord", "PUT", "/analysts/a1", json={"organisation": "cabinet-office", "user": "x"})
    assert r.status_code == 422 and r.json()["field"] == "user"
    r = d.call("coord", "POST", "/organisations", json={"id": "Not An Id!", "name": "x"})
    assert r.status_code == 422 and r.json()["field"].startswith("organisation")
    d.ok("coord", "POST", "/organisations", 201, json={"id": "defra", "name": "DEFRA"})
    assert (
        d.call("coord", "POST", "/organisations", json={"id": "defra", "name": "y"}).status_code
        == 409
    )
    r = d.call("coord", "PUT", f"/assignments/{HEAT}/nobody")
    assert r.status_code == 404 and r.json()["field"] == "analyst"
    assert d.call("coord", "POST", "/rounds/7/close").status_code == 404
    assert d.call("coord", "POST", f"/scenarios/{HEAT}/submit", json={}).status_code == 409

"""The likelihood at a horizon (the BNRA's 2050) through the API, on SQLite and PostgreSQL: the
estimate slot ``likelihood@2050`` (written, read, checked as the present likelihood, refused for
a method without that horizon, audited, exported and imported back) and the consensus's
``horizon``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from nsra.server.db import assessment_data, audit, import_file
from tests.server import common
from tests.server.common import BE, UK, MakeWorld, User

AT_2050 = "likelihood@2050"


@dataclass
class Api(common.World):
    @property
    def be(self) -> int:
        return self.ids["be"]

    @property
    def uk(self) -> int:
        return self.ids["uk"]

    def estimate(self, aid: int, scenario: str, analyst: str, slot: str) -> str:
        return f"/api/assessments/{aid}/scenarios/{scenario}/estimates/{analyst}/{slot}"

    def data(self, aid: int) -> dict[str, Any]:
        with Session(self.engine) as s:
            return assessment_data(s, aid)


USERS = {
    "coord": User("coordinator", {"be": "coordinator", "uk": "coordinator"}),
    "vera": User("viewer", {"be": "viewer"}),
}


@pytest.fixture
def api(make_world: MakeWorld) -> Api:
    return make_world({"be": BE, "uk": UK}, USERS, Api)


def _estimate(data: dict[str, Any], scenario: str, analyst: str, level: str) -> dict[str, Any]:
    sc = next(x for x in data["scenarios"] if x["id"] == scenario)
    found: dict[str, Any] = next(
        e for e in sc["estimates"] if e["analyst"] == analyst and e.get("level") == level
    )
    return found


def test_the_likelihood_in_2050_is_a_slot_of_its_own(api: Api, tmp_path: Path) -> None:
    path = api.estimate(api.be, "pandemic", "nccn-analyst", AT_2050)
    major = {"level": "major"}
    empty = api.call("vera", "GET", path, params=major)
    assert empty.status_code == 200, empty.text
    assert empty.json()["estimate"] is None and empty.json()["version"] is None
    made = api.call(
        "coord",
        "PUT",
        path,
        params=major,
        json={"estimate": "4", "rationale": "Warmer winters.", "version": None},
    )
    assert made.status_code == 200, made.text
    body = made.json()
    assert (body["slot"], body["estimate"], body["version"]) == (AT_2050, "4", 1)
    assert api.call("vera", "GET", path, params=major).json()["estimate"] == "4"
    # the file's form: beside today's likelihood, which is untouched
    est = _estimate(api.data(api.be), "pandemic", "nccn-analyst", "major")
    assert est["likelihood"] == "3" and est["horizon"] == {"2050": "4"}
    # a value in the likelihood's unit (a return period in years), then a stale version: 409
    changed = api.call(
        "coord", "PUT", path, params=major, json={"estimate": {"value": 40}, "version": 1}
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api.call("coord", "PUT", path, params=major, json={"estimate": "2", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"] == {"value": 40} and stale.json()["version"] == 2
    # the audit trail names the slot, with old and new value and the rationale
    with Session(api.engine) as s:
        trail = [
            audit.as_dict(e)
            for e in audit.entries(s, api.be)
            if e.entity_key == f"pandemic/nccn-analyst/major/{AT_2050}"
        ]
    assert [(e["action"], e["old"], e["new"]) for e in trail] == [
        ("estimate.create", None, "4"),
        ("estimate.update", "4", {"value": 40}),
    ]
    assert trail[0]["rationale"] == "Warmer winters."
    # exported and imported back, the horizon is there again
    out = tmp_path / "be.json"
    out.write_text(json.dumps(api.data(api.be)), encoding="utf-8")
    again = import_file(api.engine, str(out))
    est2 = _estimate(api.data(again), "pandemic", "nccn-analyst", "major")
    assert est2["horizon"] == {"2050": {"value": 40}} and est2["likelihood"] == "3"


def test_a_horizon_is_checked_as_the_present_likelihood(api: Api) -> None:
    major = {"level": "major"}
    for scenario, bad, good in (("pandemic", "6", "5"), ("terrorist-attack", "4", "3")):
        # DP "1".."5" for a non-malicious risk, motivation "0".."3" for a malicious one
        today = api.estimate(api.be, scenario, "nccn-analyst", "likelihood")
        at_2050 = api.estimate(api.be, scenario, "nccn-analyst", AT_2050)
        a = api.call("coord", "PUT", today, params=major, json={"estimate": bad, "version": 1})
        b = api.call("coord", "PUT", at_2050, params=major, json={"estimate": bad})
        assert a.status_code == b.status_code == 422, (a.text, b.text)
        assert a.json()["error"] == b.json()["error"] and b.json()["field"] == "estimate"
        ok = api.call("coord", "PUT", at_2050, params=major, json={"estimate": good})
        assert ok.status_code == 200, ok.text
    # a horizon the method does not declare, and a method without horizons
    r = api.call(
        "coord", "PUT", api.estimate(api.be, "pandemic", "nccn-analyst", "likelihood@2100"),
        params=major, json={"estimate": "3"},
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "slot"
    assert "no horizon '2100'" in r.json()["error"] and AT_2050 in r.json()["error"]
    data = api.data(api.uk)
    sc = data["scenarios"][0]
    e = sc["estimates"][0]
    uk = api.estimate(api.uk, sc["id"], e["analyst"], AT_2050)
    r = api.call("coord", "PUT", uk, params={"level": e.get("level")} if e.get("level") else {},
                 json={"estimate": "C"})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "slot"
    assert "has no horizons" in r.json()["error"]
    assert api.call("coord", "GET", uk).status_code == 422
    assert api.data(api.uk) == data  # nothing written


def test_the_consensus_carries_the_horizon(api: Api) -> None:
    path = f"/api/assessments/{api.be}/scenarios/pandemic/consensus"
    item = {
        "likelihood": "3",
        "horizon": {"2050": "4"},
        "rationale": "Agreed after the workshop.",
    }
    r = api.call("coord", "PUT", path, params={"level": "major"}, json={"item": item})
    assert r.status_code == 200, r.text
    assert r.json()["item"]["horizon"] == {"2050": "4"}
    listed = api.call("vera", "GET", path).json()["consensus"]
    assert [c["item"].get("horizon") for c in listed if c["item"].get("level") == "major"] == [
        {"2050": "4"}
    ]
    sc = next(x for x in api.data(api.be)["scenarios"] if x["id"] == "pandemic")
    assert next(c for c in sc["consensus"] if c["level"] == "major")["horizon"] == {"2050": "4"}
    # checked as the present likelihood: a class outside the scale names its field
    bad = {**item, "horizon": {"2050": "7"}}
    r = api.call("coord", "PUT", path, params={"level": "major"}, json={"item": bad, "version": 1})
    assert r.status_code == 422 and r.json()["field"] == "item.horizon.2050", r.text
    unknown = {**item, "horizon": {"2100": "4"}}
    r = api.call(
        "coord", "PUT", path, params={"level": "major"}, json={"item": unknown, "version": 1}
    )
    assert r.status_code == 422 and r.json()["field"] == "item.horizon.2100", r.text

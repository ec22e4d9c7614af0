"""Consensus, cascades, strategies and measures through the API (nsra.server.api.content), and
concurrent edits of one estimate; on SQLite and PostgreSQL.

Every write: version checked (409 with the current item), checked by the file checker (422
with the field), made in place, audited, visible in the export and in the results.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from nsra.io.validate import parse_assessment
from nsra.server.db import assessment_data, audit
from nsra.server.db.methods import method_of
from nsra.server.db.models import AssessmentRow
from tests.server import common
from tests.server.common import BE, NL, MakeWorld, User

WAR, GAS, SEA = "armed-conflict-nato-eastern-border", "gas-supply-disruption", "pandemic"


@dataclass
class Api(common.World):
    @property
    def nl(self) -> int:
        return self.ids["nl"]

    @property
    def be(self) -> int:
        return self.ids["be"]

    def ok(self, who: str, method: str, path: str, **kw: Any) -> Any:
        r = self.call(who, method, path, **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def data(self, aid: int | None = None) -> dict[str, Any]:
        with Session(self.engine) as s:
            return assessment_data(s, self.nl if aid is None else aid)


BOTH = ("nl", "be")
USERS = {
    "coord": User("coordinator", dict.fromkeys(BOTH, "coordinator")),
    "ana": User("analyst", dict.fromkeys(BOTH, "analyst")),
    "vera": User("viewer", dict.fromkeys(BOTH, "viewer")),
}


@pytest.fixture
def api(make_world: MakeWorld) -> Api:
    return make_world({"nl": NL, "be": BE}, USERS, Api)


def _valid(api: Api, aid: int) -> None:
    """The stored assessment still passes the file checker."""
    with Session(api.engine) as s:
        row = s.get(AssessmentRow, aid)
        assert row is not None
        parse_assessment(json.dumps(assessment_data(s, aid)), "db", method=method_of(row.method))


def test_strategy_create_change_conflict_delete(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/strategies"
    listed = api.ok("vera", "GET", base)
    assert [x["item"]["id"] for x in listed["strategies"]] == [
        s["id"] for s in api.data()["strategies"]
    ]
    item = {"title": {"en": "Water strategy"}, "scope": "national", "owner": "ienw"}
    made = api.ok("coord", "PUT", f"{base}/water", json={"item": item, "version": None})
    assert made["item"] == {"id": "water", **item} and made["version"] == 1
    assert api.data()["strategies"][-1] == {"id": "water", **item}
    # creating again (version null) is a conflict: it exists now
    again = api.call("coord", "PUT", f"{base}/water", json={"item": item, "version": None})
    assert again.status_code == 409 and again.json()["current"] == made["item"]
    changed = {**item, "scope": "international"}
    r = api.ok("coord", "PUT", f"{base}/water", json={"item": changed, "version": 1})
    assert r["version"] == 2 and r["item"]["scope"] == "international"
    stale = api.call("coord", "PUT", f"{base}/water", json={"item": item, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["version"] == 2 and stale.json()["current"]["scope"] == "international"
    # the viewer and the analyst may not write
    for who in ("vera", "ana"):
        r2 = api.call(who, "PUT", f"{base}/water", json={"item": item, "version": 2})
        assert r2.status_code == 403
    assert api.call("coord", "DELETE", f"{base}/water", params={"version": 1}).status_code == 409
    gone = api.ok("coord", "DELETE", f"{base}/water", params={"version": 2})
    assert gone["item"] is None
    assert api.call("vera", "GET", f"{base}/water").status_code == 404
    assert "water" not in {s["id"] for s in api.data()["strategies"]}
    with Session(api.engine) as s:
        acts = [e.action for e in audit.entries(s, api.nl) if e.entity_key == "water"]
    assert acts == ["strategies.create", "strategies.update", "strategies.delete"]
    _valid(api, api.nl)


def test_a_strategy_in_use_cannot_go_and_a_bad_item_names_its_field(api: Api) -> None:
    base = f"/api/assessments/{api.nl}"
    used = api.data()["measures"][0]["strategy"]
    version = api.ok("vera", "GET", f"{base}/strategies/{used}")["version"]
    r = api.call("coord", "DELETE", f"{base}/strategies/{used}", params={"version": version})
    assert r.status_code == 422 and "strategy" in r.json()["error"]
    assert used in {s["id"] for s in api.data()["strategies"]}
    item = {"title": {"en": "x"}, "scope": "galactic", "owner": "ienw"}
    r = api.call("coord", "PUT", f"{base}/strategies/x", json={"item": item})
    assert r.status_code == 422 and r.json()["field"] == "item.scope"
    item = {"title": {"en": "x"}, "scope": "national", "owner": "nobody"}
    r = api.call("coord", "PUT", f"{base}/strategies/x", json={"item": item})
    assert r.status_code == 422 and r.json()["field"] == "item.owner"
    r = api.call("coord", "PUT", f"{base}/strategies/x", json={"item": {**item, "id": "y"}})
    assert r.status_code == 422 and r.json()["field"] == "item.id"


def test_measure_changes_and_coherence_follow(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/measures"
    first = api.data()["measures"][0]
    got = api.ok("vera", "GET", f"{base}/{first['id']}")
    assert got["item"] == first
    changed = {**first, "scenarios": [*first["scenarios"], SEA], "owners": ["vws"], "lead": "vws"}
    r = api.ok("coord", "PUT", f"{base}/{first['id']}", json={"item": changed, "version": 1})
    assert r["version"] == 2
    assert api.data()["measures"][0] == changed  # in place: same position
    bad = {**first, "scenarios": ["no-such-scenario"]}
    r = api.call("coord", "PUT", f"{base}/{first['id']}", json={"item": bad, "version": 2})
    assert r.status_code == 422 and r.json()["field"].startswith("item.scenarios")
    _valid(api, api.nl)


def test_cascade_with_probability_and_with_levels(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/cascades"
    before = api.ok("vera", "GET", f"/api/assessments/{api.nl}/results")
    risk_before = {s["id"]: s for s in before["scenarios"]}
    pair = f"{base}/{WAR}/{GAS}"
    got = api.ok("vera", "GET", pair)
    assert got["item"]["probability"] == "D"
    item = {"probability": "A", "rationale": "pipelines rerouted"}
    r = api.ok("coord", "PUT", pair, json={"item": item, "version": got["version"]})
    assert r["item"] == {"cause": WAR, "effect": GAS, **item}
    after = {
        s["id"]: s for s in api.ok("vera", "GET", f"/api/assessments/{api.nl}/results")["scenarios"]
    }
    # the results were recomputed (not served from the cache): less indirect probability
    assert (
        after[GAS]["likelihood"]["indirect_probability"]
        < risk_before[GAS]["likelihood"]["indirect_probability"]
    )
    new = api.call("coord", "PUT", f"{base}/{SEA}/{GAS}", json={"item": {"probability": "B"}})
    assert new.status_code == 200
    bad = api.call("coord", "PUT", f"{base}/{SEA}/nowhere", json={"item": {"probability": "B"}})
    assert bad.status_code == 422
    # a method with intensity levels: the levels matrix
    be = f"/api/assessments/{api.be}/cascades"
    listed = api.ok("vera", "GET", be)["cascades"]
    c0 = listed[0]["item"]
    levels = {"extreme": {"extreme": "4"}}
    r = api.ok(
        "coord",
        "PUT",
        f"{be}/{c0['cause']}/{c0['effect']}",
        json={"item": {"levels": levels}, "version": listed[0]["version"]},
    )
    assert r["item"]["levels"] == levels
    wrong = {"levels": {"gigantic": {"extreme": "4"}}}
    r2 = api.call(
        "coord", "PUT", f"{be}/{c0['cause']}/{c0['effect']}", json={"item": wrong, "version": 2}
    )
    assert r2.status_code == 422 and r2.json()["field"].startswith("item.levels")
    _valid(api, api.nl)
    _valid(api, api.be)


def test_consensus_record_change_remove(api: Api) -> None:
    sc = api.data()["scenarios"][0]
    path = f"/api/assessments/{api.nl}/scenarios/{sc['id']}/consensus"
    listed = api.ok("vera", "GET", path)["consensus"]
    assert [x["item"] for x in listed] == sc.get("consensus", [])
    item = {"likelihood": "E", "rationale": "agreed after round 2", "date": "2026-11-29"}
    version = listed[0]["version"] if listed else None
    r = api.ok("coord", "PUT", path, json={"item": item, "version": version})
    assert r["item"] == item
    res = api.ok("vera", "GET", f"/api/assessments/{api.nl}/results")
    mine = next(x for x in res["scenarios"] if x["id"] == sc["id"])
    assert mine["likelihood"]["class"] == "E" and mine["spread"]["likelihood"]["consensus"]
    bad = api.call(
        "coord",
        "PUT",
        path,
        json={"item": {"likelihood": "Q", "rationale": "x"}, "version": r["version"]},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "item.likelihood"
    gone = api.call("coord", "DELETE", path, params={"version": r["version"]})
    assert gone.status_code == 200
    assert "consensus" not in next(s for s in api.data()["scenarios"] if s["id"] == sc["id"])
    _valid(api, api.nl)


def test_concurrent_edits_of_one_estimate_one_wins_the_others_get_409(api: Api) -> None:
    """Eight coordinators' clients read the same version and write at the same moment."""
    sc = api.data()["scenarios"][0]
    analyst = sc["estimates"][0]["analyst"]
    path = f"/api/assessments/{api.nl}/scenarios/{sc['id']}/estimates/{analyst}/likelihood"
    version = api.ok("coord", "GET", path)["version"]
    start = threading.Barrier(8)
    results: list[Any] = [None] * 8
    app = api.client.app

    def write(i: int) -> None:
        with TestClient(app) as c:
            start.wait()
            results[i] = c.put(
                path,
                headers={"Authorization": f"Bearer {api.tokens['coord']}"},
                json={"estimate": "ABCDE"[i % 5], "rationale": f"writer {i}", "version": version},
            )

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * 7, [r.text for r in results]
    winner = next(r.json() for r in results if r.status_code == 200)
    for r in results:
        if r.status_code == 409:
            body = r.json()
            assert body["current"] == winner["estimate"] and body["version"] == winner["version"]
    stored = api.ok("coord", "GET", path)
    assert stored["estimate"] == winner["estimate"] and stored["version"] == version + 1
    assert audit.verify(api.engine) == []


def test_scenario_fields_change_while_its_estimates_stay(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/scenarios"
    before = next(s for s in api.data()["scenarios"] if s["id"] == SEA)
    got = api.ok("vera", "GET", f"{base}/{SEA}")
    assert "estimates" not in got["item"] and got["item"]["title"] == before["title"]
    item = {**got["item"], "title": {"en": "Pandemic (revised)"}, "domain": "both"}
    r = api.ok("coord", "PUT", f"{base}/{SEA}", json={"item": item, "version": got["version"]})
    assert r["version"] == got["version"] + 1
    after = next(s for s in api.data()["scenarios"] if s["id"] == SEA)
    assert after == {**before, "title": {"en": "Pandemic (revised)"}, "domain": "both"}
    # estimates and consensus are not written here
    r = api.call(
        "coord",
        "PUT",
        f"{base}/{SEA}",
        json={"item": {**item, "estimates": []}, "version": r["version"]},
    )
    assert r.status_code == 422 and r.json()["field"] == "item.estimates"


def test_a_new_scenario_is_estimated_and_ranked(api: Api) -> None:
    base = f"/api/assessments/{api.nl}"
    item = {
        "title": {"en": "Drone swarm over an airport"},
        "theme": "terrorism",
        "domain": "internal",
        "malicious": True,
        "owner": "jenv",
        "reinforces": [SEA],
    }
    made = api.ok("coord", "PUT", f"{base}/scenarios/drones", json={"item": item})
    assert made["item"] == {"id": "drones", **item} and made["version"] == 1
    analyst = api.data()["analysts"][0]["id"]
    est = f"{base}/scenarios/drones/estimates/{analyst}"
    assert api.call("coord", "PUT", f"{est}/likelihood", json={"estimate": "C"}).status_code == 200
    crit = next(iter(api.data()["scenarios"][0]["estimates"][0]["impact"]))
    assert api.call("coord", "PUT", f"{est}/{crit}", json={"estimate": "D"}).status_code == 200
    ranked = {s["id"]: s for s in api.ok("vera", "GET", f"{base}/results")["scenarios"]}
    assert ranked["drones"]["likelihood"]["class"] == "C" and ranked["drones"]["rank"] >= 1
    # the pandemic is referenced by cascades and measures: it cannot go
    version = api.ok("vera", "GET", f"{base}/scenarios/{SEA}")["version"]
    r = api.call("coord", "DELETE", f"{base}/scenarios/{SEA}", params={"version": version})
    assert r.status_code == 422
    # the new one can; its estimates go with it and stay in the audit trail
    gone = api.ok("coord", "DELETE", f"{base}/scenarios/drones", params={"version": 1})
    assert gone["item"] is None and "drones" not in {s["id"] for s in api.data()["scenarios"]}
    with Session(api.engine) as s:
        last = [e for e in audit.entries(s, api.nl) if e.entity_key == "drones"][-1]
    assert last.action == "scenarios.delete"
    assert json.loads(last.old_value or "{}")["estimates"][0]["likelihood"] == "C"
    _valid(api, api.nl)

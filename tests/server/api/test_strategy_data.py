"""International developments, capabilities, the new fields of measures and the measures basis
through the API (nsra.server.api.content); on SQLite and PostgreSQL.

The same rules as strategies and measures: written by coordinators (and administrators) only,
read by every member; each write checked by the file checker on the whole assessment (422 with
the field path), version-checked (409), made in place, audited, exported and published.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from nsra.server.db import audit
from tests.server.api.test_content import USERS, Api, _valid
from tests.server.common import BE, NL, MakeWorld

WAR, GAS, PANDEMIC = "armed-conflict-nato-eastern-border", "gas-supply-disruption", "pandemic"


@pytest.fixture
def api(make_world: MakeWorld) -> Api:
    return make_world({"nl": NL, "be": BE}, USERS, Api)


def _actions(api: Api, key: str) -> list[str]:
    with Session(api.engine) as s:
        return [e.action for e in audit.entries(s, api.nl) if e.entity_key == key]


DEVELOPMENT: dict[str, Any] = {
    "title": {"en": "Arctic shipping routes open", "nl": "Arctische vaarroutes gaan open"},
    "kind": "climate",
    "where": {"en": "Arctic"},
    "horizon": 2040,
    "sources": [{"ref": "IPCC AR6", "date": "2023-03-20"}],
    "effects": [
        {"scenario": WAR, "likelihood": {"steps": 0.5, "low": 0, "high": 1}, "confidence": "low"},
        {"scenario": GAS, "impact": {"3.1": 0.5}, "rationale": {"en": "Longer routes"}},
    ],
}


def test_development_create_change_conflict_delete(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/developments"
    listed = api.ok("vera", "GET", base)["developments"]
    assert [x["item"] for x in listed] == api.data()["developments"] and listed
    made = api.ok("coord", "PUT", f"{base}/arctic", json={"item": DEVELOPMENT, "version": None})
    assert made["item"] == {"id": "arctic", **DEVELOPMENT} and made["version"] == 1
    assert api.data()["developments"][-1] == made["item"]  # exported as written, at the end
    again = api.call("coord", "PUT", f"{base}/arctic", json={"item": DEVELOPMENT})
    assert again.status_code == 409 and again.json()["current"] == made["item"]
    changed = {**DEVELOPMENT, "horizon": 2035, "effects": DEVELOPMENT["effects"][:1]}
    r = api.ok("coord", "PUT", f"{base}/arctic", json={"item": changed, "version": 1})
    assert r["version"] == 2 and r["item"]["effects"] == DEVELOPMENT["effects"][:1]
    assert api.ok("ana", "GET", f"{base}/arctic")["item"] == {"id": "arctic", **changed}
    for who in ("vera", "ana"):  # as for strategies and measures: coordinators write
        r2 = api.call(who, "PUT", f"{base}/arctic", json={"item": DEVELOPMENT, "version": 2})
        assert r2.status_code == 403
        r3 = api.call(who, "DELETE", f"{base}/arctic", params={"version": 2})
        assert r3.status_code == 403
    assert api.call("coord", "DELETE", f"{base}/arctic", params={"version": 1}).status_code == 409
    gone = api.ok("coord", "DELETE", f"{base}/arctic", params={"version": 2, "rationale": "no"})
    assert gone["item"] is None
    assert api.call("vera", "GET", f"{base}/arctic").status_code == 404
    assert _actions(api, "arctic") == [
        "developments.create",
        "developments.update",
        "developments.delete",
    ]
    with Session(api.engine) as s:
        entry = [e for e in audit.entries(s, api.nl) if e.entity_key == "arctic"][-1]
        assert entry.old_value is not None and entry.rationale == "no"
        assert json.loads(entry.old_value) == {"id": "arctic", **changed}
    _valid(api, api.nl)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"effects": [{"scenario": "atlantis-sinks", "likelihood": 1}]},
            "item.effects[0].scenario",
        ),
        ({"effects": [{"likelihood": 1}]}, "item.effects[0]"),
        ({"effects": [{"scenario": WAR, "impact": {"9.9": 1}}]}, "item.effects[0].impact.9.9"),
        ({"effects": [{"scenario": WAR, "likelihood": {"steps": 1, "high": 0}}]}, None),
        ({"effects": []}, "item.effects"),
        ({"kind": "astrological"}, "item.kind"),
        ({"horizon": 1066}, "item.horizon"),
    ],
)
def test_a_bad_development_gets_the_checkers_message_at_its_field(
    api: Api, change: dict[str, Any], field: str | None
) -> None:
    before = api.data()
    url = f"/api/assessments/{api.nl}/developments/arctic"
    r = api.call("coord", "PUT", url, json={"item": {**DEVELOPMENT, **change}})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == (field or "item.effects[0].likelihood")
    if "atlantis" in str(change):
        assert "atlantis-sinks" in r.json()["error"]
    assert api.data() == before  # nothing written
    assert _actions(api, "arctic") == []


def test_a_scenario_a_development_refers_to_cannot_go(api: Api) -> None:
    base = f"/api/assessments/{api.nl}"
    scenario = {**api.ok("vera", "GET", f"{base}/scenarios/{WAR}")["item"], "id": "new-one"}
    api.ok("coord", "PUT", f"{base}/scenarios/new-one", json={"item": scenario})
    effects = [{"scenario": "new-one", "likelihood": 1}]
    api.ok(
        "coord",
        "PUT",
        f"{base}/developments/d1",
        json={"item": {**DEVELOPMENT, "effects": effects}},
    )
    r = api.call("coord", "DELETE", f"{base}/scenarios/new-one", params={"version": 1})
    assert r.status_code == 422
    n = len(api.data()["developments"]) - 1
    assert r.json()["field"] == f"developments[{n}].effects[0].scenario"
    assert "new-one" in {sc["id"] for sc in api.data()["scenarios"]}


CAPABILITY: dict[str, Any] = {
    "title": {"en": "Field hospitals"},
    "kind": "materiel",
    "owners": ["vws", "defensie"],
    "needed": [
        {"scenario": PANDEMIC, "phases": ["respond"], "adequacy": "partly"},
        {
            "scenario": WAR,
            "phases": ["prepare", "respond"],
            "adequacy": "insufficient",
            "rationale": "two units",
        },
    ],
}


def test_capability_create_change_delete_and_its_checks(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/capabilities"
    assert [x["item"] for x in api.ok("ana", "GET", base)["capabilities"]] == api.data()[
        "capabilities"
    ]
    made = api.ok("coord", "PUT", f"{base}/field-hospitals", json={"item": CAPABILITY})
    assert made["item"] == {"id": "field-hospitals", **CAPABILITY}
    assert api.data()["capabilities"][-1] == made["item"]
    owners = {**CAPABILITY, "owners": ["vws", "nobody"]}
    r = api.call("coord", "PUT", f"{base}/field-hospitals", json={"item": owners, "version": 1})
    assert r.status_code == 422 and r.json()["field"] == "item.owners[1]"
    twice = {**CAPABILITY, "needed": [CAPABILITY["needed"][0], CAPABILITY["needed"][0]]}
    r = api.call("coord", "PUT", f"{base}/field-hospitals", json={"item": twice, "version": 1})
    assert r.status_code == 422 and r.json()["field"] == "item.needed[1].phases"
    unknown = {
        **CAPABILITY,
        "needed": [{"scenario": "x", "phases": ["respond"], "adequacy": "partly"}],
    }
    r = api.call("coord", "PUT", f"{base}/field-hospitals", json={"item": unknown, "version": 1})
    assert r.status_code == 422 and r.json()["field"] == "item.needed[0].scenario"
    assert (
        api.call(
            "vera", "PUT", f"{base}/field-hospitals", json={"item": CAPABILITY, "version": 1}
        ).status_code
        == 403
    )
    one = {**CAPABILITY, "owners": ["vws"], "needed": CAPABILITY["needed"][:1]}
    r = api.ok("coord", "PUT", f"{base}/field-hospitals", json={"item": one, "version": 1})
    assert r["version"] == 2 and api.data()["capabilities"][-1] == {"id": "field-hospitals", **one}
    api.ok("coord", "DELETE", f"{base}/field-hospitals", params={"version": 2})
    assert "field-hospitals" not in {c["id"] for c in api.data()["capabilities"]}
    assert _actions(api, "field-hospitals") == [
        "capabilities.create",
        "capabilities.update",
        "capabilities.delete",
    ]
    _valid(api, api.nl)


def test_a_measures_new_fields_go_through_the_measure_endpoint(api: Api) -> None:
    base = f"/api/assessments/{api.nl}/measures"
    first = api.data()["measures"][0]
    assert {"lead", "cost", "effects"} <= set(first)
    got = api.ok("vera", "GET", f"{base}/{first['id']}")
    assert got["item"] == first
    sid = first["scenarios"][0]
    changed = {
        **first,
        "status": "proposed",
        "cost": 1250000.5,
        "effects": [{"scenario": sid, "likelihood": {"factor": 0.5}, "confidence": "high"}],
        "side_effects": [{"scenario": PANDEMIC, "direction": "raises", "rationale": "crowds"}],
    }
    r = api.ok("coord", "PUT", f"{base}/{first['id']}", json={"item": changed, "version": 1})
    assert r["item"] == changed and r["version"] == 2
    assert api.data()["measures"][0] == changed
    # the checker's rules, at the field
    cases: list[tuple[dict[str, Any], str]] = [
        ({"lead": "vws"}, "item.lead"),  # not one of the owners
        ({"lead": "nobody"}, "item.lead"),
        ({"effects": [{"scenario": sid, "likelihood": 1}]}, "item.effects[0].likelihood"),
        ({"effects": [{"scenario": PANDEMIC, "likelihood": -1}]}, "item.effects[0].scenario"),
        (
            {"side_effects": [{"scenario": sid, "direction": "raises"}]},
            "item.side_effects[0].scenario",
        ),
        ({"status": "dreamt"}, "item.status"),
        ({"cost": -5}, "item.cost"),
    ]
    for change, field in cases:
        r2 = api.call(
            "coord",
            "PUT",
            f"{base}/{first['id']}",
            json={"item": {**changed, **change}, "version": 2},
        )
        assert r2.status_code == 422 and r2.json()["field"] == field, (change, r2.text)
    assert api.data()["measures"][0] == changed
    # back to the defaults: status in place is the file's default and is left out
    plain = {
        k: v
        for k, v in changed.items()
        if k not in ("status", "cost", "effects", "side_effects", "lead")
    }
    r = api.ok("coord", "PUT", f"{base}/{first['id']}", json={"item": plain, "version": 2})
    assert r["item"] == plain and api.data()["measures"][0] == plain
    assert (
        api.call(
            "ana", "PUT", f"{base}/{first['id']}", json={"item": first, "version": 3}
        ).status_code
        == 403
    )
    _valid(api, api.nl)


def test_the_measures_basis(api: Api) -> None:
    url = f"/api/assessments/{api.nl}/measures-basis"
    got = api.ok("vera", "GET", url)
    assert got["item"] == "current" and "measures_basis" not in api.data()
    version = got["version"]
    for who in ("vera", "ana"):
        assert (
            api.call(who, "PUT", url, json={"item": "inherent", "version": version}).status_code
            == 403
        )
    bad = api.call("coord", "PUT", url, json={"item": "someday", "version": version})
    assert bad.status_code == 422 and bad.json()["field"] == "item"
    assert (
        api.call("coord", "PUT", url, json={"item": "inherent", "version": version - 1}).status_code
        == 409
    )
    r = api.ok("coord", "PUT", url, json={"item": "inherent", "version": version, "rationale": "r"})
    assert r["item"] == "inherent" and r["version"] == version + 1
    assert api.data()["measures_basis"] == "inherent"
    assert api.ok("ana", "GET", url)["item"] == "inherent"
    assert _actions(api, str(api.nl))[-1] == "measures_basis.update"
    _valid(api, api.nl)


def test_a_published_version_carries_the_strategy_data_and_compare_lists_it(api: Api) -> None:
    base = f"/api/assessments/{api.nl}"
    r = api.call("coord", "POST", f"{base}/versions", json={})
    assert r.status_code == 201, r.text
    v1 = api.ok("vera", "GET", f"{base}/versions/1")
    assert v1["data"]["developments"] == api.data()["developments"]
    assert v1["data"]["capabilities"] == api.data()["capabilities"]
    assert v1["data"]["measures"] == api.data()["measures"]
    api.ok("coord", "PUT", f"{base}/developments/arctic", json={"item": DEVELOPMENT})
    removed = api.data()["capabilities"][0]
    api.ok("coord", "DELETE", f"{base}/capabilities/{removed['id']}", params={"version": 1})
    diff = api.ok("vera", "GET", f"{base}/versions/compare", params={"from": 1, "to": "live"})
    assert diff["developments"] == {
        "added": [{"key": "arctic", "new": {"id": "arctic", **DEVELOPMENT}}],
        "removed": [],
        "changed": [],
    }
    assert diff["capabilities"] == {
        "added": [],
        "removed": [{"key": removed["id"], "old": removed}],
        "changed": [],
    }
    assert diff["assessment"] == {} and diff["changed"] is True
    exported = api.call("vera", "GET", f"{base}/versions/1/export", params={"format": "json"})
    assert (
        exported.status_code == 200
        and exported.json()["developments"] == v1["data"]["developments"]
    )

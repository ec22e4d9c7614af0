"""Published versions (nsra.server.api.versions, nsra.server.db.versions): publish, list, read,
reproduce, report, export, compare; permissions per role; immutability; tampering is found.

Every test that takes the ``engine`` fixture runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nsra.analysis.editions import written
from nsra.i18n import LANGS
from nsra.model.assessment import Cascade
from nsra.server.db import audit, import_file
from nsra.server.db import versions as vs
from nsra.server.db.importing import fill_cascade
from nsra.server.db.models import AssessmentRow, CascadeRow, MethodRow, ScenarioRow
from tests.helpers import EXAMPLES
from tests.server import common
from tests.server.common import (
    BE,
    NL,
    UK,
    UK_LABEL,
    MakeWorld,
    User,
    is_classified,
    is_error,
    poll_job,
)

TERROR = "terrorist-attack-crowded-places"  # UK example; co-analyst gave estimates

# caller -> global role and roles in the assessments; "outsider" coordinates the BE one
USERS = {
    "admin": User("admin"),
    "coordinator": User("coordinator", {"uk": "coordinator"}),
    "analyst": User("analyst", {"uk": "analyst"}),
    "viewer": User("viewer", {"uk": "viewer"}),
    "outsider": User("coordinator", {"be": "coordinator"}),
}


@dataclass
class World(common.World):
    @property
    def uk(self) -> int:
        return self.ids["uk"]

    @property
    def be(self) -> int:
        return self.ids["be"]

    def base(self, assessment: int | None = None) -> str:
        return f"/api/assessments/{self.uk if assessment is None else assessment}/versions"

    def get(self, who: str, path: str, **params: Any) -> Any:
        return self.client.get(path, headers=self.auth(who), params=params)

    def post(self, who: str, path: str, body: Any = None) -> Any:
        return self.client.post(path, headers=self.auth(who), json=body or {})

    def publish(self, who: str = "coordinator", assessment: int | None = None, **body: Any) -> Any:
        r = self.post(who, self.base(assessment), body)
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world({"uk": UK, "be": BE}, USERS, World)


def put_estimate(w: World, who: str, scenario: str, analyst: str, slot: str, value: Any) -> Any:
    path = f"/api/assessments/{w.uk}/scenarios/{scenario}/estimates/{analyst}/{slot}"
    version = w.get(who, path).json()["version"]
    r = w.client.put(
        path, headers=w.auth(who), json={"estimate": value, "version": version, "rationale": "x"}
    )
    assert r.status_code == 200, r.text
    return r.json()


# -- publish, list, read ----------------------------------------------------------------------


def test_publish_list_and_read(world: World) -> None:
    w = world
    first = w.publish(label="Spring 2026", note="for the cabinet")
    assert first["number"] == 1 and first["label"] == "Spring 2026" and first["seed"] == 1
    assert first["published_by"] == "coordinator"
    assert first["method"] == {"id": "uk-nsra-2023", "version": first["method"]["version"]}
    assert first["classification"] == UK_LABEL and "warning" not in first
    second = w.publish("admin", seed=7)
    assert second["number"] == 2 and second["label"] is None and second["seed"] == 7

    r = w.get("viewer", w.base())
    assert r.status_code == 200, r.text
    is_classified(r)
    listed = r.json()["versions"]
    assert [v["number"] for v in listed] == [1, 2]
    assert set(listed[0]) >= {
        "number",
        "label",
        "note",
        "published_by",
        "published_at",
        "method",
        "digest",
    }
    assert listed[0]["note"] == "for the cabinet" and listed[1]["published_by"] == "admin"
    assert listed[0]["published_at"].endswith("+00:00")
    # same inputs, another seed: another digest
    assert listed[0]["digest"] != listed[1]["digest"]

    r = w.get("viewer", f"{w.base()}/1")
    assert r.status_code == 200, r.text
    is_classified(r)
    version = r.json()
    live = w.get("coordinator", f"/api/assessments/{w.uk}").json()["assessment"]
    assert version["data"] == live
    results = w.get("coordinator", f"/api/assessments/{w.uk}/results").json()
    assert version["results"] == {k: v for k, v in results.items() if k != "classification"}
    with Session(w.engine) as s:
        method = s.scalars(select(AssessmentRow).where(AssessmentRow.id == w.uk)).one().method
        assert version["digest"] == vs.digest_of(live, method.content, 1)
        entries = [e for e in audit.entries(s, w.uk) if e.action == "versions.publish"]
    assert [e.entity_key for e in entries] == ["1", "2"]
    assert [e.user_name for e in entries] == ["coordinator", "admin"]
    assert audit.verify(w.engine) == []

    is_error(w.get("viewer", f"{w.base()}/3"), 404)
    is_error(w.post("coordinator", w.base(), {"seed": -1}), 422)


# -- reproduce ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_reproduces_also_after_the_live_assessment_changed(
    world: World, path: Path
) -> None:
    w = world
    assessment = import_file(w.engine, str(path))
    number = w.publish("admin", assessment)["number"]
    url = f"{w.base(assessment)}/{number}/reproduce"
    r = w.get("admin", url)
    assert r.status_code == 200, r.text
    assert r.json()["reproduced"] is True, r.json()["differences"][:5]
    assert r.json()["differences"] == [] and r.json()["inputs_intact"] is True
    before = w.get("admin", f"{w.base(assessment)}/{number}").json()

    # the live assessment changes (a measure removed) and the registered method is edited
    # in place (which the registry forbids; done here behind its back): the version stands
    measures = w.get("admin", f"/api/assessments/{assessment}/measures").json()["measures"]
    assert measures, "every example has measures"
    first = measures[0]
    r = w.client.delete(
        f"/api/assessments/{assessment}/measures/{first['item']['id']}",
        headers=w.auth("admin"),
        params={"version": first["version"]},
    )
    assert r.status_code == 200, r.text
    with Session(w.engine) as s, s.begin():
        live = s.get(AssessmentRow, assessment)
        assert live is not None
        method = live.method
        content = copy.deepcopy(method.content)
        content["title"] = "edited behind the registry's back"
        content.pop("criteria", None)
        method.content = content
    r = w.get("admin", url)
    assert r.json()["reproduced"] is True, r.json()["differences"][:5]
    assert w.get("admin", f"{w.base(assessment)}/{number}").json() == before


def test_a_tampered_version_does_not_reproduce(world: World) -> None:
    w = world
    w.publish()
    url = f"{w.base()}/1/reproduce"
    assert w.get("viewer", url).json()["reproduced"] is True
    with Session(w.engine) as s, s.begin():
        row = vs.version_by_number(s, w.uk, 1)
        assert row is not None
        data = copy.deepcopy(row.data)
        terror = next(sc for sc in data["scenarios"] if sc["id"] == TERROR)
        for e in terror["estimates"]:
            e["likelihood"] = "1"
        row.data = data
    r = w.get("viewer", url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reproduced"] is False and body["inputs_intact"] is False
    paths = [d["path"] for d in body["differences"]]
    assert paths[0] == "digest"
    assert any("risk" in p or "likelihood" in p for p in paths[1:]), paths

    # stored results edited, inputs intact: the difference is where the edit is
    w.publish()
    with Session(w.engine) as s, s.begin():
        row = vs.version_by_number(s, w.uk, 2)
        assert row is not None
        results = copy.deepcopy(row.results)
        results["scenarios"][0]["risk"] = 123.5
        row.results = results
    body = w.get("viewer", f"{w.base()}/2/reproduce").json()
    assert body["reproduced"] is False and body["inputs_intact"] is True
    assert [d["path"] for d in body["differences"]] == ["scenarios[0].risk"]
    assert body["differences"][0]["stored"] == 123.5


# -- versions never change ---------------------------------------------------------------------


def test_later_edits_leave_published_versions_untouched(world: World) -> None:
    w = world
    w.publish()
    before = w.get("viewer", f"{w.base()}/1").json()
    put_estimate(w, "coordinator", TERROR, "co-analyst", "human-welfare", "5")
    put_estimate(w, "coordinator", TERROR, "co-analyst", "likelihood", "1")
    live = w.get("coordinator", f"/api/assessments/{w.uk}").json()["assessment"]
    assert live != before["data"]
    after = w.get("viewer", f"{w.base()}/1").json()
    assert after == before
    assert w.get("viewer", f"{w.base()}/1/reproduce").json()["reproduced"] is True
    # and the change shows against the live state
    r = w.get("viewer", f"{w.base()}/compare", **{"from": 1, "to": "live"})
    assert r.status_code == 200, r.text
    is_classified(r)
    (changed,) = r.json()["scenarios"]["changed"]
    assert changed["id"] == TERROR
    assert {(e["analyst"], e["slot"], e["new"]) for e in changed["estimates"]} == {
        ("co-analyst", "human-welfare", "5"),
        ("co-analyst", "likelihood", "1"),
    }
    # no endpoint changes a version
    for method in ("PUT", "PATCH", "DELETE"):
        r = w.client.request(method, f"{w.base()}/1", headers=w.auth("admin"), json={})
        assert r.status_code == 405, (method, r.text)


# -- compare -----------------------------------------------------------------------------------


def add_cascade(engine: Engine, assessment: int, cause: str, effect: str, item: Any) -> None:
    """Add a cascade as the cascades endpoint would (row and audit entry, one transaction).

    Not through ``PUT .../cascades/{cause}/{effect}``: creating a new cascade there fails (the
    new row is flushed before its cause and effect are set: NOT NULL cascades.cause_id).
    """
    with Session(engine) as s, s.begin():
        with s.no_autoflush:
            scenarios = {
                r.key: r
                for r in s.scalars(
                    select(ScenarioRow).where(ScenarioRow.assessment_id == assessment)
                )
            }
            existing = s.scalars(select(CascadeRow).where(CascadeRow.assessment_id == assessment))
            position = 1 + max((c.position for c in existing), default=-1)
            row = CascadeRow(assessment_id=assessment, position=position)
            fill_cascade(row, Cascade(cause=cause, effect=effect, **item), scenarios)
            s.add(row)
        s.flush()
        audit.record(
            s,
            assessment_id=assessment,
            action="cascades.create",
            entity_table="cascades",
            entity_key=f"{cause}->{effect}",
            new={"cause": cause, "effect": effect, **item},
            scenario=cause,
        )


def test_compare_finds_exactly_the_changes_between_two_versions(world: World) -> None:
    w = world
    nl = import_file(w.engine, str(NL))
    base = f"/api/assessments/{nl}"
    w.publish("admin", nl)
    v1 = w.get("admin", f"{w.base(nl)}/1").json()
    scenario = "jihadist-attack-public-transport"
    # one estimate changed
    moved = "right-wing-lone-actor"  # no consensus: its estimates give its risk
    slot = f"{base}/scenarios/{moved}/estimates/nctv-analyst/likelihood"
    old_estimate = w.get("admin", slot).json()
    r = w.client.put(
        slot,
        headers=w.auth("admin"),
        json={"estimate": "E", "version": old_estimate["version"], "rationale": "new"},
    )
    assert r.status_code == 200, r.text
    # one measure removed
    measure = w.get("admin", f"{base}/measures/threat-level-and-surveillance").json()
    r = w.client.delete(
        f"{base}/measures/threat-level-and-surveillance",
        headers=w.auth("admin"),
        params={"version": measure["version"]},
    )
    assert r.status_code == 200, r.text
    # one cascade added
    cascade = {"probability": "E", "rationale": "copycat attacks"}
    add_cascade(w.engine, nl, scenario, "right-wing-lone-actor", cascade)
    w.publish("admin", nl)
    v2 = w.get("admin", f"{w.base(nl)}/2").json()

    r = w.get("admin", f"{w.base(nl)}/compare", **{"from": 1, "to": 2})
    assert r.status_code == 200, r.text
    diff = r.json()
    assert diff["changed"] is True and (diff["from"], diff["to"]) == (1, 2)
    assert diff["scenarios"]["added"] == [] and diff["scenarios"]["removed"] == []
    assert diff["scenarios"]["changed"] == [
        {
            "id": moved,
            "fields": {},
            "estimates": [
                {
                    "analyst": "nctv-analyst",
                    "level": None,
                    "slot": "likelihood",
                    "old": old_estimate["estimate"],
                    "new": "E",
                }
            ],
            "consensus": [],
        }
    ]
    assert diff["measures"] == {
        "added": [],
        "removed": [{"key": "threat-level-and-surveillance", "old": measure["item"]}],
        "changed": [],
    }
    assert diff["cascades"] == {
        "added": [
            {
                "key": f"{scenario}->right-wing-lone-actor",
                "new": {"cause": scenario, "effect": "right-wing-lone-actor", **cascade},
            }
        ],
        "removed": [],
        "changed": [],
    }
    for section in ("organisations", "analysts", "strategies"):
        assert diff[section] == {"added": [], "removed": [], "changed": []}, section
    assert diff["assessment"] == {} and diff["method"] is None
    # the ranking, from the two results documents
    old_rank = {sc["id"]: (sc["rank"], sc["risk"]) for sc in v1["results"]["scenarios"]}
    new_rank = {sc["id"]: (sc["rank"], sc["risk"]) for sc in v2["results"]["scenarios"]}
    assert {r["id"] for r in diff["ranking"]} == set(old_rank)
    for row in diff["ranking"]:
        (a, ra), (b, rb) = old_rank[row["id"]], new_rank[row["id"]]
        assert row["old"] == {"rank": a, "risk": ra} and row["new"] == {"rank": b, "risk": rb}
        assert row["moved"] == (a - b if a is not None and b is not None else None)
    moves = [abs(r["moved"]) for r in diff["ranking"] if r["moved"] is not None]
    assert moves == sorted(moves, reverse=True)
    assert diff["ranking"][0]["id"] == moved and diff["ranking"][0]["moved"] > 0
    # what that did to the risk picture, as nsra compare says it (nsra.analysis.editions)
    editions = diff["editions"]
    assert editions["changed"] is True and editions["same_method"] is True
    by_id = {sc["id"]: sc for sc in editions["scenarios"]["changed"]}
    assert by_id[moved]["moved"] == diff["ranking"][0]["moved"]
    likelihood = [x for x in by_id[moved]["causes"] if x["slot"] == "likelihood"]
    assert [x["analysts"] for x in likelihood] == [
        [{"analyst": "nctv-analyst", "old": written(old_estimate["estimate"]), "new": "E"}]
    ]
    assert likelihood[0]["old"]["position"] < likelihood[0]["new"]["position"]  # the median rose
    assert [m["id"] for m in editions["measures"]["removed"]] == ["threat-level-and-surveillance"]
    # the live state is version 2
    live = w.get("admin", f"{w.base(nl)}/compare", **{"from": 1, "to": "live"}).json()
    assert {k: v for k, v in live.items() if k != "to"} == {
        k: v for k, v in diff.items() if k != "to"
    }
    same = w.get("admin", f"{w.base(nl)}/compare", **{"from": 2, "to": 2}).json()
    assert same["changed"] is False
    is_error(w.get("admin", f"{w.base(nl)}/compare", **{"from": 1, "to": 3}), 404)
    is_error(w.get("admin", f"{w.base(nl)}/compare", **{"from": 1, "to": "now"}), 422)
    is_error(w.get("admin", f"{w.base(nl)}/compare", **{"from": 1}), 422)


def test_compare_reports_scenarios_consensus_and_method() -> None:
    data = {
        "title": "A",
        "scenarios": [
            {"id": "a", "title": "A", "consensus": [{"likelihood": "2"}]},
            {"id": "b", "title": "B"},
        ],
    }
    results = {
        "method": {"id": "m", "version": "1"},
        "scenarios": [{"id": "a", "rank": 1, "risk": 2.0}, {"id": "b", "rank": 2, "risk": 1.0}],
    }
    new_data = {
        "title": "A2",
        "scenarios": [
            {"id": "a", "title": "A", "consensus": [{"likelihood": "3"}]},
            {"id": "c", "title": "C"},
        ],
    }
    new_results = {
        "method": {"id": "m", "version": "2"},
        "scenarios": [{"id": "c", "rank": 1, "risk": 3.0}, {"id": "a", "rank": 2, "risk": 2.0}],
    }
    diff = vs.compare(data, results, new_data, new_results)
    assert diff["assessment"] == {"title": {"old": "A", "new": "A2"}}
    assert diff["scenarios"]["added"] == ["c"] and diff["scenarios"]["removed"] == ["b"]
    assert diff["scenarios"]["changed"] == [
        {
            "id": "a",
            "fields": {},
            "estimates": [],
            "consensus": [{"level": None, "old": {"likelihood": "2"}, "new": {"likelihood": "3"}}],
        }
    ]
    assert diff["method"] == {
        "old": {"id": "m", "version": "1"},
        "new": {"id": "m", "version": "2"},
    }
    assert diff["ranking"] == [
        {"id": "a", "old": {"rank": 1, "risk": 2.0}, "new": {"rank": 2, "risk": 2.0}, "moved": -1},
        {
            "id": "c",
            "old": {"rank": None, "risk": None},
            "new": {"rank": 1, "risk": 3.0},
            "moved": None,
        },
        {
            "id": "b",
            "old": {"rank": 2, "risk": 1.0},
            "new": {"rank": None, "risk": None},
            "moved": None,
        },
    ]


# a document shaped like an assessment file and its results, for the property tests
keys = st.text("abcdefgh-", min_size=1, max_size=6)
specs = st.one_of(
    st.sampled_from(["1", "2", "3", "A..C", "X"]),
    st.integers(0, 9),
    st.fixed_dictionaries({"value": st.floats(0, 1e6, allow_nan=False)}),
    st.fixed_dictionaries({"class": st.sampled_from(["1", "2"]), "rationale": st.text()}),
)
estimates = st.fixed_dictionaries(
    {"analyst": keys, "impact": st.dictionaries(keys, specs, max_size=4)},
    optional={
        "level": st.sampled_from(["low", "high"]),
        "likelihood": specs,
        "rationale": st.text(),
    },
)
scenario_lists = st.lists(
    st.fixed_dictionaries(
        {"id": keys, "title": st.text(max_size=8)},
        optional={
            "estimates": st.lists(estimates, max_size=3),
            "consensus": st.lists(st.fixed_dictionaries({"likelihood": specs}), max_size=1),
        },
    ),
    unique_by=lambda sc: sc["id"],
    max_size=6,
)
documents = scenario_lists.flatmap(
    lambda scs: st.tuples(
        st.fixed_dictionaries(
            {"title": st.text(max_size=8), "scenarios": st.just(scs)},
            optional={
                "cascades": st.lists(
                    st.fixed_dictionaries({"cause": keys, "effect": keys, "probability": specs}),
                    max_size=3,
                ),
                "measures": st.lists(
                    st.fixed_dictionaries({"id": keys, "title": st.text(max_size=5)}), max_size=3
                ),
            },
        ),
        st.fixed_dictionaries(
            {
                "method": st.fixed_dictionaries({"id": keys, "version": st.just("1")}),
                "scenarios": st.permutations(scs).flatmap(
                    lambda ordered: st.tuples(
                        *(
                            st.fixed_dictionaries(
                                {
                                    "id": st.just(sc["id"]),
                                    "rank": st.one_of(st.none(), st.just(i + 1)),
                                    "risk": st.one_of(st.none(), st.floats(0, 100)),
                                }
                            )
                            for i, sc in enumerate(ordered)
                        )
                    ).map(list)
                ),
            }
        ),
    )
)


@given(documents)
def test_compare_of_a_document_with_itself_reports_no_change(doc: tuple[Any, Any]) -> None:
    data, results = doc
    diff = vs.compare(data, results, copy.deepcopy(data), copy.deepcopy(results))
    assert diff["changed"] is False
    assert diff["assessment"] == {} and diff["method"] is None
    assert diff["scenarios"] == {"added": [], "removed": [], "changed": []}
    for section in ("cascades", *vs.KEYED_SECTIONS):
        assert diff[section] == {"added": [], "removed": [], "changed": []}
    assert all(r["moved"] in (0, None) and r["old"] == r["new"] for r in diff["ranking"])
    assert len(diff["ranking"]) == len(results["scenarios"])


@given(documents, st.data())
def test_compare_finds_one_changed_estimate(doc: tuple[Any, Any], data: st.DataObject) -> None:
    old, results = doc
    slots = [
        (i, j)
        for i, sc in enumerate(old["scenarios"])
        for j, e in enumerate(sc.get("estimates", []))
        if e["impact"]
    ]
    if not slots:
        return
    i, j = data.draw(st.sampled_from(slots))
    new = copy.deepcopy(old)
    estimate = new["scenarios"][i]["estimates"][j]
    criterion = data.draw(st.sampled_from(sorted(estimate["impact"])))
    before = estimate["impact"][criterion]
    # the same analyst, level and slot may be written twice in a generated scenario: the
    # last one is what the flattened view of the scenario keeps
    if any(
        e is not estimate
        and e["analyst"] == estimate["analyst"]
        and e.get("level") == estimate.get("level")
        and criterion in e["impact"]
        for e in new["scenarios"][i]["estimates"]
    ):
        return
    estimate["impact"][criterion] = {"value": -1.0}
    diff = vs.compare(old, results, new, results)
    assert diff["changed"] is True
    assert diff["scenarios"]["changed"] == [
        {
            "id": old["scenarios"][i]["id"],
            "fields": {},
            "estimates": [
                {
                    "analyst": estimate["analyst"],
                    "level": estimate.get("level"),
                    "slot": criterion,
                    "old": before,
                    "new": {"value": -1.0},
                }
            ],
            "consensus": [],
        }
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_compare_of_every_example_with_itself_reports_no_change(path: Path) -> None:
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    results = {"scenarios": [{"id": sc["id"], "rank": None} for sc in data["scenarios"]]}
    assert (
        vs.compare(data, results, copy.deepcopy(data), copy.deepcopy(results))["changed"] is False
    )


# -- who may do what; classification -------------------------------------------------------------

READERS = {"admin": 200, "coordinator": 200, "analyst": 200, "viewer": 200, "outsider": 404}
PUBLISHERS = {"admin": 201, "coordinator": 201, "analyst": 403, "viewer": 403, "outsider": 404}


@pytest.mark.parametrize("who", list(READERS))
def test_permissions_per_role(world: World, who: str) -> None:
    w = world
    w.publish()
    w.publish()
    status = PUBLISHERS[who]
    r = w.post(who, w.base(), {"label": who})
    if status == 201:
        assert r.status_code == 201, r.text
        is_classified(r)
    else:
        is_error(r, status)
        if status == 404:
            assert UK_LABEL not in r.text and "X-Classification" not in r.headers
    reads: list[tuple[str, dict[str, Any]]] = [
        (w.base(), {}),
        (f"{w.base()}/1", {}),
        (f"{w.base()}/1/reproduce", {}),
        (f"{w.base()}/compare", {"from": 1, "to": 2}),
        (f"{w.base()}/compare", {"from": 1, "to": "live"}),
        (f"{w.base()}/1/report", {}),
        (f"{w.base()}/1/export", {"format": "json"}),
    ]
    for path, params in reads:
        r = w.get(who, path, **params)
        if READERS[who] == 200:
            assert r.status_code == 200, (path, r.text)
            assert r.headers["X-Classification"] == UK_LABEL, path
            if "/report" not in path:
                assert r.json()["classification"] == UK_LABEL, path
        else:
            is_error(r, 404)
            assert UK_LABEL not in r.text and "X-Classification" not in r.headers
    # another assessment's versions: 404 for all but the admin and its coordinator
    r = w.get(who, w.base(w.be))
    assert r.status_code == (200 if who in ("admin", "outsider") else 404), r.text
    # no one is signed in: 401
    assert w.client.get(w.base()).status_code == 401


def test_report_and_export_of_a_version(world: World) -> None:
    w = world
    w.publish(seed=5)
    put_estimate(w, "coordinator", TERROR, "co-analyst", "likelihood", "1")
    for lang in LANGS:
        r = w.get("viewer", f"{w.base()}/1/report", lang=lang)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/html")
        assert r.headers["X-Classification"] == UK_LABEL and UK_LABEL in r.text
        assert f"-v1-{lang}.html" in r.headers["Content-Disposition"]
    r = w.get("viewer", f"{w.base()}/1/report", analysis="true", samples=100)
    assert r.status_code == 202, r.text  # with the analyses: a job (nsra.server.api.jobs)
    assert r.headers["X-Classification"] == UK_LABEL
    r = poll_job(w.client, r.headers["location"], w.auth("viewer"))
    assert r.status_code == 200, r.text
    assert r.headers["X-Classification"] == UK_LABEL and "Monte Carlo" in r.text
    version = w.get("viewer", f"{w.base()}/1").json()
    for fmt, parse in (("yaml", yaml.safe_load), ("json", json.loads)):
        r = w.get("viewer", f"{w.base()}/1/export", format=fmt)
        assert r.status_code == 200, r.text
        assert r.headers["X-Classification"] == UK_LABEL
        exported = parse(r.text)
        assert exported["classification"] == UK_LABEL
        assert json.loads(json.dumps(exported, default=str)) == version["data"]
    is_error(w.get("viewer", f"{w.base()}/9/export"), 404)
    is_error(w.get("viewer", f"{w.base()}/1/report", lang="de"), 422)


def test_analysts_read_versions_during_an_open_round(world: World) -> None:
    """A version is what the coordinator published before the round: every member reads it
    while a round is open, and no version can be published during the round (it would show
    the other analysts' estimates)."""
    w = world
    w.publish()
    r = w.post("coordinator", f"/api/assessments/{w.uk}/rounds", {"note": "round 1"})
    assert r.status_code == 201, r.text
    refused = w.post("coordinator", w.base(), {"label": "mid-round"})
    is_error(refused, 409)
    assert "round 1 is open" in refused.json()["error"] and refused.json()["field"] == "round"
    live = w.get("analyst", f"/api/assessments/{w.uk}").json()
    assert live.get("hidden"), "the analyst does not see the others' estimates live"
    version = w.get("analyst", f"{w.base()}/1").json()
    full = w.get("coordinator", f"/api/assessments/{w.uk}").json()["assessment"]
    assert version["data"] == full  # nothing changed since it was published
    r = w.get("analyst", f"{w.base()}/compare", **{"from": 1, "to": "live"})
    assert r.status_code == 200 and r.json()["hidden"]["scenarios"]
    assert [v["number"] for v in w.get("analyst", w.base()).json()["versions"]] == [1]


def test_the_method_registry_is_not_used_to_reproduce(world: World) -> None:
    """Even with every registered method removed from the registry, a version reproduces."""
    w = world
    w.publish()
    with Session(w.engine) as s, s.begin():
        rows = list(s.scalars(select(MethodRow)))
        assert rows
        for row in rows:
            row.content = {"id": row.method_id, "broken": True}
    assert w.get("viewer", f"{w.base()}/1/reproduce").json()["reproduced"] is True

"""The permission matrix: every role x every endpoint of the API, on the assessment the caller
belongs to and on another assessment's id, on SQLite and PostgreSQL.

The endpoints are listed in :data:`STEPS` in an order that is a valid session for a permitted
caller (create before delete, submit before close); each caller runs the whole list in a
world of its own, so what one role does never changes what another role meets. A test checks
that the list covers every route of the application: a new endpoint without a row here fails.

Roles: ``admin`` (global administrator, no membership), ``coordinator``, ``analyst`` (linked to
analyst ``nctv-analyst`` of the integrated example) and ``viewer`` of the assessment, and
``outsider`` (coordinator of another assessment only). Need to know: for a non-member an
assessment does not exist (404), whatever the endpoint; without a valid token everything is 401.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from nsra.server.api import create_app
from nsra.server.db import assessment_data
from nsra.server.db import versions as vs
from nsra.server.db import workflow as wf
from nsra.server.db.models import AssessmentRow
from tests.server import common
from tests.server.common import BE, NL, MakeWorld, User

ANALYST = "nctv-analyst"
OWN = "right-wing-lone-actor"  # assigned to ANALYST (estimates in the file), no consensus
OTHER_SC = "heat-wave-drought"  # not assigned to ANALYST
ROLES = ("admin", "coordinator", "analyst", "viewer", "outsider")


@dataclass
class World(common.World):
    versions: dict[str, Any] = field(default_factory=dict)

    @property
    def mine(self) -> int:
        return self.ids["mine"]

    @property
    def other(self) -> int:
        return self.ids["other"]

    def headers(self, who: str) -> dict[str, str]:
        return self.auth(ANALYST if who == "analyst" else who)


USERS = {
    "admin": User("admin"),
    "coordinator": User("coordinator", {"mine": "coordinator"}),
    ANALYST: User("analyst", {"mine": "analyst"}),  # the user named as the analyst: linked
    "viewer": User("viewer", {"mine": "viewer"}),
    "outsider": User("coordinator", {"other": "coordinator"}),
}


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    w = make_world({"mine": NL, "other": BE}, USERS, World)
    with Session(w.engine) as s, s.begin():
        # round 1 closed, round 2 open: the Delphi endpoints have something to act on
        row = s.get(AssessmentRow, w.mine)
        assert row is not None
        vs.publish(s, row, "admin", "fixture", None, 1)  # version 1, for every member to read
        r1 = wf.open_round(s, row, "admin", None)
        wf.close_round(s, r1, "admin", {})
        wf.open_round(s, row, "admin", None)
    return w


# -- expectations ----------------------------------------------------------------------------

Expect = dict[str, int]


def read(ok: int = 200) -> Expect:
    """Every member may; a non-member meets 404."""
    return {"admin": ok, "coordinator": ok, "analyst": ok, "viewer": ok, "outsider": 404}


def coordinate(ok: int = 200) -> Expect:
    """Coordinators of the assessment and administrators."""
    return {"admin": ok, "coordinator": ok, "analyst": 403, "viewer": 403, "outsider": 404}


def everyone(ok: int = 200) -> Expect:
    return dict.fromkeys(ROLES, ok)


Path = Callable[[World, int], str]
Kw = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    method: str
    route: str  # the route's path as FastAPI lists it
    expect: Expect
    kw: Kw = lambda _w: {}
    fill: dict[str, str] = field(default_factory=dict)  # route parameters other than the id
    remember: str | None = None  # keep the response's version under this name

    def path(self, aid: int) -> str:
        return self.route.replace("{assessment_id}", str(aid)).format(**self.fill)


def _json(body: Any) -> Kw:
    return lambda _w: {"json": body}


def _version(name: str, extra: dict[str, Any] | None = None) -> Kw:
    return lambda w: {"params": {"version": w.versions.get(name, 1), **(extra or {})}}


def _put_item(item: dict[str, Any]) -> Kw:
    return lambda _w: {"json": {"item": item, "version": None}}


A = "/api/assessments/{assessment_id}"
EST = A + "/scenarios/{scenario}/estimates/{analyst}/{slot}"
SCENARIO = {
    "title": {"en": "Perm"},
    "theme": "terrorism",
    "domain": "internal",
    "malicious": False,
    "owner": "jenv",
}
STRATEGY = {"title": {"en": "Perm"}, "scope": "national", "owner": "jenv"}
MEASURE = {
    "title": {"en": "Perm"},
    "owners": ["jenv"],
    "strategy": "counter-terrorism-strategy",
    "phase": "prevent",
    "scenarios": [OWN],
}
CONSENSUS = {"likelihood": "C", "rationale": "agreed"}
DEVELOPMENT = {
    "title": {"en": "Perm"},
    "kind": "other",
    "effects": [{"scenario": OWN, "likelihood": 1}],
}
CAPABILITY = {"title": {"en": "Perm"}, "kind": "people", "owners": ["jenv"]}
EST_FILL = {"scenario": OWN, "analyst": ANALYST, "slot": "likelihood"}


def _workbook_body(_w: World) -> dict[str, Any]:
    return {"content": _workbook()}


def _live_workbook(w: World) -> dict[str, Any]:
    """The workbook of the assessment as it is now (downloaded by the administrator)."""
    r = w.client.get(f"/api/assessments/{w.mine}/export.xlsx", headers=w.headers("admin"))
    assert r.status_code == 200, r.text
    return {"content": r.content, "params": {"name": "live.xlsx"}}


@functools.cache
def _workbook() -> bytes:
    """The workbook of the upload above (``nsra excel export``)."""
    import json

    from nsra.io.excel.export import export_workbook
    from nsra.io.validate import parse_assessment

    loaded = parse_assessment(json.dumps(_upload()), "upload")
    return export_workbook(loaded.assessment, loaded.method)


STEPS: tuple[Step, ...] = (
    Step("GET", "/api/methods", everyone()),
    Step("GET", "/api/assessments", everyone()),
    Step("GET", A, read()),
    Step("GET", A + "/scenarios", read()),
    Step("GET", A + "/results", read()),
    Step("GET", A + "/report", read()),
    Step("GET", A + "/strategy", read()),
    Step("GET", A + "/export", read(), _json(None)),
    Step("GET", A + "/export.xlsx", read()),
    Step("GET", A + "/audit", coordinate()),
    Step("GET", EST, read(), fill=EST_FILL, remember="estimate"),
    Step(
        "PUT",
        EST,
        {**coordinate(), "analyst": 200},
        lambda w: {"json": {"estimate": "D", "version": w.versions.get("estimate")}},
        fill=EST_FILL,
    ),
    Step("GET", A + "/scenarios/{key}", read(), fill={"key": OWN}),
    Step("PUT", A + "/scenarios/{key}", coordinate(), _put_item(SCENARIO), {"key": "perm"}, "sc"),
    Step("DELETE", A + "/scenarios/{key}", coordinate(), _version("sc"), {"key": "perm"}),
    Step("GET", A + "/strategies", read()),
    Step("GET", A + "/strategies/{key}", read(), fill={"key": "defence-policy"}),
    Step("PUT", A + "/strategies/{key}", coordinate(), _put_item(STRATEGY), {"key": "perm"}, "s"),
    Step("DELETE", A + "/strategies/{key}", coordinate(), _version("s"), {"key": "perm"}),
    Step("GET", A + "/measures", read()),
    Step("GET", A + "/measures/{key}", read(), fill={"key": "threat-level-and-surveillance"}),
    Step("PUT", A + "/measures/{key}", coordinate(), _put_item(MEASURE), {"key": "perm"}, "m"),
    Step("DELETE", A + "/measures/{key}", coordinate(), _version("m"), {"key": "perm"}),
    Step("GET", A + "/developments", read()),
    Step("GET", A + "/developments/{key}", read(), fill={"key": "ai-enabled-attacks"}),
    Step("PUT", A + "/developments/{key}", coordinate(), _put_item(DEVELOPMENT), {"key": "p"}, "d"),
    Step("DELETE", A + "/developments/{key}", coordinate(), _version("d"), {"key": "p"}),
    Step("GET", A + "/capabilities", read()),
    Step("GET", A + "/capabilities/{key}", read(), fill={"key": "mass-evacuation-plans"}),
    Step("PUT", A + "/capabilities/{key}", coordinate(), _put_item(CAPABILITY), {"key": "p"}, "cp"),
    Step("DELETE", A + "/capabilities/{key}", coordinate(), _version("cp"), {"key": "p"}),
    Step("GET", A + "/measures-basis", read(), remember="mb"),
    Step(
        "PUT",
        A + "/measures-basis",
        coordinate(),
        lambda w: {"json": {"item": "current", "version": w.versions.get("mb")}},
    ),
    Step("GET", A + "/themes", read(), remember="th"),
    Step(
        "PUT",
        A + "/themes",
        coordinate(),
        lambda w: {"json": {"item": [], "version": w.versions.get("th")}},
    ),
    Step("GET", A + "/cascades", read()),
    Step(
        "GET",
        A + "/cascades/{cause}/{effect}",
        read(),
        fill={"cause": "pandemic", "effect": "polarisation-social-unrest"},
    ),
    Step(
        "PUT",
        A + "/cascades/{cause}/{effect}",
        coordinate(),
        _put_item({"probability": "B"}),
        {"cause": OWN, "effect": "pandemic"},
        "c",
    ),
    Step(
        "DELETE",
        A + "/cascades/{cause}/{effect}",
        coordinate(),
        _version("c"),
        {"cause": OWN, "effect": "pandemic"},
    ),
    Step("GET", A + "/scenarios/{scenario}/consensus", read(), fill={"scenario": OWN}),
    Step(
        "PUT",
        A + "/scenarios/{scenario}/consensus",
        coordinate(),
        _put_item(CONSENSUS),
        {"scenario": OWN},
        "k",
    ),
    Step(
        "DELETE",
        A + "/scenarios/{scenario}/consensus",
        coordinate(),
        _version("k"),
        {"scenario": OWN},
    ),
    Step("POST", A + "/organisations", coordinate(201), _json({"id": "perm", "name": "Perm"})),
    Step("GET", A + "/analysts", read()),
    Step(
        "PUT",
        A + "/analysts/{analyst}",
        coordinate(),
        _json({"organisation": "jenv"}),
        {"analyst": "perm-analyst"},
    ),
    Step("GET", A + "/assignments", read()),
    Step(
        "PUT",
        A + "/assignments/{scenario}/{analyst}",
        coordinate(),
        fill={"scenario": OTHER_SC, "analyst": ANALYST},
    ),
    Step(
        "DELETE",
        A + "/assignments/{scenario}/{analyst}",
        coordinate(),
        fill={"scenario": OTHER_SC, "analyst": ANALYST},
    ),
    Step("GET", A + "/rounds", read()),
    Step("GET", A + "/rounds/{number}", read(), fill={"number": "1"}),
    Step("GET", A + "/rounds/{number}", coordinate(), fill={"number": "2"}),  # open: coordinators
    Step("GET", A + "/rounds/compare", read(), lambda _w: {"params": {"from": 1, "to": 1}}),
    Step("POST", A + "/rounds", coordinate(409), _json({})),  # round 2 is still open
    Step(
        "POST",
        A + "/scenarios/{scenario}/submit",
        {**coordinate(201), "analyst": 201},
        _json({"analyst": ANALYST}),
        {"scenario": OWN},
    ),
    Step("POST", A + "/rounds/{number}/close", coordinate(), fill={"number": "2"}),
    # versions: published with no round open (rounds 1 and 2 are closed now)
    Step("POST", A + "/versions", coordinate(201), _json({"label": "v1"})),
    # the live assessment's workbook imported back: a new version (no round is open)
    Step("POST", A + "/import.xlsx", coordinate(201), _live_workbook),
    Step("GET", A + "/versions", read()),
    Step("GET", A + "/versions/{number}", read(), fill={"number": "1"}),
    Step("GET", A + "/versions/{number}/reproduce", read(), fill={"number": "1"}),
    Step("GET", A + "/versions/{number}/report", read(), fill={"number": "1"}),
    Step("GET", A + "/versions/{number}/export", read(), fill={"number": "1"}),
    Step(
        "GET",
        A + "/versions/compare",
        read(),
        lambda _w: {"params": {"from": 1, "to": "live"}},
    ),
    Step("POST", A + "/rounds", coordinate(201), _json({"note": "next"})),
    Step("POST", A + "/members", coordinate(201), _json({"user": "viewer", "role": "viewer"})),
    Step("GET", "/api/session", everyone()),
    # another's job, or none: 404 for everyone (a job is seen only by who asked for it)
    Step("GET", "/api/jobs/{job_id}", dict.fromkeys(ROLES, 404), fill={"job_id": "99999"}),
    Step(
        "POST",
        "/api/assessments",
        {"admin": 201, "coordinator": 201, "analyst": 403, "viewer": 403, "outsider": 201},
        lambda _w: {"json": _upload()},
    ),
    Step(
        "POST",
        "/api/assessments/import.xlsx",
        {"admin": 201, "coordinator": 201, "analyst": 403, "viewer": 403, "outsider": 201},
        _workbook_body,
    ),
)


def _upload() -> dict[str, Any]:
    return {
        "title": {"en": "New"},
        "method": "uk-nsra-2023",
        "date": "2026-11-29",
        "classification": "OFFICIAL",
        "organisations": [{"id": "co", "name": "CO"}],
        "scenarios": [
            {
                "id": "s1",
                "title": {"en": "S1"},
                "theme": "terrorism",
                "domain": "internal",
                "malicious": False,
                "owner": "co",
            }
        ],
    }


def _run(w: World, who: str, step: Step, aid: int) -> Any:
    r = w.client.request(step.method, step.path(aid), headers=w.headers(who), **step.kw(w))
    if step.remember and r.status_code in (200, 201):
        w.versions[step.remember] = r.json().get("version")
    return r


# -- the tests -------------------------------------------------------------------------------


def test_the_matrix_covers_every_operation_of_the_openapi_schema(engine: Engine) -> None:
    paths = create_app(engine).openapi()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    covered = {(s.method, s.route) for s in STEPS} | {(m, r) for m, r in EXTRA_ROUTES}
    assert routes - covered == set(), "routes without a row in the permission matrix"
    assert covered - routes == set(), "rows of the matrix without a route"


# Signing in and out with a browser session: no bearer token is involved, so they are not a
# matter of role; tests/test_auth.py tests them (cookies, CSRF, rate limits).
EXTRA_ROUTES: set[tuple[str, str]] = {("POST", "/api/session"), ("DELETE", "/api/session")}


@pytest.mark.parametrize("who", ROLES)
def test_every_role_on_every_endpoint(world: World, who: str) -> None:
    w = world
    for step in STEPS:
        r = _run(w, who, step, w.mine)
        want = step.expect[who]
        assert r.status_code == want, f"{who} {step.method} {step.path(w.mine)}: {r.text}"
        if r.headers.get("content-type", "").startswith("application/json"):
            body = r.json()
            assert isinstance(body, list | dict)
            if want >= 400:
                assert isinstance(body, dict)
                assert set(body) >= {"error", "field"} and body["error"]
        if want < 400 and "{assessment_id}" in step.route:
            assert r.headers["X-Classification"]  # every response with its content is labelled


@pytest.mark.parametrize("who", ["coordinator", "analyst", "viewer"])
def test_another_assessments_ids_are_404_on_every_endpoint(world: World, who: str) -> None:
    w = world
    before = assessment_data_of(w)
    for step in STEPS:
        if "{assessment_id}" not in step.route:
            continue
        r = _run(w, who, step, w.other)
        assert r.status_code == 404, f"{who} {step.method} {step.path(w.other)}: {r.text}"
        assert "Belg" not in r.text and "BNRA" not in r.text  # nothing of it leaks
    assert assessment_data_of(w) == before


def assessment_data_of(w: World) -> Any:
    with Session(w.engine) as s:
        return assessment_data(s, w.other)


@pytest.mark.parametrize("token", [None, "nsra_forged"])
def test_without_a_valid_token_every_endpoint_is_401(world: World, token: str | None) -> None:
    w = world
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    for step in STEPS:
        r = w.client.request(step.method, step.path(w.mine), headers=headers, **step.kw(w))
        assert r.status_code == 401, f"{step.method} {step.path(w.mine)}: {r.text}"
        assert r.json()["error"]

"""The REST API as assembled (nsra.server.api.app): permissions, errors, classification, the
OpenAPI document, the commands that serve it.

Every test that takes the ``engine`` fixture runs on SQLite and on PostgreSQL, as in test_db.
The permission matrix is one test per kind of caller, going through every endpoint, each time
on the assessment the caller may see and on another assessment's id. What one router does is
tested in the file named after it (test_assessments, test_results, test_members, ...).
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from nsra.cli import app as cli_app
from nsra.server.api import app as app_module
from nsra.server.api import create_app
from nsra.server.db import ENV_VAR, make_engine
from nsra.server.db.access import user_by_name
from tests.server.common import (
    BE_LABEL,
    UK,
    UK_LABEL,
    Callers,
    is_classified,
    is_error,
    snapshot,
    upload_body,
)


def assessment_endpoints(w: Callers, assessment_id: int) -> list[tuple[str, str, Any]]:
    base = f"/api/assessments/{assessment_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/scenarios", None),
        ("GET", f"{base}/results", None),
        ("POST", f"{base}/members", {"user": "newcomer", "role": "viewer"}),
    ]


# expected status on the caller's "mine" assessment, per endpoint (GET, scenarios, results, POST)
ON_MINE = {
    "admin": [200, 200, 200, 201],
    "coordinator": [200, 200, 200, 201],
    "analyst": [200, 200, 200, 403],
    "viewer": [200, 200, 200, 403],
    "outsider": [404, 404, 404, 404],
}
CAN_CREATE = {"admin": True, "coordinator": True, "analyst": False, "viewer": False}


@pytest.mark.parametrize("who", list(ON_MINE))
def test_permission_matrix(callers: Callers, who: str) -> None:
    w, headers = callers, callers.auth(who)
    r = w.client.get("/api/methods", headers=headers)
    assert r.status_code == 200 and {m["id"] for m in r.json()} >= {"uk-nsra-2023", "nl-snv"}

    r = w.client.get("/api/assessments", headers=headers)
    assert r.status_code == 200
    seen = {a["id"]: a for a in r.json()}
    expected = {
        "admin": {w.mine, w.other},
        "outsider": {w.other},
    }.get(who, {w.mine})
    assert set(seen) == expected
    for a in seen.values():
        assert a["classification"] in (UK_LABEL, BE_LABEL)
    assert r.headers["X-Classification"]

    for (method, path, body), status in zip(
        assessment_endpoints(w, w.mine), ON_MINE[who], strict=True
    ):
        r = w.client.request(method, path, headers=headers, json=body)
        if status >= 400:
            is_error(r, status)
            if status == 404:  # nothing of the assessment leaks
                assert UK_LABEL not in r.text and "X-Classification" not in r.headers
        else:
            assert r.status_code == status, (method, path, r.text)
            is_classified(r, UK_LABEL)

    # another assessment's ids: only the admin and its own member see it; unknown ids: 404
    other_ok = who in ("admin", "outsider")
    for (method, path, body), status in zip(
        assessment_endpoints(w, w.other), [200, 200, 200, 201], strict=True
    ):
        r = w.client.request(method, path, headers=headers, json=body)
        if other_ok:
            assert r.status_code == status, (method, path, r.text)
            is_classified(r, BE_LABEL)
        else:
            is_error(r, 404)
            assert BE_LABEL not in r.text
    for method, path, body in assessment_endpoints(w, 999_999):
        is_error(w.client.request(method, path, headers=headers, json=body), 404)

    r = w.client.post("/api/assessments", headers=headers, json=upload_body(UK))
    if CAN_CREATE.get(who, who == "outsider"):  # the outsider is a coordinator elsewhere
        assert r.status_code == 201, r.text
        is_classified(r, UK_LABEL)
        new = r.json()["id"]
        assert w.client.get(f"/api/assessments/{new}", headers=headers).json()["role"] in (
            "coordinator",
            "admin",
        )
    else:
        is_error(r, 403)


@pytest.mark.parametrize("who", ["nobody", "forger", "malformed"])
def test_without_a_valid_token_every_endpoint_is_401(callers: Callers, who: str) -> None:
    w = callers
    headers = {"Authorization": "Token abc"} if who == "malformed" else w.auth(who)
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/api/methods", None),
        ("GET", "/api/assessments", None),
        ("POST", "/api/assessments", upload_body(UK)),
        *assessment_endpoints(w, w.mine),
        *assessment_endpoints(w, 999_999),
    ]
    before = snapshot(w.engine)
    for method, path, body in calls:
        r = w.client.request(method, path, headers=headers, json=body)
        is_error(r, 401)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert UK_LABEL not in r.text
    assert snapshot(w.engine) == before


def test_an_inactive_user_is_refused(callers: Callers) -> None:
    with Session(callers.engine) as s, s.begin():
        user = user_by_name(s, "coordinator")
        assert user is not None
        user.active = False
    is_error(callers.client.get("/api/methods", headers=callers.auth("coordinator")), 401)


def test_openapi_and_docs_are_served(callers: Callers) -> None:
    spec = callers.client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (
        "/api/methods",
        "/api/assessments",
        "/api/assessments/{assessment_id}",
        "/api/assessments/{assessment_id}/scenarios",
        "/api/assessments/{assessment_id}/results",
        "/api/assessments/{assessment_id}/members",
    ):
        assert path in paths
    docs = callers.client.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_unknown_routes_and_methods_are_json_errors(callers: Callers) -> None:
    is_error(callers.client.get("/api/nothing-here"), 404)
    is_error(callers.client.delete("/api/methods", headers=callers.auth("admin")), 405)
    is_error(callers.client.get("/api/assessments/abc", headers=callers.auth("admin")), 422)


# -- the commands ----------------------------------------------------------------------------------
def test_users_commands_and_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    added = runner.invoke(
        cli_app,
        ["users", "add", "ann", "--role", "coordinator", "--password-stdin"],
        input="s3cret\n",
    )
    assert added.exit_code == 0, added.output
    assert "s3cret" not in added.output
    again = runner.invoke(
        cli_app, ["users", "add", "ann", "--role", "viewer", "--password-stdin"], input="x\n"
    )
    assert again.exit_code != 0
    prompted = runner.invoke(cli_app, ["users", "add", "bob", "--role", "viewer"], input="pw\npw\n")
    assert prompted.exit_code == 0, prompted.output
    assert "pw\n" not in prompted.output.replace("Password", "")
    made = runner.invoke(cli_app, ["users", "token", "ann"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert runner.invoke(cli_app, ["users", "token", "nobody"]).exit_code != 0

    eng = make_engine("sqlite:///nsra.db")
    with Session(eng) as s:
        from nsra.server.db.access import password_matches

        ann = user_by_name(s, "ann")
        assert ann is not None and ann.password_hash and ann.password_hash.startswith("$argon2")
        assert password_matches(ann, "s3cret") and not password_matches(ann, "wrong")
        assert token not in json.dumps([ann.password_hash])
    client = TestClient(create_app(eng))
    r = client.post(
        "/api/assessments", headers={"Authorization": f"Bearer {token}"}, json=upload_body(UK)
    )
    assert r.status_code == 201, r.text
    eng.dispose()

    served: dict[str, Any] = {}

    def fake_run(application: Any, host: str, port: int, **_kw: Any) -> None:
        served.update(app=application, host=host, port=port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    done = runner.invoke(cli_app, ["serve", "--port", "8123", "--url", url])
    assert done.exit_code == 0, done.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8123
    assert (tmp_path / "fresh.db").is_file()  # made and upgraded before serving


def test_an_internal_error_is_json_without_traceback(
    callers: Callers, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("boom in the engine")

    monkeypatch.setattr("nsra.server.api.views.compute", broken)
    client = TestClient(create_app(callers.engine), raise_server_exceptions=False)
    r = client.get(f"/api/assessments/{callers.mine}/results", headers=callers.auth("admin"))
    is_error(r, 500)
    assert "boom" not in r.text


def test_a_label_outside_ascii_is_percent_encoded_in_the_header(callers: Callers) -> None:
    body = upload_body(UK)
    body["classification"] = "ДСП / Ü"
    r = callers.client.post("/api/assessments", headers=callers.auth("admin"), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["classification"] == "ДСП / Ü"
    assert r.headers["X-Classification"] == quote("ДСП / Ü", safe=" /")


@pytest.mark.parametrize(
    ("method", "path", "kw"),
    [
        ("GET", "/api/assessments/{a}/scenarios/a%00b/consensus", {}),
        ("GET", "/api/assessments/{a}/audit", {"params": {"scenario": "x\x00y"}}),
        (
            "PUT",
            "/api/assessments/{a}/strategies/s1",
            {"json": {"item": {"title": {"en": "a\x00"}, "scope": "national", "owner": "x"}}},
        ),
        (
            "POST",
            "/api/session",
            {
                "content": b"user=demo%00&password=x",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
        ),
    ],
)
def test_a_nul_character_is_refused_the_same_on_both_engines(
    callers: Callers, method: str, path: str, kw: dict[str, Any]
) -> None:
    """PostgreSQL cannot store or compare text with NUL; the server refuses it everywhere."""
    before = snapshot(callers.engine)
    kw = dict(kw)  # the parameters are shared by the SQLite and PostgreSQL runs
    headers = {**callers.auth("admin"), **kw.pop("headers", {})}
    r = callers.client.request(method, path.format(a=callers.mine), headers=headers, **kw)
    is_error(r, 422)
    assert "NUL" in r.json()["error"]
    assert snapshot(callers.engine) == before


LONE = "the request contains half of a character"


@pytest.mark.parametrize(
    ("path", "body", "who"),
    [
        ("/api/session", b'{"user": "a\\ud800b", "password": "x"}', None),
        (
            "/api/assessments/{a}/strategies/s1",
            b'{"item": {"title": {"en": "a\\udc00"}, "scope": "national", "owner": "x"}}',
            "admin",
        ),
        (
            "/api/assessments/{a}/strategies/s1",
            b'{"item": {"title": {"en": "ok \\ud83d\\ude00 \\ud83d"}, "scope": "national"}}',
            "admin",
        ),
    ],
)
def test_a_lone_surrogate_is_refused_not_a_500(
    callers: Callers, path: str, body: bytes, who: str | None
) -> None:
    """Half a character cannot be stored, hashed or sent: 422 with a plain message, nothing
    written (it was a 500 masked by a failed rollback)."""
    before = snapshot(callers.engine)
    headers = {"Content-Type": "application/json", **(callers.auth(who) if who else {})}
    method = "POST" if path == "/api/session" else "PUT"
    r = callers.client.request(method, path.format(a=callers.mine), headers=headers, content=body)
    is_error(r, 422)
    assert LONE in r.json()["error"]
    assert snapshot(callers.engine) == before


def test_a_whole_character_outside_the_basic_plane_and_an_escaped_backslash_pass(
    callers: Callers,
) -> None:
    """A surrogate pair is one character (a flag), and ``\\\\ud800`` is a backslash and text."""
    body = (
        b'{"item": {"title": {"en": "flag \\ud83c\\uddf3\\ud83c\\uddf1 and \\\\ud800 as text"},'
        b' "scope": "national", "owner": "nobody"}}'
    )
    r = callers.client.put(
        f"/api/assessments/{callers.mine}/strategies/s-new",
        headers={"Content-Type": "application/json", **callers.auth("admin")},
        content=body,
    )
    is_error(r, 422)  # the checker's word on the unknown owner, not the surrogate refusal
    assert LONE not in r.text and "nobody" in r.text


def test_json_nested_thousands_of_levels_deep_at_sign_in_is_a_422(callers: Callers) -> None:
    body = b'{"user": ' + b"[" * 100_000 + b"]" * 100_000 + b', "password": "x"}'
    r = callers.client.post(
        "/api/session", headers={"Content-Type": "application/json"}, content=body
    )
    is_error(r, 422)
    assert r.json()["error"] == "the body is not valid JSON"


def test_the_heap_of_the_start_is_frozen_out_of_the_cycle_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection went through the ~220,000 objects of the start (modules, routes,
    mappers) in 125 to 180 ms, during which the worker answered nothing (issue 12)."""
    gc.unfreeze()  # what an earlier test's application froze
    monkeypatch.setattr(app_module, "_FROZEN", [])  # as in a new worker process
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    try:
        assert gc.get_freeze_count() == 0
        with TestClient(create_app(engine)):  # the application's start
            assert gc.get_freeze_count() > 50_000
        frozen = gc.get_freeze_count()
        with TestClient(create_app(engine)):  # a second application: nothing frozen again
            assert gc.get_freeze_count() <= frozen  # (frozen objects may still be freed)
    finally:
        engine.dispose()

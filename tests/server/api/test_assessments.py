"""Assessments (nsra.server.api.assessments): an uploaded file checked and stored as it was
sent, on SQLite and PostgreSQL. Who sees which assessment is in the permission matrices
(test_app, test_permissions)."""

from __future__ import annotations

from tests.server.common import BE, BE_LABEL, UK, Callers, is_error, snapshot, upload_body


def test_an_invalid_assessment_is_422_and_nothing_is_stored(callers: Callers) -> None:
    w, headers = callers, callers.auth("coordinator")
    before = snapshot(w.engine)
    body = upload_body(UK)
    body["scenarios"][0]["owner"] = "no-such-organisation"
    r = w.client.post("/api/assessments", headers=headers, json=body)
    is_error(r, 422)
    assert r.json()["field"] == "scenarios[0].owner"
    assert "no-such-organisation" in r.json()["error"]
    assert r.json()["problems"]

    no_title = upload_body(UK)
    del no_title["title"]
    r = w.client.post("/api/assessments", headers=headers, json=no_title)
    is_error(r, 422)
    assert r.json()["field"] == "title"

    by_path = upload_body(UK)
    by_path["method"] = "/etc/passwd.yaml"
    r = w.client.post("/api/assessments", headers=headers, json=by_path)
    is_error(r, 422)
    assert r.json()["field"] == "method"

    not_a_mapping = w.client.post("/api/assessments", headers=headers, json=[1, 2])
    is_error(not_a_mapping, 422)
    not_json = w.client.post(
        "/api/assessments",
        headers={**headers, "Content-Type": "application/json"},
        content=b"{not json",
    )
    is_error(not_json, 422)
    assert snapshot(w.engine) == before


def test_a_created_assessment_is_the_uploaded_file(callers: Callers) -> None:
    body = upload_body(BE)
    r = callers.client.post("/api/assessments", headers=callers.auth("coordinator"), json=body)
    assert r.status_code == 201, r.text
    got = callers.client.get(
        f"/api/assessments/{r.json()['id']}", headers=callers.auth("coordinator")
    ).json()
    assert got["assessment"]["classification"] == BE_LABEL
    scenarios = callers.client.get(
        f"/api/assessments/{r.json()['id']}/scenarios", headers=callers.auth("coordinator")
    ).json()["scenarios"]
    assert [s["id"] for s in scenarios] == [s["id"] for s in body["scenarios"]]

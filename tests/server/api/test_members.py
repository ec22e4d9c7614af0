"""Membership (nsra.server.api.members): adding a user to an assessment with a role, on SQLite
and PostgreSQL. Who may do it is in the permission matrices (test_app, test_permissions)."""

from __future__ import annotations

from tests.server.common import Callers, is_error


def test_added_member_sees_the_assessment_with_that_role(callers: Callers) -> None:
    w = callers
    path = f"/api/assessments/{w.mine}"
    is_error(w.client.get(path, headers=w.auth("newcomer")), 404)
    r = w.client.post(
        f"{path}/members",
        headers=w.auth("coordinator"),
        json={"user": "newcomer", "role": "analyst"},
    )
    assert r.status_code == 201, r.text
    assert w.client.get(path, headers=w.auth("newcomer")).json()["role"] == "analyst"
    bad_role = w.client.post(
        f"{path}/members", headers=w.auth("coordinator"), json={"user": "newcomer", "role": "boss"}
    )
    is_error(bad_role, 422)
    assert bad_role.json()["field"] == "body.role"
    nobody = w.client.post(
        f"{path}/members", headers=w.auth("coordinator"), json={"user": "ghost", "role": "viewer"}
    )
    is_error(nobody, 422)
    assert nobody.json()["field"] == "user"

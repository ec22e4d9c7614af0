"""Membership (nsra.server.api.members): adding a user to an assessment with a role, on SQLite
and PostgreSQL. Who may do it is in the permission matrices (test_app, test_permissions)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nsra.server.db.access import may_hold, user_by_name
from tests.server.common import Callers, is_error, snapshot


def test_added_member_sees_the_assessment_with_that_role(callers: Callers) -> None:
    w = callers
    path = f"/api/assessments/{w.mine}"
    is_error(w.client.get(path, headers=w.auth("newcomer")), 404)
    r = w.client.post(
        f"{path}/members",
        headers=w.auth("coordinator"),
        json={"user": "newcomer", "role": "viewer"},
    )
    assert r.status_code == 201, r.text
    assert w.client.get(path, headers=w.auth("newcomer")).json()["role"] == "viewer"
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


def test_no_role_in_an_assessment_above_the_global_role(callers: Callers) -> None:
    """The rule (nsra.server.db.access.may_hold): a coordinator cannot make a global viewer
    coordinator (or analyst) of their assessment, nor can an administrator; once an
    administrator has raised the global role, the coordinator can."""
    w = callers
    path = f"/api/assessments/{w.mine}/members"
    before = snapshot(w.engine)
    for who in ("coordinator", "admin"):
        for role in ("coordinator", "analyst"):
            r = w.call(who, "POST", path, json={"user": "newcomer", "role": role})
            body = is_error(r, 422)
            assert body["field"] == "role" and "administrator" in body["error"]
    assert snapshot(w.engine) == before
    with Session(w.engine) as s, s.begin():
        user = user_by_name(s, "newcomer")
        assert user is not None
        user.role = "coordinator"
    r = w.call("coordinator", "POST", path, json={"user": "newcomer", "role": "coordinator"})
    assert r.status_code == 201, r.text


def test_the_ceiling_by_role() -> None:
    assert may_hold("viewer", "viewer") and not may_hold("viewer", "analyst")
    assert may_hold("analyst", "analyst") and not may_hold("analyst", "coordinator")
    assert may_hold("coordinator", "coordinator") and may_hold("admin", "coordinator")
    assert not may_hold("nobody", "viewer") and not may_hold("admin", "owner")

"""The pages about people: members, organisations, analysts and assignments; the history; the
administration. What each role sees and may do, that a change is really stored (read back
through the API or the database), that a refused change shows the checker's message at the
field and stores nothing, empty states, Dutch labels."""

from __future__ import annotations

import functools
import html as html_module
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from nsra.server.api.auth import COOKIE
from nsra.server.db import audit, import_file
from nsra.server.db.access import (
    ApiTokenRow,
    MembershipRow,
    UserRow,
    add_user,
    hash_password,
    new_token,
    user_by_name,
)
from nsra.server.web.history import changes, short
from nsra.server.web.pages import LANG_COOKIE
from tests.server.common import UK, snapshot
from tests.server.web.test_signin import PASSWORD, _Page, sign_in

# (name, global role, role in the UK example or None)
PEOPLE = (
    ("coord", "coordinator", "coordinator"),
    ("ana", "analyst", "analyst"),
    ("vic", "viewer", "viewer"),
    ("adm", "admin", None),
    ("newbie", "analyst", None),
)


@dataclass
class World:
    client: TestClient
    engine: Engine
    id: int
    tokens: dict[str, str]

    def as_(self, name: str) -> TestClient:
        """The client signed in (by the form) as ``name``."""
        self.client.cookies.clear()
        r = sign_in(self.client, name)
        assert r.status_code == 303, r.text  # type: ignore[attr-defined]
        return self.client

    def csrf(self, path: str = "/") -> str:
        return _Page(self.client.get(path).text).hidden["csrf_token"]

    def post(self, path: str, data: dict[str, Any]) -> Any:
        """A form post with the session's CSRF token (a real one: what a forged post by a
        signed-in member would carry too)."""
        token = self.csrf()
        return self.client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)

    def api(self, who: str, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(
            method, f"/api/assessments/{self.id}{path}", headers=headers, **kw
        )

    def pairs(self) -> set[tuple[str, str]]:
        r = self.api("coord", "GET", "/assignments")
        assert r.status_code == 200
        return {(a["scenario"], a["analyst"]) for a in r.json()["assignments"]}


@functools.cache
def _digest() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def world(client: TestClient) -> World:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    assessment = import_file(engine, str(UK))
    tokens = {}
    digest = _digest()  # argon2 is slow on purpose: one hash for every user
    with Session(engine) as s, s.begin():
        for name, role, member in PEOPLE:
            user = add_user(s, name, role, None)
            user.password_hash = digest
            if member is not None:
                s.add(MembershipRow(user_id=user.id, assessment_id=assessment, role=member))
            tokens[name] = new_token(s, user)
    return World(client, engine, assessment, tokens)


def words(response: Any) -> str:
    return _Page(response.text).words


def field_error(html: str, field_id: str) -> str:
    """The message shown at the field, which must be marked invalid and point to it."""
    tag = re.search(rf'<(?:input|select)[^>]*id="{field_id}"[^>]*>', html)
    assert tag, field_id
    assert 'aria-invalid="true"' in tag.group(0)
    assert f"{field_id}-error" in tag.group(0)
    message = re.search(rf'id="{field_id}-error">([^<]*)<', html)
    assert message, html
    return html_module.unescape(message.group(1))


# -- members, organisations, analysts, assignments -------------------------------------------


def test_a_coordinator_invites_an_organisation_and_an_analyst_and_assigns(world: World) -> None:
    w = world
    w.as_("coord")
    page = w.client.get(f"/a/{w.id}/members")
    assert page.status_code == 200
    text = words(page)
    for part in ("Organisations", "Analysts", "Members and roles", "Assignments"):
        assert part in text
    assert "co-analyst" in text and "Cabinet Office" in text

    r = w.post(f"/a/{w.id}/members/organisations", {"id": "nca", "name": "National Crime Agency"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/a/{w.id}/members?done=organisation#organisations"
    assert "The organisation was invited." in words(w.client.get(r.headers["location"]))

    r = w.post(
        f"/a/{w.id}/members/analysts",
        {"id": "nca-1", "name": "Analyst, NCA", "organisation": "nca", "user": "newbie"},
    )
    assert r.status_code == 303
    analysts = {a["id"]: a for a in w.api("coord", "GET", "/analysts").json()["analysts"]}
    assert analysts["nca-1"] == {
        "id": "nca-1",
        "name": "Analyst, NCA",
        "organisation": "nca",
        "user": "newbie",
    }
    # linking the user made them an analyst member
    assert w.client.get(f"/api/assessments/{w.id}", headers=_bearer(w, "newbie")).json()[
        "role"
    ] == ("analyst")

    before = w.pairs()
    shown = " ".join(f"{s}/{a}" for s, a in sorted(before))
    r = w.post(
        f"/a/{w.id}/members/assignments",
        {"shown": shown, "assign": [f"{s}/{a}" for s, a in before] + ["pandemic/nca-1"]},
    )
    assert r.status_code == 303
    assert "added=1&removed=0" in r.headers["location"]
    assert w.pairs() == before | {("pandemic", "nca-1")}
    assert "Assignments saved: 1 assigned, 0 withdrawn." in words(
        w.client.get(r.headers["location"])
    )
    # the grid shows it ticked
    html = w.client.get(f"/a/{w.id}/members").text
    assert re.search(r'value="pandemic/nca-1"[^>]*checked', html)

    # withdrawn again
    shown = " ".join(f"{s}/{a}" for s, a in sorted(w.pairs()))
    r = w.post(
        f"/a/{w.id}/members/assignments",
        {"shown": shown, "assign": [f"{s}/{a}" for s, a in before]},
    )
    assert "added=0&removed=1" in r.headers["location"]
    assert w.pairs() == before
    # each change is in the audit trail, by the coordinator
    trail = w.api("coord", "GET", "/audit").json()["entries"]
    mine = [(e["action"], e["user"]) for e in trail if e["user"] == "coord"]
    assert [a for a, _ in mine] == [
        "organisations.create",
        "analysts.create",
        "assignments.create",
        "assignments.delete",
    ]


def _bearer(w: World, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {w.tokens[who]}"}


def test_the_grid_writes_only_the_boxes_changed(world: World) -> None:
    """An assignment made by someone else after the page was shown is kept."""
    w = world
    w.as_("coord")
    before = w.pairs()
    assert not before & {("pandemic", "mod-analyst"), ("coastal-flooding", "mod-analyst")}
    shown = " ".join(f"{s}/{a}" for s, a in sorted(before))
    assert w.api("adm", "PUT", "/assignments/pandemic/mod-analyst").status_code == 200
    r = w.post(
        f"/a/{w.id}/members/assignments",
        {
            "shown": shown,
            "assign": [f"{s}/{a}" for s, a in before] + ["coastal-flooding/mod-analyst"],
        },
    )
    assert r.status_code == 303
    assert w.pairs() == before | {("pandemic", "mod-analyst"), ("coastal-flooding", "mod-analyst")}


def test_a_refused_change_shows_the_message_at_the_field_and_stores_nothing(world: World) -> None:
    w = world
    w.as_("coord")
    before = snapshot(w.engine)
    r = w.post(f"/a/{w.id}/members/organisations", {"id": "Not An Id!", "name": "Somebody"})
    assert r.status_code == 200
    assert field_error(r.text, "org-id") == (
        "'Not An Id!' is not a valid id: use letters, digits, '.', '_' and '-', "
        "starting with a letter or digit"
    )
    assert 'value="Not An Id!"' in r.text and 'value="Somebody"' in r.text  # what was typed
    assert "Nothing was saved: see the message at the field." in words(r)

    r = w.post(f"/a/{w.id}/members/organisations", {"id": "defra", "name": "DEFRA again"})
    assert field_error(r.text, "org-id") == "organisation 'defra' is already in the assessment"

    r = w.post(
        f"/a/{w.id}/members/analysts",
        {"id": "x-1", "name": "", "organisation": "defra", "user": "ghost"},
    )
    assert field_error(r.text, "an-user") == "there is no active user named 'ghost'"
    r = w.post(
        f"/a/{w.id}/members/analysts",
        {"id": "x-1", "name": "", "organisation": "nowhere", "user": ""},
    )
    assert field_error(r.text, "an-org").startswith("there is no organisation 'nowhere'")
    r = w.post(f"/a/{w.id}/members/members", {"user": "ghost", "role": "viewer"})
    assert field_error(r.text, "member-user") == "there is no active user named 'ghost'"
    r = w.post(f"/a/{w.id}/members/members", {"user": "newbie", "role": "boss"})
    assert field_error(r.text, "member-role").startswith("Input should be")
    r = w.post(
        f"/a/{w.id}/members/assignments", {"shown": "", "assign": ["no-such-scenario/co-analyst"]}
    )
    assert r.status_code == 200
    assert "has no scenario 'no-such-scenario'" in words(r)
    assert snapshot(w.engine) == before


def test_a_coordinator_adds_a_member_and_changes_their_role(world: World) -> None:
    w = world
    w.as_("coord")
    r = w.post(f"/a/{w.id}/members/members", {"user": "newbie", "role": "viewer"})
    assert r.status_code == 303
    assert w.client.get(f"/api/assessments/{w.id}", headers=_bearer(w, "newbie")).json()[
        "role"
    ] == ("viewer")
    r = w.post(f"/a/{w.id}/members/members", {"user": "newbie", "role": "analyst", "changing": "1"})
    assert r.status_code == 303
    assert w.client.get(f"/api/assessments/{w.id}", headers=_bearer(w, "newbie")).json()[
        "role"
    ] == ("analyst")
    assert "The member's role was saved." in words(w.client.get(r.headers["location"]))
    # newbie is an analyst on the server: not coordinator of an assessment (may_hold)
    r = w.post(
        f"/a/{w.id}/members/members", {"user": "newbie", "role": "coordinator", "changing": "1"}
    )
    assert r.status_code == 200  # the form again, with the reason
    assert "an administrator must give them that role" in words(r)


def test_changing_an_analyst_prefills_the_form(world: World) -> None:
    w = world
    w.as_("coord")
    page = w.client.get(f"/a/{w.id}/members?analyst=co-analyst")
    text = words(page)
    assert "Change analyst co-analyst" in text
    assert 'value="Risk assessment team, Cabinet Office (fictitious)"' in page.text
    r = w.post(
        f"/a/{w.id}/members/analysts",
        {"id": "co-analyst", "changing": "1", "name": "CO team", "organisation": "cabinet-office"},
    )
    assert r.status_code == 303
    analysts = {a["id"]: a for a in w.api("coord", "GET", "/analysts").json()["analysts"]}
    assert analysts["co-analyst"]["name"] == "CO team"


@pytest.mark.parametrize("who", ["ana", "vic"])
def test_analysts_and_viewers_may_not_open_or_change_members_or_history(
    world: World, who: str
) -> None:
    w = world
    w.as_(who)
    for path in (f"/a/{w.id}/members", f"/a/{w.id}/history"):
        r = w.client.get(path)
        assert r.status_code == 403, path
        assert "Not allowed" in words(r)
    before = snapshot(w.engine)
    forged: dict[str, dict[str, Any]] = {
        "/members/organisations": {"id": "nca", "name": "NCA"},
        "/members/analysts": {"id": "x-1", "organisation": "defra", "user": who},
        "/members/members": {"user": who, "role": "coordinator"},
        "/members/assignments": {"shown": "", "assign": ["pandemic/mod-analyst"]},
    }
    for tail, data in forged.items():
        r = w.post(f"/a/{w.id}{tail}", data)
        assert r.status_code == 403, tail
    assert snapshot(w.engine) == before
    dashboard = w.client.get(f"/a/{w.id}").text
    assert f'href="/a/{w.id}/members"' not in dashboard


def test_a_stranger_is_sent_to_sign_in_and_a_non_member_gets_404(world: World) -> None:
    w = world
    r = w.client.get(f"/a/{w.id}/members", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in?next=")
    w.as_("newbie")
    assert w.client.get(f"/a/{w.id}/members").status_code == 404
    assert w.client.get(f"/a/{w.id}/history").status_code == 404


def test_an_assessment_without_analysts_shows_the_empty_states(
    world: World, tmp_path: Path
) -> None:
    """One organisation, one scenario, no analyst, no member (imported from a file)."""
    data = yaml.safe_load(UK.read_text(encoding="utf-8"))
    scenario = {
        k: v
        for k, v in data["scenarios"][0].items()
        if k not in ("estimates", "consensus", "reinforces")
    }
    small = {k: data[k] for k in ("title", "method", "date", "classification")}
    small["organisations"] = [o for o in data["organisations"] if o["id"] == scenario["owner"]]
    small["analysts"] = []
    small["scenarios"] = [scenario]
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small, allow_unicode=True), encoding="utf-8")
    empty = import_file(world.engine, str(path))
    world.as_("adm")
    page = world.client.get(f"/a/{empty}/members")
    text = words(page)
    assert "Home Office" in text
    assert "No analysts yet. Invite an organisation first, then its analysts." in text
    assert "This assessment has no members yet." in text
    assert "Assignments need scenarios and analysts: add both first." in text
    assert 'id="analyst-form"' in page.text  # an organisation is there: analysts can come


def test_the_members_page_speaks_dutch(world: World) -> None:
    w = world
    w.as_("coord")
    w.client.cookies.set(LANG_COOKIE, "nl")
    text = words(w.client.get(f"/a/{w.id}/members"))
    assert "Leden en rollen" in text and "Toewijzingen" in text and "Organisaties" in text
    text = words(w.client.get(f"/a/{w.id}/history"))
    assert (
        "Geschiedenis" in text and "Onderbouwing" in text and "importeerde de beoordeling" in text
    )


# -- history -----------------------------------------------------------------------------------


def test_the_history_shows_an_estimate_change_readably(world: World) -> None:
    w = world
    path = "/scenarios/pandemic/estimates/ukhsa-analyst/likelihood"
    current = w.api("coord", "GET", path).json()
    old = current["estimate"]
    r = w.api(
        "coord",
        "PUT",
        path,
        json={"estimate": "2..3", "rationale": "New serology data", "version": current["version"]},
    )
    assert r.status_code == 200, r.text
    w.api("coord", "PUT", "/assignments/coastal-flooding/mod-analyst")
    w.as_("coord")
    page = w.client.get(f"/a/{w.id}/history")
    assert page.status_code == 200
    rows = re.findall(r"<tr id=\"entry-\d+\">.*?</tr>", page.text, re.S)
    newest_first = [_Page(row).words for row in rows]
    assert "assigned the scenario to mod-analyst" in newest_first[0]
    estimate = newest_first[1]
    assert "coord" in estimate
    assert "changed the estimate of likelihood for ukhsa-analyst" in estimate
    old_text = old if isinstance(old, str) else str(old.get("class", old.get("value")))
    assert f"{old_text} → becomes 2..3" in estimate
    assert "New serology data" in estimate
    assert "Pandemic" in estimate or "pandemic" in estimate
    assert re.search(r"\d{1,2} \w+ \d{4} \d{2}:\d{2}", estimate)  # date and time
    assert "imported the assessment" in newest_first[-1]
    assert "nsra (command line)" in newest_first[-1]

    # filters: by scenario, by user, both; the lists to choose from
    assert 'value="pandemic"' in page.text and 'value="coord"' in page.text
    only = words(w.client.get(f"/a/{w.id}/history?scenario=pandemic"))
    assert "changed the estimate of likelihood" in only
    assert "assigned the scenario" not in only and "imported the assessment" not in only
    by_user = words(w.client.get(f"/a/{w.id}/history?user=coord"))
    assert "assigned the scenario" in by_user and "imported the assessment" not in by_user
    both = words(w.client.get(f"/a/{w.id}/history?scenario=coastal-flooding&user=coord"))
    assert "assigned the scenario" in both and "changed the estimate" not in both
    none = words(w.client.get(f"/a/{w.id}/history?scenario=pandemic&user=nobody"))
    assert "No change matches this filter." in none


def test_the_history_is_paged_newest_first(world: World) -> None:
    w = world
    with Session(w.engine) as s, s.begin():
        for n in range(60):
            audit.record(
                s,
                assessment_id=w.id,
                action="rounds.open",
                entity_table="rounds",
                entity_key=str(n + 1),
                user="coord",
                new={"note": f"note {n + 1}"},
            )
    w.as_("coord")
    first = w.client.get(f"/a/{w.id}/history?user=coord")
    text = words(first)
    assert "Changes 1 to 50 of 60, newest first." in text
    assert "Page 1 of 2" in text
    assert text.index("opened round 60") < text.index("opened round 59")
    assert "opened round 10 " not in text + " "
    assert f'href="/a/{w.id}/history?user=coord&amp;page=2"' in first.text
    second = words(w.client.get(f"/a/{w.id}/history?user=coord&page=2"))
    assert "Changes 51 to 60 of 60" in second and "opened round 1 " in second + " "
    # a page past the last shows the last
    assert "Page 2 of 2" in words(w.client.get(f"/a/{w.id}/history?user=coord&page=9"))


def test_changes_are_compact() -> None:
    entry = {
        "entity": {"table": "scenarios", "key": "x"},
        "old": {"id": "x", "title": {"en": "Flood", "nl": "Overstroming"}, "theme": "nature"},
        "new": {
            "id": "x",
            "title": {"en": "Big flood", "nl": "Grote overstroming"},
            "theme": "nature",
        },
    }
    assert changes(entry, "nl") == [
        {"field": "title", "old": "Overstroming", "new": "Grote overstroming"}
    ]
    added = {**entry, "old": None}
    assert {"field": "theme", "old": "", "new": "nature"} in changes(added, "en")
    estimate = {
        "entity": {"table": "estimate_entries", "key": "x"},
        "old": None,
        "new": {"value": 3},
    }
    assert changes(estimate, "en") == [{"field": "", "old": "—", "new": "3"}]
    assert short("a " * 100, "en").endswith("…") and len(short("a " * 100, "en")) <= 80
    assert short([{"a": 1}, {"b": 2}], "en") == "2 items"
    assert short(True, "nl") == "ja"


# -- administration ----------------------------------------------------------------------------


def test_only_administrators_open_the_administration(world: World) -> None:
    w = world
    for who in ("coord", "ana", "vic"):
        w.as_(who)
        r = w.client.get("/admin")
        assert r.status_code == 403
        assert "Only administrators may open the administration." in words(r)
        assert 'href="/admin"' not in w.client.get("/").text
        forged = w.post("/admin/users", {"name": "mallory", "role": "admin", "password": "x"})
        assert forged.status_code == 403
    with Session(w.engine) as s:
        assert user_by_name(s, "mallory") is None
    w.as_("adm")
    page = w.client.get("/admin")
    assert page.status_code == 200
    assert 'href="/admin" aria-current="page"' in page.text
    text = words(page)
    for name in ("coord", "ana", "vic", "adm", "newbie"):
        assert name in text


def test_an_admin_creates_a_user_who_then_signs_in(world: World) -> None:
    w = world
    w.as_("adm")
    r = w.post("/admin/users", {"name": "nina", "role": "coordinator", "password": "s3cret pass"})
    assert r.status_code == 200
    assert "User nina was created." in words(r)
    with Session(w.engine) as s:
        (entry,) = audit.entries(s, audit.SERVER)
    assert audit.as_dict(entry)["new"] == {"role": "coordinator"} and entry.user_name == "adm"
    assert "s3cret pass" not in r.text  # a typed password is not shown back
    # made password, shown once
    r = w.post("/admin/users", {"name": "otto", "role": "viewer", "password": ""})
    shown = re.search(r'class="secret-value">([^<]+)<', r.text)
    assert shown, r.text
    assert "shown only this once" in words(r)
    assert shown.group(1) not in w.client.get("/admin").text
    w.client.cookies.clear()
    assert sign_in(w.client, "nina", "s3cret pass").status_code == 303  # type: ignore[attr-defined]
    assert COOKIE in w.client.cookies
    assert "Signed in as nina (coordinator)" in words(w.client.get("/"))
    w.client.cookies.clear()
    assert sign_in(w.client, "otto", shown.group(1)).status_code == 303  # type: ignore[attr-defined]
    # a taken name: the message at the field, nothing stored
    w.as_("adm")
    before = snapshot(w.engine)
    r = w.post("/admin/users", {"name": "nina", "role": "analyst", "password": "x"})
    assert field_error(r.text, "new-name") == "there is already a user named 'nina'"
    r = w.post("/admin/users", {"name": " ", "role": "analyst", "password": "x"})
    assert field_error(r.text, "new-name") == "a user needs a name"
    r = w.post("/admin/users", {"name": "zed", "role": "boss", "password": "x"})
    assert field_error(r.text, "new-role").startswith("unknown role 'boss'")
    assert snapshot(w.engine) == before


def _uid(w: World, name: str) -> int:
    with Session(w.engine) as s:
        user = user_by_name(s, name)
        assert user is not None
        return user.id


def test_a_deactivated_user_cannot_sign_in_until_reactivated(world: World) -> None:
    w = world
    w.as_("ana")
    ana_cookie = w.client.cookies.get(COOKIE)
    w.as_("adm")
    r = w.post(f"/admin/users/{_uid(w, 'ana')}/active", {"active": "0"})
    assert r.status_code == 303 and r.headers["location"] == "/admin?done=active"
    with Session(w.engine) as s:
        (entry,) = audit.entries(s, audit.SERVER)
    assert (entry.action, entry.entity_key, entry.user_name) == ("users.active", "ana", "adm")
    assert "inactive" in words(w.client.get("/admin"))
    w.client.cookies.clear()
    page = w.client.post("/sign-in", data={"user": "ana", "password": PASSWORD, "next": "/"})
    assert "The user name or the password is not right." in words(page)
    assert COOKIE not in w.client.cookies
    # the session ana had is over, and her token opens nothing
    w.client.cookies.set(COOKIE, ana_cookie or "")
    assert w.client.get("/", follow_redirects=False).status_code == 303
    assert w.api("ana", "GET", "").status_code == 401
    w.as_("adm")
    w.post(f"/admin/users/{_uid(w, 'ana')}/active", {"active": "1"})
    w.client.cookies.clear()
    assert sign_in(w.client, "ana").status_code == 303  # type: ignore[attr-defined]


def test_reset_password_role_tokens(world: World) -> None:
    w = world
    w.as_("adm")
    vic = _uid(w, "vic")
    r = w.post(f"/admin/users/{vic}/password", {})
    new = re.search(r'class="secret-value">([^<]+)<', r.text)
    assert new and "The password of vic:" in words(r)
    w.client.cookies.clear()
    assert sign_in(w.client, "vic").status_code == 200  # type: ignore[attr-defined]  # the old one fails
    assert sign_in(w.client, "vic", new.group(1)).status_code == 303  # type: ignore[attr-defined]

    w.as_("adm")
    r = w.post(f"/admin/users/{vic}/role", {"role": "coordinator"})
    assert r.status_code == 303
    with Session(w.engine) as s:
        assert s.get(UserRow, vic).role == "coordinator"  # type: ignore[union-attr]

    r = w.post(f"/admin/users/{vic}/tokens", {})
    token = re.search(r'class="secret-value">(nsra_[^<]+)<', r.text)
    assert token
    assert w.client.get(
        "/api/assessments", headers={"Authorization": f"Bearer {token.group(1)}"}
    ).status_code == (200)
    with Session(w.engine) as s:
        ids = list(s.scalars(select(ApiTokenRow.id).where(ApiTokenRow.user_id == vic)))
    assert len(ids) == 2
    for tid in ids:
        r = w.post(f"/admin/users/{vic}/tokens/{tid}/revoke", {})
        assert r.status_code == 303
    assert w.client.get(
        "/api/assessments", headers={"Authorization": f"Bearer {token.group(1)}"}
    ).status_code == (401)
    assert "none" in words(w.client.get("/admin?done=revoked"))
    # every change is in the audit trail (of the server, not of an assessment), no secret
    with Session(w.engine) as s:
        entries = [audit.as_dict(e) for e in audit.entries(s, audit.SERVER)]
    assert [(e["action"], e["entity"]["key"], e["user"]) for e in entries] == [
        ("users.password", "vic", "adm"),
        ("users.role", "vic", "adm"),
        ("tokens.create", "vic", "adm"),
        ("tokens.revoke", "vic", "adm"),
        ("tokens.revoke", "vic", "adm"),
    ]
    assert entries[1]["old"] == {"role": "viewer"} and entries[1]["new"] == {"role": "coordinator"}
    assert new.group(1) not in str(entries) and token.group(1) not in str(entries)
    assert audit.verify(w.engine) == []


def test_the_last_administrator_stays(world: World) -> None:
    w = world
    w.as_("adm")
    adm = _uid(w, "adm")
    r = w.post(f"/admin/users/{adm}/role", {"role": "viewer"})
    assert r.status_code == 200 and "'adm' is the last active administrator" in words(r)
    r = w.post(f"/admin/users/{adm}/active", {"active": "0"})
    assert "'adm' is the last active administrator" in words(r)
    with Session(w.engine) as s:
        row = s.get(UserRow, adm)
        assert row is not None and row.role == "admin" and row.active


def test_the_administration_speaks_dutch(world: World) -> None:
    w = world
    w.as_("adm")
    w.client.cookies.set(LANG_COOKIE, "nl")
    text = words(w.client.get("/admin"))
    assert "Beheer" in text and "Gebruikers" in text and "Een gebruiker aanmaken" in text

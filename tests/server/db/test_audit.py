"""The audit trail (nsra.server.db.audit) and the estimate write endpoint (optimistic locking).

Every test that takes the ``engine`` fixture runs on SQLite and on PostgreSQL, as in test_db.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from nsra.cli import app as cli_app
from nsra.io.problems import InputError
from nsra.io.validate import parse_assessment
from nsra.server.db import audit
from nsra.server.db.models import Row
from tests.server import common
from tests.server.common import BE, UK, UK_LABEL, MakeWorld, User, is_error, snapshot, upload_body

TERROR = "terrorist-attack-crowded-places"  # UK example, malicious; co-analyst gave estimates


# user -> global role and roles in the assessments; "co-analyst" is also the analyst id
USERS = {
    "admin": User("admin"),
    "coordinator": User("coordinator", {"uk": "coordinator"}),
    "co-analyst": User("analyst", {"uk": "analyst"}),
    "viewer": User("viewer", {"uk": "viewer"}),
    "outsider": User("coordinator"),
}


@dataclass
class World(common.World):
    @property
    def uk(self) -> int:
        return self.ids["uk"]

    @property
    def be(self) -> int:
        return self.ids["be"]

    def path(self, scenario: str, analyst: str, slot: str, assessment: int | None = None) -> str:
        a = self.uk if assessment is None else assessment
        return f"/api/assessments/{a}/scenarios/{scenario}/estimates/{analyst}/{slot}"

    def put(self, who: str, path: str, body: dict[str, Any], **params: str) -> Any:
        return self.client.put(path, headers=self.auth(who), json=body, params=params)

    def get(self, who: str, path: str, **params: str) -> Any:
        return self.client.get(path, headers=self.auth(who), params=params)


@pytest.fixture
def world(make_world: MakeWorld) -> World:
    return make_world({"uk": UK, "be": BE}, USERS, World)


def audit_rows(engine: Engine) -> list[audit.AuditEntryRow]:
    with Session(engine) as s:
        return audit.entries(s, 1) + audit.entries(s, 2)


def test_imports_and_a_write_are_recorded_and_the_chain_verifies(world: World) -> None:
    w = world
    assert audit.verify(w.engine) == []
    with Session(w.engine) as s:
        (imported,) = audit.entries(s, w.uk)
        assert imported.action == "import" and imported.user_name is None
        assert json.loads(imported.new_value or "")["scenarios"] == len(
            upload_body(UK)["scenarios"]
        )
    slot = w.path(TERROR, "co-analyst", "human-welfare")
    seen = w.get("co-analyst", slot)
    assert seen.status_code == 200, seen.text
    assert seen.json()["estimate"] == {"class": "2", "rationale": "Tens of casualties."}
    version = seen.json()["version"]
    r = w.put("co-analyst", slot, {"estimate": "3", "rationale": "new data", "version": version})
    assert r.status_code == 200, r.text
    assert r.headers["X-Classification"] == UK_LABEL
    assert r.json()["estimate"] == "3" and r.json()["version"] == version + 1
    assert w.get("co-analyst", slot).json()["estimate"] == "3"
    with Session(w.engine) as s:
        last = audit.entries(s, w.uk)[-1]
    assert (last.seq, last.action, last.user_name, last.scenario) == (
        3,
        "estimate.update",
        "co-analyst",
        TERROR,
    )
    assert last.old_value == '{"class":"2","rationale":"Tens of casualties."}'
    assert last.new_value == '"3"' and last.rationale == "new data"
    assert (last.entity_table, last.entity_key) == (
        "estimate_entries",
        f"{TERROR}/co-analyst//human-welfare",
    )
    assert audit.verify(w.engine) == []
    # the assessment with the change is still a valid file; the change is in it
    data = w.get("viewer", f"/api/assessments/{w.uk}").json()["assessment"]
    parse_assessment(json.dumps(data), "db")
    estimate = data["scenarios"][0]["estimates"][0]
    assert estimate["impact"]["human-welfare"] == "3"


def test_a_new_estimate_is_created_with_version_null(world: World) -> None:
    w = world
    slot = w.path(TERROR, "ukhsa-analyst", "likelihood")
    assert w.get("coordinator", slot).json()["version"] is None
    r = w.put("coordinator", slot, {"estimate": {"value": 0.1}, "version": None})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1
    again = w.put("coordinator", slot, {"estimate": "2", "version": None})
    is_error(again, 409)
    assert again.json()["current"] == {"value": 0.1} and again.json()["version"] == 1
    # a new analyst estimate on a scenario: created, and the file is still valid
    fresh = w.put("admin", w.path("pandemic", "mod-analyst", "economic"), {"estimate": "2"})
    assert fresh.status_code == 200, fresh.text
    data = w.get("admin", f"/api/assessments/{w.uk}").json()["assessment"]
    parse_assessment(json.dumps(data), "db")
    assert audit.verify(w.engine) == []


def test_two_clients_on_the_same_estimate_the_second_gets_409(world: World) -> None:
    w = world
    slot = w.path(TERROR, "co-analyst", "likelihood")
    version = w.get("co-analyst", slot).json()["version"]
    first = w.put("co-analyst", slot, {"estimate": "5", "version": version})
    assert first.status_code == 200, first.text
    before = snapshot(w.engine)
    second = w.put("coordinator", slot, {"estimate": "1", "version": version})
    is_error(second, 409)
    assert second.json()["current"] == "5"
    assert second.json()["version"] == version + 1
    assert second.json()["field"] == "version"
    assert snapshot(w.engine) == before  # nothing overwritten, nothing recorded
    assert w.get("viewer", slot).json()["estimate"] == "5"


def test_who_may_write(world: World) -> None:
    w = world
    own = w.path(TERROR, "co-analyst", "economic")
    other = w.path(TERROR, "mod-analyst", "economic")  # not an estimate of co-analyst
    before = snapshot(w.engine)
    is_error(w.put("co-analyst", other, {"estimate": "2"}), 403)
    is_error(w.put("viewer", own, {"estimate": "2", "version": 1}), 403)
    is_error(w.put("outsider", own, {"estimate": "2", "version": 1}), 404)
    some = {"estimate": "2", "version": 1}
    is_error(w.put("admin", w.path(TERROR, "co-analyst", "economic", 999_999), some), 404)
    is_error(w.put("coordinator", w.path("no-such", "co-analyst", "economic"), some), 404)
    is_error(w.put("coordinator", w.path(TERROR, "nobody", "economic"), some), 404)
    assert snapshot(w.engine) == before
    assert w.put("co-analyst", own, {"estimate": "3", "version": 1}).status_code == 200
    assert w.put("coordinator", own, {"estimate": "1", "version": 2}).status_code == 200
    assert w.put("admin", own, {"estimate": "2", "version": 3}).status_code == 200
    # the same value again is still a write (audited); its versioned UPDATE guards against a
    # concurrent change (tests/test_write_race.py), so the version goes up
    unchanged = w.put("admin", own, {"estimate": "2", "version": 4})
    assert unchanged.status_code == 200 and unchanged.json()["version"] == 5
    assert unchanged.json()["estimate"] == "2"
    r = w.put("admin", w.path("pandemic", "nccn-analyst", "Ha", w.be), {"estimate": "2"})
    is_error(r, 422)
    assert r.json()["field"] == "level"
    r = w.put(
        "admin",
        w.path("pandemic", "nccn-analyst", "Ha", w.be),
        {"estimate": "4", "version": 1},
        level="considerable",
    )
    assert r.status_code == 200, r.text
    assert audit.verify(w.engine) == []


def test_a_bad_estimate_is_422_with_the_file_checker_message(world: World) -> None:
    w = world
    body = upload_body(UK)
    body["scenarios"][0]["estimates"][0]["impact"]["economic"] = "Z"
    with pytest.raises(InputError) as checked:
        parse_assessment(json.dumps(body), "upload.json")
    expected = checked.value.problems[0].message
    before = snapshot(w.engine)
    slot = w.path(TERROR, "co-analyst", "economic")
    r = w.put("co-analyst", slot, {"estimate": "Z", "version": 1})
    is_error(r, 422)
    assert r.json() == {"error": expected, "field": "estimate"}
    r = w.put("co-analyst", slot, {"estimate": {"class": "2", "colour": "red"}, "version": 1})
    is_error(r, 422)
    assert r.json()["field"] == "estimate.colour"
    is_error(w.put("co-analyst", w.path(TERROR, "co-analyst", "nope"), {"estimate": "2"}), 422)
    r = w.put("co-analyst", slot, {"estimate": "2", "version": 1}, level="extreme")
    is_error(r, 422)
    assert r.json()["field"] == "level"
    is_error(w.put("co-analyst", slot, {"version": 1}), 422)  # no estimate at all
    assert snapshot(w.engine) == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", "'2000-01-01T00:00:00+00:00'"),
        ("user_name", "'mallory'"),
        ("assessment_id", "2"),
        ("scenario", "'pandemic'"),
        ("action", "'estimate.create'"),
        ("entity_table", "'scenarios'"),
        ("entity_key", "'x'"),
        ("old_value", "'\"1\"'"),
        ("new_value", "'\"5\"'"),
        ("rationale", "'forged'"),
        ("prev_hash", "'" + "1" * 64 + "'"),
        ("hash", "'" + "2" * 64 + "'"),
    ],
)
def test_editing_a_stored_entry_breaks_the_chain_there(
    world: World, column: str, value: str
) -> None:
    w = world
    slot = w.path(TERROR, "co-analyst", "economic")
    for version in (1, 2):  # entries 3 and 4 (1 and 2: the imports); it was "2"
        r = w.put("co-analyst", slot, {"estimate": str(version + 2), "version": version})
        assert r.status_code == 200, r.text
    assert audit.verify(w.engine) == []
    with w.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_entries SET {column} = {value} WHERE seq = 3"))
    problems = audit.verify(w.engine)
    assert problems and problems[0].seq == 3, problems
    assert "edited" in problems[0].reason or "prev_hash" in problems[0].reason
    done = CliRunner().invoke(
        cli_app, ["audit", "verify", "--url", w.engine.url.render_as_string(hide_password=False)]
    )
    assert done.exit_code == 1
    assert "entry 3:" in done.output


def test_deleting_or_reordering_entries_breaks_the_chain(world: World) -> None:
    w = world
    slot = w.path(TERROR, "co-analyst", "economic")
    for version in (1, 2, 3):  # entries 3, 4, 5; it was "2"
        r = w.put("co-analyst", slot, {"estimate": str(version + 2), "version": version})
        assert r.status_code == 200, r.text
    url = w.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(cli_app, ["audit", "verify", "--url", url])
    assert done.exit_code == 0, done.output
    assert "audit trail intact (5 entries)" in done.output
    with w.engine.begin() as conn:  # swap 4 and 5
        conn.execute(text("UPDATE audit_entries SET seq = -1 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_entries SET seq = 4 WHERE seq = 5"))
        conn.execute(text("UPDATE audit_entries SET seq = 5 WHERE seq = -1"))
    problems = audit.verify(w.engine)
    assert problems[0].seq == 4 and "out of order" in problems[0].reason, problems
    with w.engine.begin() as conn:  # back in order, then delete entry 3
        conn.execute(text("UPDATE audit_entries SET seq = -1 WHERE seq = 4"))
        conn.execute(text("UPDATE audit_entries SET seq = 4 WHERE seq = 5"))
        conn.execute(text("UPDATE audit_entries SET seq = 5 WHERE seq = -1"))
    assert audit.verify(w.engine) == []
    with w.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
    problems = audit.verify(w.engine)
    assert [(p.seq, "deleted" in p.reason) for p in problems] == [(4, True)], problems
    done = CliRunner().invoke(cli_app, ["audit", "verify", "--url", url])
    assert done.exit_code == 1 and "entry 4:" in done.output


def test_audit_queries_per_scenario_and_per_user(world: World) -> None:
    w = world
    assert (
        w.put(
            "co-analyst", w.path(TERROR, "co-analyst", "economic"), {"estimate": "3", "version": 1}
        ).status_code
        == 200
    )
    assert w.put(
        "coordinator", w.path("pandemic", "co-analyst", "economic"), {"estimate": "2"}
    ).status_code in (200, 409)
    version = w.get("coordinator", w.path("pandemic", "co-analyst", "economic")).json()["version"]
    r = w.put(
        "coordinator",
        w.path("pandemic", "co-analyst", "economic"),
        {"estimate": "4", "version": version, "rationale": "agreed in the workshop"},
    )
    assert r.status_code == 200, r.text
    base = f"/api/assessments/{w.uk}/audit"
    everything = w.get("coordinator", base)
    assert everything.status_code == 200 and everything.headers["X-Classification"] == UK_LABEL
    assert everything.json()["entries"][0]["action"] == "import"
    by_scenario = w.get("coordinator", base, scenario="pandemic").json()["entries"]
    assert by_scenario and {e["scenario"] for e in by_scenario} == {"pandemic"}
    assert (
        by_scenario[-1]["new"] == "4" and by_scenario[-1]["rationale"] == "agreed in the workshop"
    )
    by_user = w.get("admin", base, user="co-analyst").json()["entries"]
    assert [(e["user"], e["scenario"], e["old"], e["new"]) for e in by_user] == [
        ("co-analyst", TERROR, "2", "3")
    ]
    both = w.get("coordinator", base, scenario=TERROR, user="coordinator").json()["entries"]
    assert both == []
    with Session(w.engine) as s:
        assert [e.seq for e in audit.entries(s, w.uk, user="coordinator")] == [
            e["seq"] for e in w.get("admin", base, user="coordinator").json()["entries"]
        ]
    is_error(w.get("co-analyst", base), 403)
    is_error(w.get("viewer", base), 403)
    is_error(w.get("outsider", base), 404)
    is_error(w.get("coordinator", f"/api/assessments/{w.be}/audit"), 404)


# -- forging an entry: what the hash must cover ----------------------------------------------------

# the columns the hash leaves out on purpose (see nsra.server.db.audit): those every table has,
# and the hash itself; every other column of an entry must be covered by its hash
ENTRIES = cast(Table, audit.AuditEntryRow.__table__)
COLUMNS = [c.name for c in ENTRIES.columns if c.name != "hash"]


def _five_entries(w: World) -> None:
    """Entries 1 and 2: the imports; 3, 4, 5: co-analyst's economic estimate (was "2")."""
    slot = w.path(TERROR, "co-analyst", "economic")
    for version in (1, 2, 3):
        r = w.put("co-analyst", slot, {"estimate": str(version + 2), "version": version})
        assert r.status_code == 200, r.text
    assert audit.verify(w.engine) == [] and audit.count(w.engine) == 5


def _entry(s: Session, seq: int) -> audit.AuditEntryRow:
    return s.scalars(select(audit.AuditEntryRow).where(audit.AuditEntryRow.seq == seq)).one()


def _set(s: Session, which: Any, /, by: str = "seq", **values: Any) -> None:
    """Change columns of an entry as an attacker with SQL would: nothing else changes (no
    version or update time bumped)."""
    keep = {} if "updated_at" in values else {"updated_at": ENTRIES.c.updated_at}
    s.execute(update(ENTRIES).where(ENTRIES.c[by] == which).values(**values, **keep))


def _rehash(s: Session, seq: int) -> str:
    """The entry's hash as an attacker computes it: with the code's own hash function (the code
    is public), over the entry's columns as they are now in the database."""
    s.expire_all()
    row = _entry(s, seq)
    return audit.entry_hash(audit.hashed_fields(row), row.hash_version)


def test_the_hash_covers_every_column_of_an_entry() -> None:
    assert set(COLUMNS) >= {"seq", "prev_hash", "user_name", "action", "old_value", "new_value"}
    assert set(COLUMNS) >= {*Row.__annotations__, "hash_version"}  # the bookkeeping too
    assert set(COLUMNS) == set(audit.HASHED_BY_VERSION[audit.HASH_VERSION])


def test_a_forged_middle_entry_with_the_next_link_patched_is_found(world: World) -> None:
    """Entry 4 rewritten (value, author, rationale) and rehashed, entry 5's link to it patched:
    entry 5's own hash covers its prev_hash, so the patch shows there."""
    w = world
    _five_entries(w)
    kept = audit.head(w.engine)  # kept outside the database
    with Session(w.engine) as s, s.begin():
        _set(s, 4, new_value='"1"', user_name="coordinator", rationale="workshop")
        forged = _rehash(s, 4)
        _set(s, 4, hash=forged)
        _set(s, 5, prev_hash=forged)
    problems = audit.verify(w.engine)
    assert [(p.seq, "edited" in p.reason) for p in problems] == [(5, True)], problems
    done = CliRunner().invoke(
        cli_app, ["audit", "verify", "--url", w.engine.url.render_as_string(hide_password=False)]
    )
    assert done.exit_code == 1 and "entry 5:" in done.output

    # going on to the end (entry 5 rehashed, the head patched) leaves the chain consistent in
    # itself; the newest hash kept outside the database then finds the rewrite
    with Session(w.engine) as s, s.begin():
        last = _rehash(s, 5)
        _set(s, 5, hash=last)
        head = s.get(audit.AuditHeadRow, 1)
        assert head is not None
        head.hash = last
    problems = audit.verify(w.engine, expect=kept)
    assert [(p.seq, "rewritten" in p.reason) for p in problems] == [(5, True)], problems


def test_an_entry_passed_off_under_the_older_rule_is_found(world: World) -> None:
    """Entry 5's creation time moved and the entry relabelled as hashed by rule 1 (which does
    not cover the time) and rehashed: its hash is right by that rule, but the rule went down
    along the chain."""
    w = world
    _five_entries(w)
    with Session(w.engine) as s, s.begin():
        moved = _entry(s, 5).created_at - dt.timedelta(days=30)
        _set(s, 5, created_at=moved, updated_at=moved, hash_version=1)
        digest = _rehash(s, 5)
        _set(s, 5, hash=digest)
        head = s.get(audit.AuditHeadRow, 1)
        assert head is not None
        head.hash = digest
    problems = audit.verify(w.engine)
    assert [(p.seq, "older" in p.reason) for p in problems] == [(5, True)], problems


def test_changing_any_column_of_an_entry_alone_breaks_its_hash(world: World) -> None:
    """Each column in turn, on entry 4 alone (nothing else adjusted): verify must find that
    entry's content no longer matches its hash, whatever else it finds (a gap, a bad link)."""
    w = world
    _five_entries(w)
    uncovered: list[str] = []
    for column in COLUMNS:
        with Session(w.engine) as s, s.begin():
            row = _entry(s, 4)
            old, digest = getattr(row, column), row.hash  # the row found by its hash
            if isinstance(old, int):
                new: Any = old + 100
            elif isinstance(old, dt.datetime):
                new = old + dt.timedelta(microseconds=1)
            elif old is None:
                new = "forged"
            else:  # the same length (prev_hash, at), another last character
                new = old[:-1] + ("0" if old[-1] != "0" else "1")
            _set(s, digest, by="hash", **{column: new})
        edited = [p for p in audit.verify(w.engine) if "edited" in p.reason]
        if not edited:
            uncovered.append(column)
        with Session(w.engine) as s, s.begin():
            _set(s, digest, by="hash", **{column: old})
        assert audit.verify(w.engine) == [], column
    assert uncovered == [], "changed alone without breaking the entry's hash"


def test_the_newest_entry_of_an_assessment_is_one_index_lookup(tmp_path: Any) -> None:
    """The results cache asks for it on every read: with the index on ``assessment_id`` alone
    SQLite read every entry of the assessment (15 ms at 27,000 entries, growing with the
    trail); with ``(assessment_id, seq)`` it is one lookup. Checked on SQLite's query plan (the
    planner is deterministic there); PostgreSQL has the same index."""
    from nsra.server.db import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    upgrade(engine)
    statement = audit.newest_of(7).compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))
    engine.dispose()
    assert "ix_audit_entries_assessment_seq (assessment_id=?)" in plan, plan
    assert "SCAN" not in plan, plan

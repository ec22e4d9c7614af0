"""Backup and restore (nsra.server.db.backup) on SQLite and PostgreSQL, and the demo database."""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from nsra.cli import app
from nsra.io.problems import InputError
from nsra.io.safeyaml import load
from nsra.server.api import create_app
from nsra.server.db import assessment_data, audit, import_file, make_engine, upgrade
from nsra.server.db.access import MembershipRow, UserRow, add_user, new_token
from nsra.server.db.backup import FORMAT, backup_data, restore_data
from nsra.server.demo import DEMO_USERS, demo_database
from tests.conftest import reset_postgres
from tests.helpers import EXAMPLES, NL_BASE
from tests.server.common import snapshot

Fresh = Callable[[], Engine]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fresh]:
    """Makes a new, empty (not migrated) database; on PostgreSQL the one test database is
    emptied each time, so take what you need from the previous one first."""
    made: list[Engine] = []

    def make() -> Engine:
        for eng in made:
            eng.dispose()
        if request.param == "postgresql":
            eng = reset_postgres()
        else:
            eng = make_engine(f"sqlite:///{tmp_path / f'db{len(made)}.db'}")
        made.append(eng)
        return eng

    yield make
    for eng in made:
        eng.dispose()


def _filled(fresh: Fresh) -> Engine:
    """A database with every example, a user with a membership and a token, audit entries."""
    engine = fresh()
    upgrade(engine)
    for path in EXAMPLES:
        import_file(engine, str(path))
    with Session(engine) as session, session.begin():
        user = add_user(session, "ana", "analyst", "secret")
        session.add(MembershipRow(user_id=user.id, assessment_id=1, role="analyst"))
        new_token(session, user)
        audit.record(
            session, assessment_id=1, action="test", entity_table="x", entity_key="é", new=[1.5]
        )
    return engine


def _exports(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        return [assessment_data(session, i + 1) for i in range(len(EXAMPLES))]


def test_backup_then_restore_gives_the_same_database(fresh: Fresh) -> None:
    source = _filled(fresh)
    before, exports = snapshot(source), _exports(source)
    doc = backup_data(source)
    assert doc["format"] == FORMAT and doc["revision"]
    target = fresh()
    restore_data(target, doc)
    assert snapshot(target) == before
    assert audit.verify(target) == []
    assert _exports(target) == exports
    # the sequences continue after the restored ids (PostgreSQL's setval)
    with Session(target) as session, session.begin():
        user = add_user(session, "new", "viewer", None)
        assert user.id == max(r["id"] for r in doc["tables"]["users"]) + 1


def test_restore_refuses_a_database_with_content(fresh: Fresh) -> None:
    engine = _filled(fresh)
    doc = backup_data(engine)
    before = snapshot(engine)
    with pytest.raises(InputError, match="not empty"):
        restore_data(engine, doc)
    assert snapshot(engine) == before


def test_restore_refuses_another_revision(fresh: Fresh) -> None:
    doc = backup_data(_filled(fresh))
    target = fresh()
    with pytest.raises(InputError, match="revision"):
        restore_data(target, {**doc, "revision": "0001"})


def test_backup_during_a_write_holds_one_state(fresh: Fresh) -> None:
    engine = _filled(fresh)
    before = backup_data(engine)
    with engine.connect() as writer:
        trans = writer.begin()
        result = writer.execute(
            insert(UserRow).values(name="w", role="viewer", active=True, version=1)
        )
        assert result.inserted_primary_key is not None
        user_id = result.inserted_primary_key[0]
        writer.execute(
            text("UPDATE users SET version = version + 1 WHERE name = 'ana'"),
        )
        writer.execute(
            text(
                "INSERT INTO api_tokens (user_id, digest, version, created_at, updated_at) "
                "VALUES (:u, 'd', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"u": user_id},
        )
        during = backup_data(engine)
        trans.commit()
    after = backup_data(engine)
    assert during == before  # none of the uncommitted write, not half of it
    assert len(after["tables"]["users"]) == len(before["tables"]["users"]) + 1
    assert len(after["tables"]["api_tokens"]) == len(before["tables"]["api_tokens"]) + 1


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    source = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    upgrade(source)
    import_file(source, str(EXAMPLES[0]))
    source.dispose()
    file = tmp_path / "backup.json"
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    result = runner.invoke(app, ["backup", str(file), "--url", a])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["restore", str(file), "--url", b])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["audit", "verify", "--url", b])
    assert result.exit_code == 0 and "intact (1 entries)" in result.output
    result = runner.invoke(app, ["restore", str(file), "--url", b])
    assert result.exit_code == 1


def test_demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("NSRA_DATABASE_URL", f"sqlite:///{elsewhere / 'nsra.db'}")
    folder = tmp_path / "demo"
    folder.mkdir()
    info = demo_database(folder)
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "demo"]
    assert [p.name for p in folder.iterdir()] == ["nsra-demo.db"]
    assert [(u.name, u.role) for u in info.users] == [(n, r) for n, r, _ in DEMO_USERS]
    engine = make_engine(info.url)
    try:
        assert audit.verify(engine) == []
        with TestClient(create_app(engine)) as client:
            for user in info.users:
                response = client.get(
                    "/api/assessments", headers={"Authorization": f"Bearer {user.token}"}
                )
                assert response.status_code == 200, response.text
                (found,) = response.json()
                assert found["id"] == info.assessment_id
                assert found["role"] == ("admin" if user.role == "admin" else user.role)
            # the printed password signs every demo user in with a browser session
            for user in info.users:
                login = {"user": user.name, "password": info.password}
                signed = client.post("/api/session", json=login)
                assert signed.status_code == 200, signed.text
                assert signed.json()["user"] == user.name
                client.cookies.clear()
            wrong = client.post("/api/session", json={"user": "demo-admin", "password": "x"})
            assert wrong.status_code == 401
    finally:
        engine.dispose()
    with pytest.raises(FileExistsError):
        demo_database(folder)


# -- a backup while the server is used ---------------------------------------------------------
ESTIMATES = "/api/assessments/{a}/scenarios/{s}/estimates/{x}/{slot}"
# (scenario, analyst, slot) of NL_BASE written by the writers; "flood/a2/3.1" does not exist at
# first (it is created), and every writer also writes the shared "flood/a1/likelihood"
SHARED = ("flood", "a1", "likelihood")
OWN = {
    "w1": [("flood", "a1", "2.1"), ("attack", "a1", "likelihood")],
    "w2": [("flood", "a2", "likelihood"), ("flood", "a2", "3.1")],
    "w3": [("attack", "a1", "2.1"), ("attack", "a1", "5.3")],
}
VALUES = ["A", "B", "C", "D", "E"]  # valid both as nl-snv likelihood and impact classes


@dataclass
class Writer:
    """One client writing estimates in a loop (read version, write, on 409 read again)."""

    name: str
    token: str
    written: int = 0
    failures: list[str] = field(default_factory=list)

    def run(self, engine: Engine, assessment_id: int, stop: threading.Event) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        slots = [SHARED, *OWN[self.name]]
        with TestClient(create_app(engine)) as client:
            n = 0
            while not stop.is_set() and not self.failures:
                scenario, analyst, slot = slots[n % len(slots)]
                path = ESTIMATES.format(a=assessment_id, s=scenario, x=analyst, slot=slot)
                seen = client.get(path, headers=headers)
                if seen.status_code != 200:
                    self.failures.append(f"GET {path}: {seen.status_code} {seen.text}")
                    break
                # the value is sometimes the one stored: such a write must still check the
                # version (tests/test_write_race.py), else its audit entry would not match
                body = {
                    "estimate": VALUES[n % len(VALUES)],
                    "rationale": f"{self.name} write {n}",
                    "version": seen.json()["version"],
                }
                put = client.put(path, json=body, headers=headers)
                if put.status_code == 200:
                    self.written += 1
                elif put.status_code != 409:  # 409: another writer was first; read again
                    self.failures.append(f"PUT {path}: {put.status_code} {put.text}")
                n += 1


def _with_audited_values(data: dict[str, Any], entries: list[Any]) -> dict[str, Any]:
    """The imported data with each estimate written through the API replaced by the new value
    of its newest audit entry (entity key ``scenario/analyst/level/slot``)."""
    newest: dict[str, Any] = {}
    for entry in entries:  # in sequence order
        if entry.entity_table == "estimate_entries":
            newest[entry.entity_key] = json.loads(entry.new_value)
    expected = copy.deepcopy(data)
    for key, value in newest.items():
        scenario, analyst, level, slot = key.split("/")
        (sc,) = [s for s in expected["scenarios"] if s["id"] == scenario]
        (est,) = [
            e
            for e in sc["estimates"]
            if e["analyst"] == analyst and e.get("level") == (level or None)
        ]
        if slot == "likelihood":
            est["likelihood"] = value
        else:
            est.setdefault("impact", {})[slot] = value
    return expected


def test_backup_while_estimates_are_written_restores_consistently(
    fresh: Fresh, tmp_path: Path
) -> None:
    """Backups taken while three clients keep writing estimates (each write and its audit entry
    one transaction) restore into databases whose audit chain verifies and whose estimates are
    exactly the imported ones with the newest audited value of every slot written."""
    engine = fresh()
    upgrade(engine)
    source = tmp_path / "nl.yaml"
    source.write_text(NL_BASE, encoding="utf-8")
    assessment_id = import_file(engine, str(source))
    with Session(engine) as session, session.begin():
        imported = assessment_data(session, assessment_id)
        writers = [
            Writer(name, new_token(session, add_user(session, name, "admin", None))) for name in OWN
        ]
    stop = threading.Event()
    threads = [
        threading.Thread(target=w.run, args=(engine, assessment_id, stop), daemon=True)
        for w in writers
    ]
    for t in threads:
        t.start()
    docs: list[dict[str, Any]] = []
    try:
        for k in range(1, 4):  # a backup after every few more writes
            deadline = time.monotonic() + 30
            while sum(w.written for w in writers) < 4 * k and time.monotonic() < deadline:
                time.sleep(0.01)
            docs.append(backup_data(engine))
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert [w.failures for w in writers] == [[], [], []]
    with Session(engine) as session:  # every accepted write was recorded, and only those
        final = audit.entries(session, assessment_id)
        assert sum(e.entity_table == "estimate_entries" for e in final) == sum(
            w.written for w in writers
        )
        assert assessment_data(session, assessment_id) == _with_audited_values(imported, final)
    counts = [
        sum(r["entity_table"] == "estimate_entries" for r in doc["tables"]["audit_entries"])
        for doc in docs
    ]
    # each backup was taken while the writes went on: a later one holds more of them
    assert 0 < counts[0] < counts[1] < counts[2] < len(final), counts

    for doc in docs:
        target = fresh()
        restore_data(target, doc)
        assert audit.verify(target) == []
        with Session(target) as session:
            entries = audit.entries(session, assessment_id)
            assert assessment_data(session, assessment_id) == _with_audited_values(
                imported, entries
            )


# -- across engines ---------------------------------------------------------------------------
def _upload(path: Path) -> Any:
    """An assessment file as the JSON a client sends (read as nsra reads files)."""
    return json.loads(json.dumps(load(path.read_text(encoding="utf-8")), default=str))


def _comparable(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Rows with every timestamp in UTC without its zone: SQLite gives them back naive (as
    stored, UTC), PostgreSQL with the zone of the session; the instant is what must survive."""

    def plain(v: Any) -> Any:
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            return v.astimezone(dt.UTC).replace(tzinfo=None)
        return v

    return {name: [tuple(plain(v) for v in r) for r in table] for name, table in rows.items()}


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_backup_restores_into_the_other_engine(direction: str, tmp_path: Path) -> None:
    """``nsra backup`` on one engine, ``nsra restore`` on the other: the same rows (every
    table), the same exports, the users' tokens still sign in, the chain verifies and the next
    write continues the ids and the chain."""
    postgres = reset_postgres()  # skips without PostgreSQL
    lite = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    source, target = (lite, postgres) if direction.startswith("sqlite") else (postgres, lite)
    try:
        upgrade(source)
        for path in EXAMPLES:
            import_file(source, str(path))
        tokens: dict[str, str] = {}
        with Session(source) as session, session.begin():
            for name, role, member in [("root", "admin", None), ("ana", "viewer", "viewer")]:
                user = add_user(session, name, role, "secret")
                if member:
                    session.add(MembershipRow(user_id=user.id, assessment_id=2, role=member))
                tokens[name] = new_token(session, user)
        headers = {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}
        with TestClient(create_app(source)) as client:  # one audited write through the API
            scenarios = "/api/assessments/1/scenarios"
            scenario = client.get(scenarios, headers=headers["root"]).json()["scenarios"][0]
            estimate = scenario["estimates"][0]
            slot_path = f"{scenarios}/{scenario['id']}/estimates/{estimate['analyst']}/likelihood"
            params = {"level": estimate["level"]} if "level" in estimate else {}
            seen = client.get(slot_path, params=params, headers=headers["root"]).json()
            put = client.put(
                slot_path,
                params=params,
                json={"estimate": seen["estimate"], "version": seen["version"], "rationale": "é"},
                headers=headers["root"],
            )
            assert put.status_code == 200, put.text
            listed = {
                n: client.get("/api/assessments", headers=h).json() for n, h in headers.items()
            }
        rows, exports = _comparable(snapshot(source)), _exports(source)
        assert audit.verify(source) == []

        file = tmp_path / "backup.json"
        runner = CliRunner()
        url_of = {id(e): e.url.render_as_string(hide_password=False) for e in (lite, postgres)}
        result = runner.invoke(app, ["backup", str(file), "--url", url_of[id(source)]])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["restore", str(file), "--url", url_of[id(target)]])
        assert result.exit_code == 0, result.output

        assert _comparable(snapshot(target)) == rows
        assert _exports(target) == exports
        assert audit.verify(target) == []
        with TestClient(create_app(target)) as client:
            for name, h in headers.items():
                response = client.get("/api/assessments", headers=h)
                assert response.status_code == 200, response.text
                assert response.json() == listed[name]
            # the next write: new ids from the sequences (PostgreSQL), the chain goes on
            created = client.post(
                "/api/assessments", json=_upload(EXAMPLES[0]), headers=headers["root"]
            )
            assert created.status_code == 201, created.text
            assert created.json()["id"] == len(EXAMPLES) + 1
        assert audit.verify(target) == []
        assert audit.count(target) == len(rows["audit_entries"]) + 1
    finally:
        lite.dispose()
        postgres.dispose()

"""Backup and restore (nsra.server.db.backup) on SQLite and PostgreSQL, and the demo database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from conftest import reset_postgres
from helpers import EXAMPLES
from nsra.cli import app
from nsra.io.problems import InputError
from nsra.server.api import create_app
from nsra.server.db import assessment_data, audit, import_file, make_engine, upgrade
from nsra.server.db.access import MembershipRow, UserRow, add_user, new_token
from nsra.server.db.backup import FORMAT, backup_data, restore_data
from nsra.server.demo import DEMO_USERS, demo_database
from test_db import snapshot

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
            UserRow.__table__.insert().values(name="w", role="viewer", active=True, version=1)
        )
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
    finally:
        engine.dispose()
    with pytest.raises(FileExistsError):
        demo_database(folder)

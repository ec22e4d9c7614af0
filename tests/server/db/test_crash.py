"""Crash consistency: a process killed (SIGKILL) in the middle of a large import leaves the
database consistent, with the import either whole or absent, on SQLite and on PostgreSQL.

Two ways in: a real server (``nsra serve``) killed while it stores an assessment POSTed to
``/api/assessments``, and the command ``nsra db import FILE`` killed while it stores the file.
After the kill the server is started again on the same database (SQLite rolls back the hot
journal the dead process left, PostgreSQL aborts the dead connection's transaction) and:

* ``nsra audit verify`` exits 0;
* on SQLite ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` finds nothing;
* either every row of every table is as before the import (absent: no orphan rows anywhere), or
  the assessment is whole: its export equals the uploaded data, the rows from before are
  unchanged, and deleting it (ON DELETE CASCADE, rolled back) gives the database from before plus
  its one audit entry, so no row outside the assessment was written;
* the database takes the next write (another import).

Decisions (read before changing):

* The kill must land inside the import's write transaction, on any machine. It is triggered by
  what the import does, seen from outside, not by a fixed delay:

  - PostgreSQL: sequences are not transactional, so the ``estimate_entries`` id sequence shows
    how many of the assessment's estimate rows the uncommitted transaction has inserted; the
    process is killed when half of them are in (:data:`KILL_AT`).
  - SQLite (WAL mode, as nsra opens it): a write transaction holds the database's write
    lock, which a probe sees (:func:`sqlite_writing`: ``BEGIN IMMEDIATE`` with no wait, at
    once rolled back). How long the import holds it is measured first (a complete
    ``nsra db import`` into a scratch copy of the database), and the process is killed when
    the lock has been held for half of that time. A hot rollback journal left behind (a
    database in rollback-journal mode) proves the kill landed mid-import; in WAL mode an
    absent import does.

  A kill that landed after the commit (whole) is still checked, and reported as a warning.
* The assessment is large in rows (about 16,000 rows, 0.7 MB of JSON: :data:`SCENARIOS`
  scenarios of 5 analysts with 13 estimates each, from ``benchmarks/bench_core.py``'s
  generator) yet small enough that both tests stay under 20 s per engine: on PostgreSQL the
  import stores about 4,000 rows per second (1,500 scenarios would take half a minute).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from nsra.io.safeyaml import load
from nsra.server.db import assessment_data, audit, import_file, make_engine
from nsra.server.db.models import AssessmentRow, Base
from tests.conftest import fresh_postgres
from tests.helpers import EXAMPLES, ROOT
from tests.server.common import free_port, snapshot, stop_process

SCENARIOS = 200
HEAD = "audit_head"  # its one row changes with every audit entry (checked by audit.verify)
KILL_AT = 0.5  # fraction of the import written when the process is killed
SEED = 11
CLI = (sys.executable, "-m", "nsra.cli")

Snapshot = dict[str, list[tuple[Any, ...]]]


# -- the large assessment --------------------------------------------------------------------------
def _bench_core() -> ModuleType:
    """``benchmarks/bench_core.py`` (not a package), for its assessment generator."""
    path = ROOT / "benchmarks" / "bench_core.py"
    spec = importlib.util.spec_from_file_location("bench_core", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_core", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Large:
    data: dict[str, Any]  # the assessment file's data, as a client sends it
    body: bytes  # the same as JSON
    path: Path  # the same as a JSON assessment file
    entries: int  # rows of estimate_entries that importing it writes


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Large:
    yaml_text, counts = _bench_core().generate(SCENARIOS, SEED)
    # read as nsra reads files (YAML 1.2 numbers such as 2e+07), dates as text as in JSON
    data: dict[str, Any] = json.loads(json.dumps(load(yaml_text), default=str))
    body = json.dumps(data).encode("utf-8")
    path = tmp_path_factory.mktemp("large") / "large.json"
    path.write_bytes(body)
    entries = sum(
        (e.get("likelihood") is not None) + len(e.get("impact", {}))
        for sc in data["scenarios"]
        for e in sc.get("estimates", [])
    )
    assert entries == counts.estimates
    return Large(data, body, path, entries)


# -- processes ------------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NSRA_DEBUG", "NSRA_DATABASE_URL"):
        env.pop(name, None)
    env["NO_COLOR"] = "1"
    return env


def nsra(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The ``nsra`` command run to its end."""
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=120,
        check=False,
    )


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*CLI, *args], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=_env()
        )


def request(
    port: int, method: str, path: str, token: str, body: bytes | None = None
) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int


@contextmanager
def serving(url: str, token: str, log: Path) -> Iterator[Server]:
    """``nsra serve`` on a free loopback port, answering (stopped at the end if still alive)."""
    port = free_port()
    proc = start(["serve", "--host", "127.0.0.1", "--port", str(port), "--url", url], log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"the server ended:\n{log.read_text()}"
            try:
                if request(port, "GET", "/api/methods", token)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the server does not answer:\n{log.read_text()}"
            time.sleep(0.05)
        yield Server(proc, port)
    finally:
        stop_process(proc)


class Upload(threading.Thread):
    """POST the large assessment; ``outcome`` is the response or the connection's error."""

    def __init__(self, port: int, token: str, body: bytes) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.body = port, token, body
        self.outcome: tuple[int, Any] | Exception | None = None

    def run(self) -> None:
        try:
            self.outcome = request(self.port, "POST", "/api/assessments", self.token, self.body)
        except (OSError, http.client.HTTPException) as exc:
            self.outcome = exc


# -- the database and what the import does in it -------------------------------------------------
@dataclass
class CrashDb:
    url: str
    engine: Engine
    token: str  # an administrator's API token (made with the CLI)
    path: Path | None  # the SQLite file; None on PostgreSQL
    write_time: float | None  # SQLite: how long importing the large assessment writes

    @property
    def journal(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + "-journal")

    def hot_journal(self) -> bool | None:
        """After the kill: whether a rollback journal was left (None: WAL mode, no journal to
        tell, or PostgreSQL)."""
        if self.path is None:
            return None
        wal = self.path.with_name(self.path.name + "-wal")
        return True if self.journal.exists() else (None if wal.exists() else False)


def sqlite_writing(path: Path) -> bool:
    """Whether a write transaction is open on the SQLite file: its write lock is taken (the
    probe takes it for an instant when it is free, and gives it back)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        probe.close()


@pytest.fixture(scope="module")
def sqlite_write_time(
    large: Large, template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> float:
    """How long a complete ``nsra db import`` of the large assessment holds the write lock, on
    a database like :func:`crash_db`'s: the write transaction's duration on this machine."""
    folder = tmp_path_factory.mktemp("calibrate")
    scratch, log = folder / "scratch.db", folder / "calibrate.log"
    shutil.copyfile(template_db, scratch)
    engine = make_engine(f"sqlite:///{scratch}")
    import_file(engine, str(EXAMPLES[0]))
    engine.dispose()
    proc = start(["db", "import", str(large.path), "--url", f"sqlite:///{scratch}"], log)
    first = last = None
    while proc.poll() is None:
        if sqlite_writing(scratch):
            last = time.monotonic()
            first = first or last
        time.sleep(0.002)
    assert proc.returncode == 0, log.read_text()
    assert first is not None and last is not None, "no write transaction was seen"
    return last - first


@pytest.fixture(params=["sqlite", "postgresql"])
def crash_db(
    request: pytest.FixtureRequest, template_db: Path, tmp_path: Path
) -> Iterator[CrashDb]:
    """A migrated database with one example assessment (content from before) and an admin user
    and token made with ``nsra users add`` and ``nsra users token``."""
    path: Path | None = None
    if request.param == "postgresql":
        engine = fresh_postgres()
        url = engine.url.render_as_string(hide_password=False)
    else:
        path = tmp_path / "nsra.db"
        shutil.copyfile(template_db, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    import_file(engine, str(EXAMPLES[0]))
    added = nsra(
        "users", "add", "root", "--role", "admin", "--password-stdin", "--url", url, stdin="pw\n"
    )
    assert added.returncode == 0, added.stderr
    made = nsra("users", "token", "root", "--url", url)
    assert made.returncode == 0, made.stderr
    write_time = None if path is None else request.getfixturevalue("sqlite_write_time")
    yield CrashDb(url, engine, made.stdout.strip(), path, write_time)
    engine.dispose()


class Watch:
    """How far the import in another process got, seen from outside (see the module's notes)."""

    def __init__(self, db: CrashDb, large: Large) -> None:
        self.db, self.large = db, large
        self.started_at: float | None = None
        if db.path is None:
            with db.engine.connect() as conn:
                self.sequence = conn.execute(
                    text("SELECT pg_get_serial_sequence('estimate_entries', 'id')")
                ).scalar_one()
            self.baseline = self._last_id()
        else:
            assert db.write_time is not None
            self.write_time = db.write_time

    def _last_id(self) -> int:
        with self.db.engine.connect() as conn:
            value: int = conn.execute(text(f"SELECT last_value FROM {self.sequence}")).scalar_one()
            return value

    def progress(self) -> float:
        """The fraction of the import written so far (0 before its transaction began)."""
        if self.db.path is None:
            return (self._last_id() - self.baseline) / self.large.entries
        if not sqlite_writing(self.db.path):
            return 0.0 if self.started_at is None else 1.0
        if self.started_at is None:
            self.started_at = time.monotonic()
        return (time.monotonic() - self.started_at) / self.write_time

    def settle(self) -> None:
        """PostgreSQL: wait until the dead client's transaction is gone (aborted)."""
        if self.db.path is not None:
            return
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        deadline = time.monotonic() + 15
        while True:
            with self.db.engine.connect() as conn:
                if conn.execute(query).scalar_one() == 0:
                    return
            assert time.monotonic() < deadline, "the killed client's transaction stays open"
            time.sleep(0.05)


def kill_mid_import(proc: subprocess.Popen[bytes], watch: Watch, log: Path) -> float:
    """SIGKILL the process once :data:`KILL_AT` of the import is written; the progress then."""
    deadline = time.monotonic() + 60
    while (done := watch.progress()) < KILL_AT:
        assert proc.poll() is None, f"the process ended before it was killed:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"the import did not get far:\n{log.read_text()}"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    return done


def sqlite_is_sound(db: CrashDb) -> None:
    if db.path is None:
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def whole_or_absent(db: CrashDb, before: Snapshot, large: Large) -> str:
    """``absent`` when every row of every table is as before; ``whole`` when the database holds
    exactly one more assessment, equal to the uploaded one, and nothing else (fails otherwise)."""
    after = snapshot(db.engine)
    if after == before:
        return "absent"
    for name, rows in before.items():
        if name == HEAD:
            continue
        missing = [r for r in rows if r not in after[name]]
        assert not missing, f"rows of {name} changed or vanished: {missing[:3]}"
    at = list(AssessmentRow.__table__.c.keys()).index("id")
    old = {r[at] for r in before["assessments"]}
    added = [r[at] for r in after["assessments"] if r[at] not in old]
    assert len(added) == 1, f"changed rows, but {len(added)} new assessments"
    new = added[0]
    with Session(db.engine) as session:
        assert assessment_data(session, new) == large.data
    with db.engine.connect() as conn, conn.begin() as trans:  # what else was written: nothing
        conn.execute(delete(AssessmentRow).where(AssessmentRow.id == new))
        rest = snapshot_of(conn)
        trans.rollback()
    added_audit = [r for r in rest.pop("audit_entries") if r not in before["audit_entries"]]
    assert len(added_audit) == 1, added_audit
    rest.pop(HEAD)
    assert rest == {k: v for k, v in before.items() if k not in ("audit_entries", HEAD)}
    return "whole"


def snapshot_of(conn: Any) -> Snapshot:
    """:func:`test_db.snapshot` inside an open connection (to see its uncommitted changes)."""
    return {
        name: [tuple(r) for r in conn.execute(table.select().order_by(*table.primary_key))]
        for name, table in Base.metadata.tables.items()
    }


def report(db: CrashDb, how: str, outcome: str, done: float, hot_journal: bool | None) -> None:
    """Print what happened; warn when the kill landed after the commit (nothing was tested
    about atomicity then)."""
    engine = "sqlite" if db.path is not None else "postgresql"
    mid = outcome == "absent" if hot_journal is None else hot_journal
    print(
        f"crash[{engine}, {how}]: killed at {done:.0%} of the import; mid-import={mid}; {outcome}"
    )
    if not mid:
        warnings.warn(f"the kill ({engine}, {how}) landed after the import committed", stacklevel=2)


# -- the tests -----------------------------------------------------------------------------------
def test_server_killed_during_a_large_upload(
    crash_db: CrashDb, large: Large, tmp_path: Path
) -> None:
    db = crash_db
    watch = Watch(db, large)
    before = snapshot(db.engine)
    db.engine.dispose()  # no connection of this process open on the file during the crash
    log = tmp_path / "server.log"
    with serving(db.url, db.token, log) as server:
        upload = Upload(server.port, db.token, large.body)
        upload.start()
        done = kill_mid_import(server.proc, watch, log)
        upload.join(30)
    assert not upload.is_alive()
    assert isinstance(upload.outcome, Exception), f"the upload was answered: {upload.outcome}"
    hot_journal = db.hot_journal()

    with serving(db.url, db.token, log) as server:  # restart on the same database
        watch.settle()
        status, listed = request(server.port, "GET", "/api/assessments", db.token)
        assert status == 200
        verified = nsra("audit", "verify", "--url", db.url)
        assert verified.returncode == 0, verified.stderr
        sqlite_is_sound(db)
        outcome = whole_or_absent(db, before, large)
        assert len(listed) == len(before["assessments"]) + (outcome == "whole")
        # the database takes the next write, and the audit chain goes on from where it was
        small = json.dumps(load(EXAMPLES[0].read_text(encoding="utf-8")), default=str)
        status, created = request(
            server.port, "POST", "/api/assessments", db.token, small.encode("utf-8")
        )
        assert status == 201, created
    report(db, "server", outcome, done, hot_journal)
    assert audit.verify(db.engine) == []


def test_import_command_killed_midway(crash_db: CrashDb, large: Large, tmp_path: Path) -> None:
    db = crash_db
    watch = Watch(db, large)
    before = snapshot(db.engine)
    db.engine.dispose()
    log = tmp_path / "import.log"
    proc = start(["db", "import", str(large.path), "--url", db.url], log)
    try:
        done = kill_mid_import(proc, watch, log)
    finally:
        stop_process(proc)
    assert "Imported" not in log.read_text()
    hot_journal = db.hot_journal()
    watch.settle()

    verified = nsra("audit", "verify", "--url", db.url)
    assert verified.returncode == 0, verified.stderr
    sqlite_is_sound(db)
    outcome = whole_or_absent(db, before, large)
    import_file(db.engine, str(EXAMPLES[0]))  # the database takes the next write
    report(db, "nsra db import", outcome, done, hot_journal)
    assert audit.verify(db.engine) == []

"""SQLite as nsra opens it (issue 12): WAL mode with every commit on disk, readers that never
wait for a writer, and writers that take turns in a line instead of SQLite's sleeping retries."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from nsra.server.api import transaction
from nsra.server.db import make_engine, upgrade


def test_a_file_database_is_in_wal_mode_with_full_synchronous_commits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_a_reader_does_not_wait_for_an_open_write(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    upgrade(engine)
    try:
        with transaction.write_session(engine) as s:
            s.execute(text("UPDATE audit_head SET version = version + 1"))
            reader = sqlite3.connect(tmp_path / "nsra.db", timeout=0)  # no waiting at all
            try:
                assert reader.execute("SELECT count(*) FROM audit_head").fetchone() == (1,)
            finally:
                reader.close()
    finally:
        engine.dispose()


def test_writers_take_turns_and_a_writer_left_waiting_gets_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    upgrade(engine)
    monkeypatch.setattr(transaction, "LINE_WAIT", 0.3)
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with transaction.write_session(engine):
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(5)
        assert (tmp_path / "nsra.db-writers").exists()  # the processes' line
        t0 = time.monotonic()
        with pytest.raises(OperationalError, match="locked"), transaction.write_session(engine):
            pass  # never: the first write holds the line past LINE_WAIT
        assert 0.25 < time.monotonic() - t0 < 3
        release.set()
        thread.join(5)
        with transaction.write_session(engine):
            order.append("second")
        assert order == ["first in", "first out", "second"]
    finally:
        release.set()
        thread.join(5)
        engine.dispose()


def test_another_process_in_the_line_is_waited_for(tmp_path: Path) -> None:
    """The line between processes is a ``flock`` of ``<database>-writers`` (another open file
    stands for another worker process): a writer waits while it is held, and goes the moment
    it is released."""
    fcntl = pytest.importorskip("fcntl")
    engine = make_engine(f"sqlite:///{tmp_path / 'nsra.db'}")
    upgrade(engine)
    done = threading.Event()
    released_at: list[float] = []

    def writer() -> None:
        with transaction.write_session(engine) as s:
            s.execute(text("UPDATE audit_head SET version = version + 1"))
        done.set()

    other = (tmp_path / "nsra.db-writers").open("a")
    thread = threading.Thread(target=writer)
    try:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # the other worker writes
        thread.start()
        assert not done.wait(0.5)  # waits in line
        released_at.append(time.monotonic())
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)  # done: the next writer goes at once
        assert done.wait(5)
        assert time.monotonic() - released_at[0] < 0.25
    finally:
        other.close()
        thread.join(5)
        engine.dispose()

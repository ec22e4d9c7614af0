"""Where the database is and how it is brought up to date.

With no configuration the database is the SQLite file ``nsra.db`` in the current directory;
``NSRA_DATABASE_URL`` or an explicit URL (``--url``) overrides it, e.g.
``postgresql+psycopg://user@host/nsra``. The schema is made only by the Alembic migrations in
``nsra/server/migrations`` (never ``create_all``), so SQLite and PostgreSQL get the same tables.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from nsra.server.db.methods import register_shipped

DEFAULT_URL = "sqlite:///nsra.db"
ENV_VAR = "NSRA_DATABASE_URL"


def database_url(url: str | None = None) -> str:
    """The URL given, else ``NSRA_DATABASE_URL``, else ``sqlite:///nsra.db``."""
    return url or os.environ.get(ENV_VAR) or DEFAULT_URL


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection: foreign keys enforced, and the database in WAL mode.

    * SQLite ignores foreign keys unless asked; PostgreSQL always checks them.
    * WAL (write-ahead log): readers never wait for a writer nor a writer for readers. In the
      default rollback-journal mode a read had to wait while a write committed, and SQLite
      makes a waiting connection sleep and try again (1, 2, 5 ... 100 ms), so under 50 writing
      users even reads waited up to a second (issue 12). ``synchronous`` stays FULL: every
      commit is on disk when it returns, as before. The mode is stored in the file; a database
      in memory keeps its own mode, and a file that cannot switch (another connection holds
      it, a file system without shared memory) stays as it is.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        with contextlib.suppress(sqlite3.OperationalError):  # stays in its mode: only slower
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


# Connections one process may hold at once: anyio's default thread limit, i.e. how many of the
# API's (synchronous) endpoints one uvicorn worker runs at the same time. See make_engine.
MAX_CONNECTIONS = 40
POOL_KEPT = 5  # of which kept open while idle (SQLAlchemy's default pool_size)


def make_engine(url: str | None = None) -> Engine:
    """An engine for the database; on SQLite, foreign keys are enforced as on PostgreSQL.

    The connection pool lets one process hold :data:`MAX_CONNECTIONS` connections (5 kept open,
    the rest opened when needed and closed when returned). SQLAlchemy's default (5 + 10
    overflow, 30 s wait) is smaller than the number of endpoints a uvicorn worker runs at once
    (40 threads); a request holds its connection for its whole duration (the results of a
    200-scenario assessment take about 1 s of CPU), so under load the 16th concurrent request
    of a worker waited for a connection and failed after 30 s with ``QueuePool limit ...
    reached`` (500). A larger pool alone was not enough: a request holds its connection also
    between its dependencies and its endpoint, when it holds no thread, so the server admits
    only as many requests at once as the pool can serve (:mod:`nsra.server.api.admission`,
    from this pool's size). On PostgreSQL this means up to 40 connections per worker process:
    keep ``workers x 40`` (plus other clients) under the server's ``max_connections`` (100 by
    default). Pools that are not a queue (SQLite in memory) are left as they are.
    """
    engine = create_engine(database_url(url))
    if isinstance(engine.pool, QueuePool):
        engine.dispose()
        engine = create_engine(
            database_url(url), pool_size=POOL_KEPT, max_overflow=MAX_CONNECTIONS - POOL_KEPT
        )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration for the migrations shipped in the package (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", "nsra.server:migrations")
    # "%" doubled: the option is interpolated (an encoded password or socket folder has "%")
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default) and register the shipped
    methods that are not registered yet."""
    command.upgrade(alembic_config(engine), revision)
    if revision == "head":
        with Session(engine) as session, session.begin():
            register_shipped(session)


def schema_is_current(engine: Engine) -> bool:
    """True when the database has the newest schema (``nsra db upgrade`` was run)."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads

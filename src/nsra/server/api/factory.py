"""The application built from the environment, for uvicorn's worker processes.

``nsra serve --workers N`` (N > 1) runs several processes; uvicorn then needs an import string
rather than an application object, and each worker calls :func:`app_from_environment` itself
(``uvicorn.run("nsra.server.api.factory:app_from_environment", factory=True, workers=N)``).
The database is passed as ``NSRA_DATABASE_URL``, which the workers inherit.

Decisions:

* Each worker makes its own engine (connections must not be shared across processes); the
  schema is not upgraded here: ``nsra serve`` upgrades it once, before the workers start, so N
  processes never race to migrate.
* A missing ``NSRA_DATABASE_URL`` falls back to the default (``sqlite:///nsra.db``), as
  everywhere else.
"""

from __future__ import annotations

from fastapi import FastAPI

from nsra.server.api.app import create_app
from nsra.server.db.engine import make_engine

IMPORT_STRING = "nsra.server.api.factory:app_from_environment"


def app_from_environment() -> FastAPI:
    """``create_app`` on an engine for ``NSRA_DATABASE_URL`` (else the default database)."""
    return create_app(make_engine())

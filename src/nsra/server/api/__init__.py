"""The REST API (FastAPI): :func:`create_app` serves the database at ``/api``."""

from nsra.server.api.app import create_app

__all__ = ["create_app"]

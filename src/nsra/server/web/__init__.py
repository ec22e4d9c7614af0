"""The web side of the server: the pages people work in (server-rendered, Jinja2), vendored
assets under ``/static`` (nothing from another host), the API's documentation pages, and the
security headers of every response. Pages call the same service functions as the API."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from nsra.server.web import dashboard, docs, errors, home, people, signin
from nsra.server.web.headers import SecurityHeaders

STATIC = "/static"


def install(app: FastAPI) -> None:
    """Add the static files, the documentation pages and the security headers to ``app``."""
    folder = resources.files("nsra.server.web") / "static"
    app.mount(STATIC, StaticFiles(directory=str(folder)), name="static")
    app.include_router(docs.router)
    app.include_router(signin.router)
    app.include_router(home.router)
    app.include_router(dashboard.router)
    app.include_router(people.router)
    errors.install(app)
    app.add_middleware(SecurityHeaders)

"""The web side of the server: the pages people work in (server-rendered, Jinja2), vendored
assets under ``/static`` (nothing from another host), the API's documentation pages, and the
security headers of every response. Pages call the same service functions as the API."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from nsra.server.web import (
    analyses,
    coherence,
    create,
    dashboard,
    docs,
    errors,
    estimates,
    home,
    people,
    register,
    rounds,
    signin,
    strategy,
    strategy_results,
    versions,
    workbook,
)
from nsra.server.web.headers import SecurityHeaders

STATIC = "/static"

PAGES = (
    docs,
    signin,
    home,
    create,
    dashboard,
    register,
    estimates,
    rounds,
    versions,
    coherence,
    strategy,
    strategy_results,
    analyses,
    people,
    workbook,
)
"""The modules whose ``router`` serves pages (one line each: add a page, add a line)."""


def install(app: FastAPI) -> None:
    """Add the static files, the pages, their error pages and the security headers to
    ``app``."""
    folder = resources.files("nsra.server.web") / "static"
    app.mount(STATIC, StaticFiles(directory=str(folder)), name="static")
    app.state.overviews = dashboard.OverviewCache()
    app.state.strategies = dashboard.OverviewCache(size=16)
    for module in PAGES:
        app.include_router(module.router)
    errors.install(app)
    app.add_middleware(SecurityHeaders)

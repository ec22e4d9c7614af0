"""What the browser tests share: the axe-core scan (WCAG 2.1 A and AA rules) and signing in."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

from tests.server.web.conftest import LiveServer, Visit

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious(where: Page | Visit) -> list[str]:
    """The serious and critical violations of the page, one line each (empty: none)."""
    page = where.page if isinstance(where, Visit) else where
    response: dict[str, Any] = Axe().run(page, options=RULES).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in_page(live: LiveServer, page: Page, user: str) -> None:
    """Sign in with the form as ``user`` (the demo password) and land on the home page."""
    page.goto(f"{live.url}/sign-in")
    page.fill("#user", user)
    page.fill("#password", live.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/")

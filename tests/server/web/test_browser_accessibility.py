"""Every page passes an axe-core scan (WCAG 2.1 A and AA rules) with no serious or critical
violation, in English and Dutch, at a phone's width and a desktop's."""

from __future__ import annotations

import pytest

from tests.server.web.browser import serious
from tests.server.web.conftest import LiveServer, Visit


def sign_in(live_server: LiveServer, visit: Visit, user: str) -> None:
    page = visit.page
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#user", user)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_have_no_serious_accessibility_violations(
    live_server: LiveServer, visit: Visit, lang: str, width: int
) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/language/{lang}?back=/sign-in")
    assert serious(visit) == [], "sign-in"
    page.fill("#password", "wrong")
    page.fill("#user", "demo-viewer")
    page.click("button[type=submit]")
    assert serious(visit) == [], "sign-in with a message"
    sign_in(live_server, visit, "demo-viewer")
    assert serious(visit) == [], "home"
    assert visit.console == []

"""The Strategy page in a real browser: it passes an axe-core scan at a phone's width and a
desktop's, with the budget form filled in (and with a problem at the field), with no console
message, no other host and no horizontal scrolling of the page."""

from __future__ import annotations

import pytest

from tests.server.web.browser import serious, sign_in_page
from tests.server.web.conftest import LiveServer, Visit


@pytest.mark.parametrize("width", [390, 1280])
def test_the_strategy_page_is_accessible(live_server: LiveServer, visit: Visit, width: int) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_page(live_server, page, "demo-viewer")
    page.goto(f"{live_server.url}/a/1")
    page.get_by_role("link", name="Strategy", exact=True).click()
    page.get_by_label("Yearly budget for proposed measures (euros)").fill("150M")
    page.get_by_label("Monte Carlo draws").fill("50")
    page.get_by_role("button", name="Compute").click()
    assert page.get_by_role("heading", name="Which proposals to fund").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious(visit) == [], "strategy page"
    page.get_by_label("Yearly budget for proposed measures (euros)").fill("lots")
    page.get_by_role("button", name="Compute").click()
    assert page.locator("#budget").get_attribute("aria-invalid") == "true"
    assert serious(visit) == [], "strategy page with a problem"
    assert visit.console == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}

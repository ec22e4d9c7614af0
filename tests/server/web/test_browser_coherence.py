"""The coherence page in a real browser: a coordinator closes a gap with a new measure through
the form; the page and the form (also with a problem shown) pass an axe-core scan at a phone's
width and a desktop's, with no console message, no other host and no horizontal scrolling."""

from __future__ import annotations

import pytest

from tests.server.web.browser import serious
from tests.server.web.conftest import LiveServer, Visit

GAP = "Prolonged heat wave and drought"


def sign_in(live_server: LiveServer, visit: Visit, user: str) -> None:
    page = visit.page
    page.goto(f"{live_server.url}/sign-in")
    page.fill("#user", user)
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def no_side_scroll(visit: Visit, width: int) -> None:
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_and_its_form_are_accessible(
    live_server: LiveServer, visit: Visit, width: int
) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(live_server, visit, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1/coherence")
    assert page.get_by_role("heading", level=1).inner_text() == "Coherence"
    # on a phone a list per scenario, on a desktop the table
    table = page.locator(".coh-matrix")
    listing = page.locator(".coh-list")
    assert table.is_visible() == (width > 600) and listing.is_visible() == (width <= 600)
    gaps = page.locator(".coh-list .gap-marker" if width <= 600 else ".coh-matrix .gap-marker")
    assert gaps.count() == 2
    no_side_scroll(visit, width)
    assert serious(visit) == [], "coherence page"
    page.get_by_role("link", name="Add a measure").first.click()
    page.get_by_role("button", name="Save").click()  # nothing filled in: the checker's words
    assert page.get_by_role("alert").is_visible()
    assert page.locator("#title_en").get_attribute("aria-invalid") == "true"
    no_side_scroll(visit, width)
    assert serious(visit) == [], "measure form with problems"
    assert visit.console == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}


def test_a_coordinator_closes_a_gap(live_server: LiveServer, visit: Visit) -> None:
    page = visit.page
    sign_in(live_server, visit, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1/coherence")
    before = page.locator(".gap-count").inner_text()
    assert before.endswith(": 2")
    gaps = page.get_by_role("region", name="Serious risks without a measure (gaps)")
    gaps.get_by_role("link", name="Add a measure for this risk").first.click()
    assert page.get_by_role("checkbox", name=f"2. {GAP}").is_checked()
    page.get_by_label("Identifier").fill("national-heat-plan")
    page.get_by_label("Title in English").fill("National heat plan")
    page.get_by_label("Strategy").select_option(label="National security strategy")
    page.get_by_label("Phase").select_option(label="Prepare")
    page.get_by_role("checkbox", name="Ministry of Health, Welfare and Sport (incl. RIVM)").check()
    page.get_by_label("Why (kept in the history)").fill("the heat wave had no measure")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/a/1/coherence?done=saved")
    assert page.get_by_role("status").inner_text() == "Saved."
    assert page.locator(".gap-count").inner_text().endswith(": 1")
    row = page.get_by_role("row").filter(has_text=GAP).first
    assert "National heat plan" in row.inner_text()
    assert "Gap" not in row.inner_text()
    assert visit.console == []
    assert visit.failed == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}

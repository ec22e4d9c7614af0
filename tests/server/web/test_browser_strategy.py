"""The page "Developments and capabilities" in a real browser: a coordinator adds an
international development through the form (first with an unknown scenario, shown at the field
with its line, then right); the page and the form pass an axe-core scan at a phone's width and a
desktop's, with no console message, no other host and no horizontal scrolling."""

from __future__ import annotations

import pytest

from tests.server.web.browser import serious, sign_in_page
from tests.server.web.conftest import LiveServer, Visit


def no_side_scroll(visit: Visit, width: int) -> None:
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_the_page_and_its_forms_are_accessible(
    live_server: LiveServer, visit: Visit, width: int
) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_page(live_server, page, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1/coherence")
    page.get_by_role("link", name="International developments, capabilities").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Developments and capabilities"
    assert page.get_by_role("heading", name="International developments", level=2).is_visible()
    no_side_scroll(visit, width)
    assert serious(visit) == [], "developments page"
    page.goto(f"{live_server.url}/a/1/coherence/measures/threat-level-and-surveillance")
    page.get_by_label("Cost per year (euros)").fill("a lot")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#cost").get_attribute("aria-invalid") == "true"
    no_side_scroll(visit, width)
    assert serious(visit) == [], "measure form with a problem"
    page.goto(f"{live_server.url}/a/1/coherence/capabilities/mass-evacuation-plans")
    no_side_scroll(visit, width)
    assert serious(visit) == [], "capability form"
    assert visit.console == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}


def test_a_coordinator_adds_a_development(live_server: LiveServer, visit: Visit) -> None:
    page = visit.page
    sign_in_page(live_server, page, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1/developments")
    page.get_by_role("link", name="Add a development").click()
    page.get_by_label("Identifier").fill("arctic-routes")
    page.get_by_label("Title in English").fill("Arctic shipping routes open")
    page.get_by_label("Kind").select_option(label="climate")
    page.get_by_label("Time horizon (year)").fill("2040")
    effects = page.get_by_role("textbox", name="Effects")
    effects.fill(
        "- scenario: gas-supply-disruption\n  likelihood: 1\n"
        "- scenario: atlantis\n  likelihood: 1\n"
    )
    page.get_by_role("button", name="Save").click()
    message = page.locator("#err-effects").inner_text()
    assert message.startswith("Line 3 (entry 2, scenario):") and "atlantis" in message
    assert effects.get_attribute("aria-invalid") == "true"
    assert "atlantis" in effects.input_value()  # what was typed is kept
    effects.fill(
        "- scenario: gas-supply-disruption\n  likelihood: {steps: 1, low: 0.5, high: 1.5}\n"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/a/1/developments?done=saved")
    assert page.get_by_role("status").inner_text() == "Saved."
    item = page.get_by_role("article", name="Arctic shipping routes open")
    assert "+1 class (+0.5 to +1.5)" in item.inner_text()
    assert visit.console == []
    assert visit.failed == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}

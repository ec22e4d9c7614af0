"""The scenario register in a real browser, at a phone's width and a desktop's: search and
filter the register, add a scenario through the form (a problem first, shown at its field),
open it; no console message, no other host, no serious accessibility violation."""

from __future__ import annotations

import pytest

from tests.server.web.browser import serious
from tests.server.web.conftest import LiveServer, Visit


def no_sideways_scroll(visit: Visit, width: int) -> None:
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_find_add_and_open_a_scenario(live_server: LiveServer, visit: Visit, width: int) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/sign-in?next=/a/1/scenarios")
    page.fill("#user", "demo-coordinator")
    page.fill("#password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/a/1/scenarios")
    assert page.get_by_role("heading", level=1).inner_text() == "Scenario register"
    total = page.locator("tbody tr").count()
    assert page.get_by_text(f"{total} of {total} scenarios").is_visible()
    assert serious(visit) == [], "register"
    no_sideways_scroll(visit, width)

    # search and filter without any script: a GET form
    page.get_by_label("Search in titles and descriptions").fill("attack")
    page.get_by_label("Malicious").select_option("yes")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/a/1/scenarios?q=attack*")
    shown = page.locator("tbody tr").count()
    assert 0 < shown < total
    assert page.get_by_text(f"{shown} of {total} scenarios").is_visible()
    assert page.get_by_label("Search in titles and descriptions").input_value() == "attack"
    assert page.get_by_label("Malicious").input_value() == "yes"

    # add a scenario: no title first, the checker's message at the title
    page.get_by_role("link", name="Add a scenario").click()
    ident = f"browser-test-{width}"
    page.get_by_label("Id").fill(ident)
    page.get_by_label("Theme").fill("cyber")
    page.get_by_label("Threat").select_option("internal")
    page.get_by_label("Owner").select_option(index=1)
    page.get_by_role("button", name="Save").click()
    title = page.get_by_label("Title in English")
    assert title.get_attribute("aria-invalid") == "true"
    assert "at least one language" in page.locator("#title-error").inner_text()
    assert page.get_by_label("Id").input_value() == ident  # kept
    assert serious(visit) == [], "form with a problem"
    no_sideways_scroll(visit, width)
    title.fill("Outage of a cloud provider")
    page.get_by_label("Title in Dutch").fill("Uitval van een cloudaanbieder")
    page.get_by_label("Why this change").fill("browser test")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/a/1/scenarios/{ident}?created=1")
    assert page.get_by_role("status").inner_text() == "The scenario was added."
    assert page.get_by_role("heading", level=1).inner_text() == "Outage of a cloud provider"
    assert serious(visit) == [], "new scenario"

    # a scenario with estimates, as the dashboard's markers open it
    page.goto(f"{live_server.url}/a/1/scenarios?sort=rank")
    page.locator("tbody th a").first.click()
    assert page.get_by_role("heading", name="Likelihood and impact").is_visible()
    assert serious(visit) == [], "scenario page"
    no_sideways_scroll(visit, width)
    assert visit.console == []
    assert visit.failed == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}

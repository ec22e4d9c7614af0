"""The Analyses page in Chromium on ``nsra serve --demo``: a coordinator starts an analysis, the
progress bar moves by itself and the results appear; hovering or focusing a threat of the
network highlights its causes and effects; no console error, no other host, and no serious
accessibility violation at a phone's width and a desktop's."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.server.web.browser import serious
from tests.server.web.conftest import LiveServer, Visit
from tests.server.web.test_browser_accessibility import sign_in


def test_start_an_analysis_follow_it_and_explore_the_network(
    live_server: LiveServer, visit: Visit
) -> None:
    page = visit.page
    sign_in(live_server, visit, "demo-coordinator")
    page.goto(f"{live_server.url}/a/1/analyses")
    assert serious(visit) == [], "the form"
    page.fill("#f-samples", "100")
    page.fill("#f-seed", "7")
    page.click("form.start button[type=submit]")
    page.wait_for_selector("#analysis-job progress", timeout=10_000)
    # the script polls and reloads the page when the job is done: no click needed
    page.wait_for_selector("#smaa table.heat", timeout=120_000)
    assert page.locator("#analysis-job").count() == 0
    assert page.locator("#uncertainty table.intervals tbody tr").count() > 5
    assert "7" in page.locator("#results-title + p").inner_text()

    figure = page.locator("#network-figure")
    nodes = figure.locator(".node[data-id]")
    assert nodes.count() > 3
    links = figure.locator(".link[data-source]")
    source = links.first.get_attribute("data-source")
    target = links.first.get_attribute("data-target")
    node = figure.locator(f'.node[data-id="{source}"]')
    node.locator("text").first.hover()  # the rank in the middle of the marker (a long label
    # below it moves the group's centre into the gap between marker and label)
    assert "picking" in (figure.get_attribute("class") or "")
    assert "on" in (figure.locator(f'.node[data-id="{target}"]').get_attribute("class") or "")
    dimmed = figure.locator(".node:not(.on)").count()
    assert 0 < dimmed < nodes.count()
    tip = page.locator("#network-tip")
    assert tip.is_visible() and "Sets off" in tip.inner_text()
    page.mouse.move(0, 0)
    assert "picking" not in (figure.get_attribute("class") or "")
    node.focus()  # the keyboard does the same
    assert "picking" in (figure.get_attribute("class") or "") and tip.is_visible()
    page.keyboard.press("Escape")
    assert not tip.is_visible()

    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious(visit) == [], width
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (width, scroll)
    assert visit.console == []
    assert visit.hosts == {urlsplit(live_server.url).netloc}

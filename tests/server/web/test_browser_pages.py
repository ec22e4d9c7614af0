"""The assessment pages in a real browser on ``nsra serve --demo``: keyboard-only estimate
entry, a save conflict between two people in two browsers, a reader without edit controls whose
forged form post is refused, the interactive diagram, and every page free of console errors,
of requests to other hosts and of serious accessibility violations."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from tests.server.web.browser import serious
from tests.server.web.browser import sign_in_page as sign_in
from tests.server.web.conftest import LiveServer, Visit

SCENARIO = "jihadist-attack-public-transport"


def get_json(page: Page, url: str) -> Any:
    """GET from inside the page (same origin, its cookie): the browser's own request."""
    return page.evaluate(
        """async (url) => {
            const r = await fetch(url);
            return {status: r.status, body: await r.json()};
        }""",
        url,
    )


def post_form(page: Page, url: str, data: dict[str, str]) -> int:
    """A form post made by script from inside the page (what a forged form would send)."""
    status: int = page.evaluate(
        """async ([url, data]) => {
            const body = new URLSearchParams(data);
            const r = await fetch(url, {method: "POST", body: body, redirect: "manual"});
            return r.status; }""",
        [url, data],
    )
    return status


def stored(live: LiveServer, page: Page, slot: str = "likelihood") -> Any:
    path = f"/api/assessments/1/scenarios/{SCENARIO}/estimates/nctv-analyst/{slot}"
    r = get_json(page, live.url + path)
    assert r["status"] == 200, r
    return r["body"]


def test_an_analyst_enters_an_estimate_with_the_keyboard_only(
    live_server: LiveServer, visit: Visit
) -> None:
    page = visit.page
    page.goto(f"{live_server.url}/sign-in")
    page.locator("#user").focus()  # as its autofocus does in a browser window
    page.keyboard.type("nctv-analyst")
    page.keyboard.press("Tab")
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/a/1/estimates/{SCENARIO}")
    before = stored(live_server, page)
    # Tab to the likelihood's chosen class, then arrows choose another one
    checked = page.locator('input[name="s0-class"]:checked')
    for _ in range(60):
        page.keyboard.press("Tab")
        if checked.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the likelihood's classes cannot be reached with Tab")
    page.keyboard.press("ArrowLeft")  # D -> C
    assert page.locator('input[name="s0-class"]:checked').get_attribute("value") == "C"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "s0-rationale":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("Entered with the keyboard.")
    page.keyboard.press("Enter")  # submits the form from a text field
    page.wait_for_url("**saved=1**")
    assert page.get_by_role("status").first.inner_text().startswith("Saved")
    after = stored(live_server, page)
    # the page is in English: the English rationale is replaced, the Dutch one kept
    was = before["estimate"]["rationale"]
    kept = {k: v for k, v in was.items() if k != "en"} if isinstance(was, dict) else {}
    rationale = (
        {**kept, "en": "Entered with the keyboard."} if kept else "Entered with the keyboard."
    )
    assert after["estimate"] == {"class": "C", "rationale": rationale}
    assert after["version"] == before["version"] + 1
    assert visit.console == [] and visit.failed == []


def test_a_save_conflict_in_two_browsers_loses_nothing(
    live_server: LiveServer, browser: Browser
) -> None:
    analyst_ctx, coordinator_ctx = browser.new_context(), browser.new_context()
    try:
        analyst, coordinator = analyst_ctx.new_page(), coordinator_ctx.new_page()
        sign_in(live_server, analyst, "nctv-analyst")
        sign_in(live_server, coordinator, "demo-coordinator")
        url = f"{live_server.url}/a/1/estimates/{SCENARIO}?analyst=nctv-analyst"
        analyst.goto(url)
        coordinator.goto(url)
        # the coordinator saves first
        coordinator.locator('label.class:has(input[name="s0-class"][value="E"])').click()
        coordinator.fill("#s0-rationale", "The coordinator's reading.")
        coordinator.get_by_role("button", name="Save estimates").click()
        coordinator.wait_for_url("**saved=1**")
        # the analyst, who read the page before, saves another value
        analyst.locator('label.class:has(input[name="s0-class"][value="A"])').click()
        analyst.fill("#s0-rationale", "My reading.")
        analyst.get_by_role("button", name="Save estimates").click()
        alert = analyst.locator(".conflict")
        assert "demo-coordinator changed this estimate" in alert.inner_text()
        assert "E — The coordinator's reading." in alert.inner_text()
        assert analyst.locator("#s0-rationale").input_value() == "My reading."  # kept
        assert in_english(stored(live_server, analyst)["estimate"]) == {
            "class": "E",
            "rationale": "The coordinator's reading.",
        }
        # the analyst keeps theirs, knowingly
        analyst.get_by_label("keep mine").check()
        analyst.get_by_role("button", name="Save estimates").click()
        analyst.wait_for_url("**saved=1**")
        assert in_english(stored(live_server, analyst)["estimate"]) == {
            "class": "A",
            "rationale": "My reading.",
        }
    finally:
        analyst_ctx.close()
        coordinator_ctx.close()


def test_a_reader_sees_no_edit_controls_and_a_forged_post_is_refused(
    live_server: LiveServer, visit: Visit
) -> None:
    page = visit.page
    sign_in(live_server, page, "demo-viewer")
    for path in ("/a/1", "/a/1/versions", "/a/1/scenarios"):
        page.goto(live_server.url + path)
        posts = page.locator("form[method=post]:not(.sign-out)")
        assert posts.count() == 0, path
    tabs = page.locator("nav.tabs").inner_text()
    assert "My estimates" not in tabs and "Rounds" not in tabs
    page.goto(live_server.url + "/a/1/versions")
    token = page.locator(".sign-out input[name=csrf_token]").get_attribute("value")
    versions = get_json(page, f"{live_server.url}/api/assessments/1/versions")
    forged = {"csrf_token": token or "", "label": "forged", "seed": "1"}
    assert post_form(page, f"{live_server.url}/a/1/versions", forged) == 403
    assert get_json(page, f"{live_server.url}/api/assessments/1/versions") == versions
    before = stored(live_server, page)
    estimate = {"csrf_token": token or "", "analyst": "nctv-analyst", "s0-class": "A"}
    assert post_form(page, f"{live_server.url}/a/1/estimates/{SCENARIO}", estimate) == 403
    assert stored(live_server, page) == before


def test_the_diagram_filters_and_opens_a_scenario(live_server: LiveServer, visit: Visit) -> None:
    page = visit.page
    sign_in(live_server, page, "demo-viewer")
    page.goto(f"{live_server.url}/a/1")
    markers = page.locator(".diagram .marker")
    total = markers.count()
    assert total > 5
    page.get_by_label("external", exact=True).uncheck()
    hidden = page.locator('.diagram .marker[style*="display: none"]').count()
    assert 0 < hidden < total
    assert (
        page.locator("#diagram-count").inner_text()
        == f"{total - hidden} of {total} scenarios shown"
    )
    page.get_by_label("external", exact=True).check()
    first = page.locator(f'.diagram .marker[data-id="{SCENARIO}"]')
    first.hover()
    assert "Jihadist attack on public transport" in page.locator("#diagram-tip").inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/a/1/scenarios/{SCENARIO}")
    assert visit.console == []


PAGES = {
    "demo-coordinator": [
        "/a/1",
        "/a/1/estimates",
        "/a/1/estimates?analyst=nctv-analyst",
        f"/a/1/estimates/{SCENARIO}?analyst=nctv-analyst",
        "/a/1/rounds",
        f"/a/1/consensus/{SCENARIO}",
        "/a/1/versions",
        "/assessments/new",
    ],
    "nctv-analyst": ["/a/1/estimates", f"/a/1/estimates/{SCENARIO}"],
    "demo-viewer": ["/a/1", "/a/1/versions"],
}


def _listen(page: Page, console: list[str], hosts: set[str]) -> None:
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_is_clean_and_accessible(
    live_server: LiveServer, browser: Browser, width: int
) -> None:
    for user, paths in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        console: list[str] = []
        hosts: set[str] = set()
        _listen(page, console, hosts)
        try:
            sign_in(live_server, page, user)
            for lang in ("en", "nl", "fr"):
                for path in paths:
                    page.goto(f"{live_server.url}/language/{lang}?back={quote(path, safe='/')}")
                    assert page.url.endswith(path), (page.url, path)
                    assert serious(page) == [], (user, path, lang)
                    wide = page.evaluate("document.documentElement.scrollWidth")
                    assert wide <= width, (user, path, lang, wide)
            page.goto(f"{live_server.url}/language/en?back=/")
        finally:
            context.close()
        assert console == [], (user, console)
        assert hosts == {live_server.url.removeprefix("http://")}


def in_english(estimate: dict[str, Any]) -> dict[str, Any]:
    """The estimate with its rationale as the English pages show and edit it (the other
    languages of a rationale given per language are kept by an edit in English)."""
    from nsra.model.text import tr

    return {**estimate, "rationale": tr(estimate.get("rationale"), "en")}

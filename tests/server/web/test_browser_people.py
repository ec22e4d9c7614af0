"""The pages about people in a real browser: a coordinator invites an organisation and an
analyst and assigns a scenario, reads it in the history; an administrator creates a user who
then signs in. No console message, no other host, and no serious or critical axe-core violation
at a phone's width and a desktop's."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.server.web.browser import serious
from tests.server.web.conftest import LiveServer, Visit


def scan(visit: Visit, what: str) -> None:
    """No serious violation at 390 and 1280 px, and no horizontal scrolling of the page."""
    page = visit.page
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious(visit) == [], f"{what} at {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, what
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page: Page, live_server: LiveServer, user: str, password: str) -> None:
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_members_assignments_history_and_administration(
    live_server: LiveServer, visit: Visit
) -> None:
    page = visit.page
    sign_in(page, live_server, "demo-coordinator", live_server.password)
    page.get_by_role("row").nth(1).get_by_role("link").click()
    page.get_by_role("link", name="Members").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Members"
    base = page.url.removesuffix("/members")
    scan(visit, "members")

    # a bad identifier: the checker's message at the field, nothing stored
    form = page.locator("#organisation-form")
    form.get_by_label("Identifier").fill("Not an id")
    form.get_by_label("Name").fill("Food and Consumer Product Safety Authority")
    form.get_by_role("button", name="Invite").click()
    assert page.locator("#org-id").get_attribute("aria-invalid") == "true"
    assert "is not a valid id" in page.locator("#org-id-error").inner_text()
    assert page.locator("#org-name").input_value() == "Food and Consumer Product Safety Authority"
    scan(visit, "members with a message")

    form.get_by_label("Identifier").fill("nvwa")
    form.get_by_role("button", name="Invite").click()
    assert page.get_by_role("status").inner_text() == "The organisation was invited."

    analyst = page.locator("#analyst-form")
    analyst.get_by_label("Identifier").fill("nvwa-analyst")
    analyst.get_by_label("Name").fill("Analyst, NVWA")
    analyst.get_by_label("Organisation").select_option("nvwa")
    analyst.get_by_role("button", name="Invite").click()
    assert page.get_by_role("status").inner_text() == "The analyst was saved."
    assert page.get_by_role("cell", name="Analyst, NVWA").count() == 1

    page.get_by_label("nvwa-analyst estimates Jihadist attack on public transport").check()
    page.get_by_role("button", name="Save the assignments").click()
    assert page.get_by_role("status").inner_text() == (
        "Assignments saved: 1 assigned, 0 withdrawn."
    )
    assert page.get_by_label(
        "nvwa-analyst estimates Jihadist attack on public transport"
    ).is_checked()

    page.get_by_role("link", name="History").click()
    newest = page.locator("tbody tr").first
    assert "assigned the scenario to nvwa-analyst" in newest.inner_text()
    assert "demo-coordinator" in newest.inner_text()
    # the moment is shown in the browser's language and time zone
    assert re.search(r"\d{4}", newest.locator("time").inner_text())
    page.get_by_label("Scenario").select_option("jihadist-attack-public-transport")
    page.get_by_role("button", name="Show").click()
    assert "scenario=jihadist-attack-public-transport" in page.url
    scan(visit, "history")

    # the administration is for administrators
    page.goto(f"{base}/members")
    assert page.get_by_role("link", name="Administration").count() == 0
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "demo-admin", live_server.password)
    page.get_by_role("link", name="Administration").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Administration"
    scan(visit, "administration")
    create = page.locator("#new-user")
    create.get_by_label("User", exact=True).fill("new-person")
    create.get_by_label("Role").select_option("viewer")
    create.get_by_role("button", name="Create the user").click()
    assert "User new-person was created." in page.get_by_role("status").first.inner_text()
    password = page.locator(".secret-value").inner_text()
    assert password
    scan(visit, "administration with a secret")
    assert visit.console == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}

    other = page.context.browser.new_context()  # type: ignore[union-attr]
    fresh = other.new_page()
    sign_in(fresh, live_server, "new-person", password)
    assert "Signed in as new-person" in fresh.locator(".who").inner_text()
    other.close()

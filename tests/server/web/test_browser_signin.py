"""Signing in, switching language and signing out in a real browser, at a phone's width and
at a desktop's: no console message, no other host, every page loaded from the server."""

from __future__ import annotations

import pytest

from tests.server.web.conftest import LiveServer, Visit


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_in_switch_language_and_sign_out(
    live_server: LiveServer, visit: Visit, width: int
) -> None:
    page = visit.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/sign-in?next=/")
    page.get_by_label("User name").fill("nctv-analyst")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == (
        "The user name or the password is not right. Try again."
    )
    page.get_by_label("Password").fill(live_server.password)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "My assessments"
    row = page.get_by_role("row").nth(1)
    assert "Integrated risk assessment of national and international security" in (row.inner_text())
    page.get_by_role("link", name="Nederlands").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn beoordelingen"
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("button", name="Afmelden").click()
    assert page.get_by_role("status").inner_text() == "U bent afgemeld."
    page.goto(f"{live_server.url}/")
    assert "/sign-in" in page.url  # the session has ended
    # the choice is remembered for the user: signing in from a fresh browser shows Dutch
    other = visit.page.context.browser.new_context()  # type: ignore[union-attr]
    fresh = other.new_page()
    fresh.goto(f"{live_server.url}/sign-in")
    fresh.fill("#user", "nctv-analyst")
    fresh.fill("#password", live_server.password)
    fresh.click("button[type=submit]")
    fresh.wait_for_url(f"{live_server.url}/")
    assert fresh.get_by_role("heading", level=1).inner_text() == "Mijn beoordelingen"
    fresh.get_by_role("link", name="English").click()
    assert fresh.get_by_role("heading", level=1).inner_text() == "My assessments"
    other.close()
    assert visit.console == []
    assert visit.failed == []
    assert visit.hosts == {live_server.url.removeprefix("http://")}


def test_no_horizontal_scrolling_at_a_phones_width(live_server: LiveServer, visit: Visit) -> None:
    page = visit.page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("User name").fill("demo-coordinator")
    page.get_by_label("Password").fill(live_server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

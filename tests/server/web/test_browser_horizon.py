"""The BNRA's likelihood in 2050 on the estimate page, in a real browser: beside today's
likelihood on a wide screen, below it on a phone, chosen with the keyboard and saved, with no
serious accessibility violation."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, FloatRect, Page

from tests.server.common import BE
from tests.server.web.browser import serious
from tests.server.web.conftest import nsra_cli, serving

PASSWORD = "a long demo password 2026"
WHY = "Longer pollen seasons, more travel."


@pytest.fixture(scope="module")
def bnra_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``nsra serve`` on a database holding the BNRA example and an administrator."""
    folder = tmp_path_factory.mktemp("horizon")
    env = {**os.environ, "NSRA_DATABASE_URL": f"sqlite:///{folder / 'nsra.db'}"}
    nsra_cli("db", "upgrade", env=env)
    nsra_cli("db", "import", str(BE), env=env)
    nsra_cli("users", "add", "root", "--role", "admin", "--password-stdin", env=env, stdin=PASSWORD)
    with serving(env, folder) as url:
        yield url


def _open(browser: Browser, url: str, width: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{url}/sign-in")
    page.get_by_label("User name").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/a/1/estimates/pandemic?analyst=nccn-analyst")
    return page


def _box(page: Page, slot: str) -> FloatRect:
    found = page.locator(f'fieldset[data-slot="{slot}"]').first.bounding_box()
    assert found is not None
    return found


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_the_2050_likelihood_beside_todays(bnra_server: str, browser: Browser, width: int) -> None:
    page = _open(browser, bnra_server, width)
    try:
        today, in_2050 = _box(page, "likelihood"), _box(page, "likelihood@2050")
        if width >= 900:  # side by side: the same top, 2050 to the right
            assert abs(today["y"] - in_2050["y"]) < 1 and in_2050["x"] > today["x"] + today["width"]
        else:  # stacked: 2050 below today, as wide
            assert in_2050["y"] >= today["y"] + today["height"]
            assert abs(in_2050["width"] - today["width"]) < 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert serious(page) == []
    finally:
        page.context.close()


def test_choosing_and_saving_the_2050_likelihood(bnra_server: str, browser: Browser) -> None:
    page = _open(browser, bnra_server, 1280)
    try:
        slot = page.locator('fieldset[data-slot="likelihood@2050"]').first
        assert "Likelihood in 2050 (climate change)" in slot.inner_text()
        # with the keyboard: focus the first class, arrow to the fourth
        slot.locator('input[type=radio][value="1"]').focus()
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        assert slot.locator('input[type=radio][value="4"]').is_checked()
        slot.get_by_label("Rationale").fill(WHY)
        page.get_by_role("button", name="Save estimates").click()
        page.wait_for_url("**saved=1**")
        assert "Saved: 1 estimates changed." in page.inner_text("main")
        again = page.locator('fieldset[data-slot="likelihood@2050"]').first
        assert again.locator('input[type=radio][value="4"]').is_checked()
        assert again.get_by_label("Rationale").input_value() == WHY
        page.goto(f"{bnra_server}/a/1/estimates?analyst=nccn-analyst")
        assert "34 of 36" in page.inner_text("main")
    finally:
        page.context.close()

"""The whole interdepartmental workflow in a real browser, from an empty database, with no
terminal after the server starts: an administrator creates an assessment from its file and adds
the members; two analysts of different ministries, each in their own browser, enter and submit
their estimates with rationale; the coordinator sees the spread, closes the round, records the
consensus and publishes a version; a reader opens the overview and downloads the report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.server.common import NL
from tests.server.web.conftest import nsra_cli, serving

PASSWORD = "a long demo password 2026"
USERS = {  # name: global role
    "root": "admin",
    "cora": "coordinator",
    "ana-bz": "analyst",  # Ministry of Foreign Affairs
    "ben-jenv": "analyst",  # Ministry of Justice and Security
    "vera": "viewer",
}
SCENARIO = "jihadist-attack-public-transport"


@dataclass
class Server:
    url: str
    folder: Path


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``nsra serve`` on a new, empty database with five users and no assessment."""
    folder = tmp_path_factory.mktemp("flow")
    env = {**os.environ, "NSRA_DATABASE_URL": f"sqlite:///{folder / 'nsra.db'}"}
    nsra_cli("db", "upgrade", env=env)
    for name, role in USERS.items():
        nsra_cli("users", "add", name, "--role", role, "--password-stdin", env=env, stdin=PASSWORD)
    with serving(env, folder) as url:
        yield Server(url, folder)


class Person:
    """One person in their own browser context."""

    def __init__(self, browser: Browser, server: Server, name: str) -> None:
        self.context: BrowserContext = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        self.page: Page = self.context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.server = server
        self.page.goto(f"{server.url}/sign-in")
        self.page.get_by_label("User name").fill(name)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{server.url}/")

    def go(self, path: str) -> Page:
        self.page.goto(self.server.url + path)
        return self.page


def test_from_an_empty_database_to_a_published_version(
    empty_server: Server, browser: Browser
) -> None:
    people: list[Person] = []
    try:
        # -- the administrator creates the assessment from its file and adds the members
        admin = Person(browser, empty_server, "root")
        people.append(admin)
        page = admin.page
        assert "Nothing waits for you now." in page.inner_text("main")
        page.get_by_role("link", name="Create an assessment from a file").click()
        page.get_by_label("Assessment file").set_input_files(str(NL))
        page.get_by_role("button", name="Check and create").click()
        page.wait_for_url(f"{empty_server.url}/a/1")
        assert "Risk diagram" in page.inner_text("main")
        page = admin.go("/a/1/members")
        for name, role in (("cora", "coordinator"), ("vera", "viewer")):
            form = page.locator("#member-form")
            form.get_by_label("User", exact=True).select_option(name)
            form.get_by_label("Role", exact=True).select_option(role)
            form.get_by_role("button").click()
            page.wait_for_load_state()
        for analyst, org, user in (("bz-2", "bz", "ana-bz"), ("jenv-2", "jenv", "ben-jenv")):
            form = page.locator("#analyst-form")
            form.locator("#an-id").fill(analyst)
            form.locator("#an-name").fill(f"Analyst {user}")
            form.locator("#an-org").select_option(org)
            form.locator("#an-user").select_option(user)
            form.get_by_role("button").click()
            page.wait_for_load_state()
        for analyst in ("bz-2", "jenv-2"):
            page.locator(f'input[name=assign][value="{SCENARIO}/{analyst}"]').check()
        page.get_by_role("button", name="Save the assignments").click()
        page.wait_for_load_state()
        members = page.inner_text("main")
        assert "cora" in members and "vera" in members and "Analyst ana-bz" in members

        # -- the coordinator opens the first round
        cora = Person(browser, empty_server, "cora")
        people.append(cora)
        page = cora.go("/a/1/rounds")
        page.get_by_role("button", name="Open round 1").click()
        page.wait_for_url("**/rounds?done=opened")

        # -- two analysts of two ministries, each in their own browser
        for name, likelihood, rationale in (
            ("ana-bz", "C", "Diplomatic reporting: intent abroad is rising."),
            ("ben-jenv", "E", "Police intelligence: several plots disrupted this year."),
        ):
            person = Person(browser, empty_server, name)
            people.append(person)
            page = person.page
            assert "Round 1: 1 scenarios to estimate and submit" in page.inner_text("main")
            page.get_by_role("link", name="Round 1: 1 scenarios to estimate and submit").click()
            page.get_by_role("link", name="Jihadist attack on public transport").click()
            page.locator(f'label.class:has(input[name="s0-class"][value="{likelihood}"])').click()
            page.fill("#s0-rationale", rationale)
            page.get_by_role("button", name="Save estimates").click()
            page.wait_for_url("**saved=1**")
            page.get_by_role("button", name="Submit this scenario").click()
            page.wait_for_url("**submitted=1**")
            assert "Submitted." in page.inner_text("main")

        # -- the coordinator sees the spread, closes the round, records the consensus
        page = cora.go(f"/a/1/consensus/{SCENARIO}")
        said = page.inner_text("table.said")
        assert "Diplomatic reporting" in said and "Police intelligence" in said
        assert "analysts differ" in said
        page = cora.go("/a/1/rounds")
        page.get_by_role("button", name="Close round 1").click()
        page.wait_for_url("**/rounds?done=closed")
        page = cora.go(f"/a/1/consensus/{SCENARIO}")
        page.get_by_label("Consensus: Likelihood").select_option("D")
        page.get_by_label("Why the group agreed (required)").fill(
            "After discussion: D, between the readings of both ministries."
        )
        page.get_by_role("button", name="Save the consensus").click()
        page.wait_for_url("**saved=1**")
        page = cora.go("/a/1/versions")
        page.get_by_label("Name of the version").fill("Round 1, agreed")
        page.get_by_role("button", name="Publish").click()
        page.wait_for_url("**published=1**")
        assert "Version 1 is published." in page.inner_text("main")

        # -- a reader opens the overview and downloads the published report
        vera = Person(browser, empty_server, "vera")
        people.append(vera)
        page = vera.go("/a/1")
        assert page.locator(".diagram .marker").count() > 5
        assert page.locator("form[method=post]:not(.sign-out)").count() == 0
        page = vera.go("/a/1/versions")
        with page.expect_download() as waiting:
            page.get_by_role("link", name="report 1").click()
        report = Path(waiting.value.path()).read_text(encoding="utf-8")
        assert "After discussion: D, between the readings of both ministries." in report
        assert "ONGERUBRICEERD" in report

        # -- the history says who did what, with the rationale
        page = cora.go(f"/a/1/history?scenario={SCENARIO}")
        history = page.inner_text("main")
        assert "ana-bz" in history and "Diplomatic reporting" in history
        for person in people:
            assert person.console == [], person.console
    finally:
        for person in people:
            person.context.close()
